"""HTML pages call the same services; scoping and refusals reach the error page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fuwu.complaints.models import Complaint
from fuwu.complaints.tests import factories as f

pytestmark = pytest.mark.django_db

FORM = {
    "outlet_code": "OA",
    "source": "window",
    "complainant_name": "赵丽",
    "phone": "13912345678",
    "content": "在网点柜台取定期存款，柜员态度很差。",
    "channel_code": "01",
    "category_code": "01",
    "reason_code": "01",
    "severity": "normal",
    "representatives": "1",
}


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def test_intake_page_registers_and_shows_the_case(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    page = client.get("/complaints/new/").content.decode()
    assert "营业现场" in page and "人民币储蓄" in page and "服务态度及服务质量" in page
    r = client.post(
        "/complaints/new/", {**FORM, "staff_code": ctx.teller_b.staff_code, "tags": ["aggressive"]}
    )
    assert r.status_code == 422  # staff of another outlet is not visible to teller_a: the field says so
    assert "未知的员工" in r.content.decode()
    r = client.post("/complaints/new/", {**FORM, "tags": ["aggressive"]})
    c = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/complaints/{c.pk}/"
    assert c.tags == ["aggressive"] and c.phone_masked == "139****5678"
    detail = client.get(r["Location"]).content.decode()
    assert c.reference in detail and "2026-03-17" in detail and "13912345678" not in detail


def test_intake_page_refusal_renders_the_error_page(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    r = client.post("/complaints/new/", {**FORM, "reason_code": "99"})
    assert r.status_code == 422 and "reason_code" in r.content.decode()
    assert not Complaint.objects.exists()


def test_a_failed_intake_keeps_what_was_typed_and_marks_the_fields_in_chinese(
    ctx: Any, client: Client
) -> None:
    client.force_login(ctx.teller_a)
    typed = {
        **FORM,
        "content": "我在柜台排队一个半小时无人解释，要求道歉。",
        "representatives": "9",
        "demand": "书面道歉",
    }
    r = client.post("/complaints/new/", {**typed, "complainant_name": ""})
    page = r.content.decode()
    assert r.status_code == 422
    assert "我在柜台排队一个半小时无人解释，要求道歉。</textarea>" in page and 'value="书面道歉"' in page
    assert 'value="9"' in page and "请更正标出的字段" in page
    assert page.count('class="field-error"') >= 2  # the name and the representatives
    assert not Complaint.objects.exists()


def test_an_unknown_staff_member_is_the_same_error_on_the_page_and_the_api(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    page = client.post("/complaints/new/", {**FORM, "staff_code": "NOBODY"})
    api = client.post(
        "/api/v1/complaints",
        {**FORM, "staff_code": "NOBODY", "representatives": 1},
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (422, 422)
    [row] = [d for d in api.json()["error"]["details"] if d["field"] == "staff_code"]
    assert row["reason"] == "未知的员工。" and row["reason"] in page.content.decode()


def test_suggestions_partial_offers_codes(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    r = client.post(
        "/complaints/suggest/", {"content": "手机银行APP转账一直失败，系统报错"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert 'data-dim="channel" data-code="0303"' in html and "移动客户端" in html


def test_assign_on_the_page_enforces_the_conflict_check(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx, staff=ctx.teller_a)
    client.force_login(ctx.head_a)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert f'<option value="{ctx.handler.username}"' in page
    assert f'<option value="{ctx.teller_a.username}"' not in page
    r = client.post(f"/complaints/{c.pk}/assign/", {"handler_username": ctx.teller_a.username})
    assert r.status_code == 409
    r = client.post(f"/complaints/{c.pk}/assign/", {"handler_username": ctx.handler.username})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.handler == ctx.handler


def test_pages_are_scoped_to_the_viewer(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx)
    client.force_login(ctx.teller_b)
    assert client.get(f"/complaints/{c.pk}/").status_code == 404
    assert c.reference not in client.get("/complaints/").content.decode()
    assert client.post(f"/complaints/{c.pk}/withdraw/", {"reason": "x"}).status_code == 404
    client.force_login(ctx.head_a)
    assert c.reference in client.get("/complaints/").content.decode()
    assert client.get("/complaints/stats/").status_code == 200
    assert client.get("/complaints/hotspots/").status_code == 200


def test_unknown_action_is_refused(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx)
    client.force_login(ctx.head_a)
    assert client.post(f"/complaints/{c.pk}/explode/").status_code == 422


def test_resubmission_on_the_intake_page_merges_into_the_open_case(ctx: Any, client: Client) -> None:
    original = f.complaint(ctx)
    client.force_login(ctx.teller_a)
    r = client.post("/complaints/new/", {**FORM, "resubmission_of": original.reference, "new_facts": "1"})
    again = Complaint.objects.exclude(pk=original.pk).get()
    assert r.status_code == 302 and again.status == "merged" and again.merged_into == original
    assert list(original.clock_events.values_list("kind", flat=True)) == ["restart"]
    other = f.complaint(ctx, outlet=ctx.outlet_b, actor=ctx.teller_b)
    r = client.post("/complaints/new/", {**FORM, "resubmission_of": other.reference})
    assert r.status_code == 422  # another outlet's case cannot be named: "unknown reference" on the field
    assert Complaint.objects.count() == 3


ID_NO, MOBILE = "11010819900307018X", "13912345678"
TYPED = f"客户身份证{ID_NO}，手机{MOBILE}"


def test_numbers_typed_into_decision_reply_and_revisit_are_masked_on_the_rows_and_the_page(
    ctx: Any, client: Client
) -> None:
    from fuwu.complaints import services
    from fuwu.complaints.models import Decision, Reply, Revisit

    c = f.complaint(ctx)
    services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="未按规定解释等候原因")
    client.force_login(ctx.handler)
    steps = [
        ("decide", {"facts": TYPED, "basis": TYPED, "remedy": TYPED, "upheld": "1"}),
        ("reply", {"method": "phone", "text": TYPED}),
        ("revisit", {"satisfaction": "satisfied", "note": TYPED}),
    ]
    for action, form in steps:
        assert client.post(f"/complaints/{c.pk}/{action}/", form).status_code == 302, action
    decision, reply, revisit = Decision.objects.get(), Reply.objects.get(), Revisit.objects.get()
    stored = [
        decision.facts,
        decision.basis,
        decision.remedy,
        *decision.history.values_list("facts", flat=True),
        reply.text,
        revisit.note,
    ]
    for text in stored:
        assert ID_NO not in text and MOBILE not in text
        assert "110***********018X" in text and "139****5678" in text
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert page.count("110***********018X") >= 5  # facts, basis, remedy, reply, revisit note
    assert ID_NO not in page and MOBILE not in page
