"""F3: the public feedback box — anonymous or with contact, throttled, owned, answered via a private link."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.errors import Throttled, ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.feedback import rules, services
from fuwu.feedback.models import FeedbackItem, FollowUp

pytestmark = pytest.mark.django_db


def submit(client, outlet_code="OA", **data):
    form = {"subject": "outlet", "text": "大堂经理很热情，帮我很快办好了业务，谢谢", **data}
    return client.post(f"/feedback/box/{outlet_code}/?qr=1", form, REMOTE_ADDR=data.pop("ip", "10.0.0.1"))


def test_anonymous_message_gets_owner_deadline_and_private_link(client, world, frozen_clock):
    response = submit(client)
    assert response.status_code == 302
    link = response["Location"]
    item = FeedbackItem.objects.get()
    assert item.is_anonymous and item.channel == "qr" and item.owner == world.head_a
    # Monday 09:00 + 2 business days → Wednesday 18:00 Shanghai
    assert item.reply_due_at.astimezone(clock.SHANGHAI).strftime("%a %H:%M") == "Wed 18:00"
    assert item.sentiment == "positive"
    page = client.get(link)
    assert "待回复" in page.content.decode()
    services.feedback_reply(actor=world.head_a, item=item, text="感谢您的认可，我们会继续努力！")
    assert "感谢您的认可" in client.get(link).content.decode()


def test_private_link_is_the_only_way_in(client, world):
    submit(client)
    assert client.get("/feedback/r/not-a-real-token/").status_code == 404


def test_contact_details_are_stored_masked(client, world):
    submit(
        client,
        contact_name="王先生",
        phone="13812345678",
        text="柜员把我的名字写错了，又让我重新填单，太麻烦",
    )
    item = FeedbackItem.objects.get()
    assert not item.is_anonymous
    assert item.phone_masked != "13812345678" and "1234" not in item.phone_masked[3:7]
    assert "13812345678" not in json.dumps([item.text, item.phone_masked, item.contact_name])


def test_throttled_per_client(client, world):
    for _ in range(rules.FEEDBACK_PER_HOUR):
        assert submit(client).status_code == 302
    assert submit(client).status_code == 429
    assert submit(client, ip="10.0.0.2").status_code == 302  # another client is not affected
    with pytest.raises(Throttled):
        services.feedback_submit(
            actor=SYSTEM, outlet=world.outlet_a, text="还想再说一句话", client="10.0.0.1"
        )


def test_invalid_message_is_refused_with_reasons(client, world):
    response = submit(client, text="差", staff_code="NOPE")
    assert response.status_code == 422
    assert not FeedbackItem.objects.exists()
    with pytest.raises(ValidationFailed) as caught:
        services.feedback_submit(
            actor=SYSTEM, outlet=world.outlet_a, text="x", client="1", staff=world.teller_b
        )
    assert {d["field"] for d in caught.value.details} == {"text", "staff"}


def test_message_about_a_staff_member_by_badge_number(client, world):
    submit(client, subject="staff", staff_code="teller_a", text="李柜员态度很差，问两句就不耐烦，非常不满意")
    item = FeedbackItem.objects.get()
    assert item.staff == world.teller_a and item.sentiment == "negative"
    assert FollowUp.objects.get(feedback=item).staff == world.teller_a


def test_online_entry_lists_outlets_and_unknown_outlet_is_404(client, world):
    assert "中关村支行" in client.get("/feedback/box/").content.decode()
    assert client.get("/feedback/box/NOPE/").status_code == 404


def test_staff_inbox_reply_and_scoping(client, world):
    item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="网点环境很好，服务周到", client="9"
    )
    client.force_login(world.head_a)
    assert "网点环境很好" in client.get("/feedback/inbox/").content.decode()
    assert client.post(f"/feedback/inbox/{item.pk}/", {"reply": "谢谢您的肯定！"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "replied" and item.replied_by == world.head_a
    again = client.post(
        f"/api/v1/feedback/items/{item.pk}/reply",
        json.dumps({"reply": "再回复一次试试"}),
        content_type="application/json",
    )
    assert again.status_code == 409
    client.force_login(world.teller_b)
    assert client.get(f"/feedback/inbox/{item.pk}/").status_code == 403  # tellers do not work the inbox
    other_head = services_head_b(world)
    client.force_login(other_head)
    assert client.get(f"/feedback/inbox/{item.pk}/").status_code == 404
    assert client.get("/api/v1/feedback/items").json() == []


def services_head_b(world):
    from fuwu.conftest import PASSWORD
    from fuwu.core import roles
    from fuwu.core.services import staff_create

    return staff_create(
        actor=SYSTEM,
        org_unit=world.outlet_b,
        username="head_b",
        display_name="孙主任",
        roles=[roles.OUTLET_HEAD],
        password=PASSWORD,
    )


def test_reply_link_page_has_no_staff_chrome(client, world):
    response = submit(client)
    html = client.get(response["Location"]).content.decode()
    assert re.search(r"/feedback/inbox/", html) is None


def test_unanswered_message_goes_to_the_supervisor_above_after_its_deadline(
    world, frozen_clock, seeded_calendar
):
    import datetime as dt

    from fuwu.core import roles as core_roles
    from fuwu.core.services import staff_create
    from fuwu.feedback import tasks

    supervisor = staff_create(
        actor=SYSTEM, org_unit=world.t2, username="sup", display_name="周督导", roles=[core_roles.SUPERVISOR]
    )
    item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="建议增加一台取号机", client="z"
    )
    answered, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="请问周六营业吗？", client="y"
    )
    services.feedback_reply(actor=world.head_a, item=answered, text="周六上午九点到下午五点营业。")
    frozen_clock.advance(dt.timedelta(days=2, hours=8, minutes=59))  # Wed 17:59, due Wed 18:00
    assert services.feedback_escalate_overdue(actor=SYSTEM) == 0
    frozen_clock.advance(dt.timedelta(minutes=2))
    tasks.escalate_follow_ups.call()
    item.refresh_from_db()
    answered.refresh_from_db()
    assert item.owner == supervisor and item.escalated_at == frozen_clock.now()
    assert answered.owner == world.head_a and answered.escalated_at is None
    assert services.feedback_escalate_overdue(actor=SYSTEM) == 0  # once


def test_failed_post_keeps_what_was_typed_and_says_why_in_chinese(client, world):
    response = submit(client, text="差评", contact_name="王先生", phone="13812345678", staff_code="A12")
    html = response.content.decode()
    assert response.status_code == 422
    assert "请填写 5 到 2000 个字。" in html  # the field's own error, in the user's language
    assert ">差评</textarea>" in html and 'value="王先生"' in html and 'value="A12"' in html
    assert "between 5 and 2000" not in html and not FeedbackItem.objects.exists()


def test_unknown_badge_number_is_a_chinese_field_error_with_the_text_kept(client, world):
    response = submit(client, subject="staff", staff_code="NOPE", text="柜员态度很差，问两句就不耐烦")
    html = response.content.decode()
    assert response.status_code == 422
    assert "本网点没有此工号的员工。" in html and "柜员态度很差，问两句就不耐烦</textarea>" in html


def test_throttled_post_keeps_the_text_and_says_when_to_retry(client, world):
    for _ in range(rules.FEEDBACK_PER_HOUR):
        submit(client)
    response = submit(client, text="第六条留言的内容不能丢")
    html = response.content.decode()
    assert response.status_code == 429
    assert "请一小时后再试" in html and "第六条留言的内容不能丢</textarea>" in html


def test_throttle_keys_on_the_client_behind_our_proxy_not_the_proxy(client, world, settings):
    settings.NINJA_NUM_PROXIES = 1
    proxy = "10.9.9.9"  # every customer arrives through the same proxy address

    def via_proxy(customer: str, forged: str = "") -> int:
        chain = f"{forged}, {customer}" if forged else customer
        form = {"subject": "outlet", "text": "大堂经理很热情，帮我很快办好了业务"}
        response = client.post("/feedback/box/OA/", form, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=chain)
        return response.status_code

    for _ in range(rules.FEEDBACK_PER_HOUR):
        assert via_proxy("203.0.113.7") == 302
    assert via_proxy("203.0.113.7") == 429
    # A forged left-most entry does not buy a new allowance: the proxy's own entry is the client.
    assert via_proxy("203.0.113.7", forged="198.51.100.1") == 429
    assert via_proxy("203.0.113.8") == 302  # another customer behind the same proxy is not affected


def test_trending_terms_are_built_from_the_masked_text(world, frozen_clock):
    """The ID ends in X (a valid check character) so it is one alphanumeric token: a digit-only ID would be
    dropped by the tokenizer anyway, and this test could not fail (#18)."""
    from fuwu.core import pii
    from fuwu.feedback import selectors

    id_number = "11010819850613008" + pii.id_check_char("11010819850613008")
    assert id_number.endswith("X") and pii.is_valid_id_number(id_number)
    item, _raw = services.feedback_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        text=f"我的身份证号{id_number}办业务被拒，排队很久",
        client="m",
    )
    assert id_number not in item.text
    stored = json.dumps(item.terms, ensure_ascii=False).lower()
    assert "19850613" not in stored and id_number.lower() not in stored
    today = frozen_clock.today()
    terms = selectors.trending_terms(fetched_by=world.hq_manager, unit=world.outlet_a, start=today, end=today)
    assert terms and not any("19850613" in t for t, _n in terms)


def test_the_contact_name_is_stored_masked(world, frozen_clock):
    """#18: a phone or ID typed into the name field is scrubbed like the message."""
    item, _raw = services.feedback_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        text="大堂经理很热情，帮我很快办好了业务",
        client="m",
        contact_name="王先生13912345678",
    )
    item.refresh_from_db()
    assert "13912345678" not in item.contact_name
    assert item.contact_name == "王先生139****5678"


def test_the_same_box_form_posted_twice_stores_one_message(client, world, frozen_clock):
    """#18: a double-submitted feedback form (one-time token) stores the message once."""
    page = client.get("/feedback/box/OA/?qr=1").content.decode()
    token = re.search(r'name="once_token" value="([^"]+)"', page).group(1)
    first = submit(client, once_token=token)
    second = submit(client, once_token=token)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert FeedbackItem.objects.count() == 1


def test_the_private_reply_link_page_is_never_cached(client, world):
    """#18: the link page shows the customer's message and the bank's reply; no browser or proxy keeps it."""
    link = submit(client)["Location"]
    response = Client().get(link)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
