"""Browser: a ticket is finished at counter 1, its pad records 不满意 with a reason, the outlet head sees the follow-up."""

from __future__ import annotations

import pytest

from fuwu.conftest import browser_login
from fuwu.core.principals import SYSTEM
from fuwu.feedback import services
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp
from fuwu.feedback.tests import factories as f
from fuwu.floor import services as floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pad_rates_finished_ticket_and_outlet_head_sees_follow_up(browser_page, world):
    page = browser_page
    floor.service_type_save(
        actor=SYSTEM, outlet=world.outlet_a, code="CASH", name="现金业务", prefix="A", counter_kinds=["high"]
    )
    counter = floor.counter_save(actor=SYSTEM, outlet=world.outlet_a, code="OA-01", number=1, kind="high")
    floor.counter_set_open(actor=world.teller_a, counter=counter, is_open=True)
    token = f.pad_token(world.outlet_a, counter.code)

    page.goto(f"/feedback/pad/#token={token}")
    page.wait_for_selector("#pad-idle:not([hidden])")
    assert "1" in page.inner_text("#pad-where")

    ticket = floor.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    called = floor.ticket_call_next(actor=world.teller_a, counter=counter)
    assert called is not None and called.pk == ticket.pk
    floor.ticket_start(actor=world.teller_a, ticket=called)
    floor.ticket_finish(actor=world.teller_a, ticket=called)

    page.wait_for_selector("#pad-ask:not([hidden])")  # the pad wakes by itself
    assert ticket.number in page.inner_text("#pad-ticket")
    bad = page.locator("[data-rating=dissatisfied]")
    assert "不满意" in bad.inner_text()
    bad.click()
    page.get_by_label("等候时间长").check()
    page.click("#pad-submit")
    page.wait_for_selector("#pad-thanks:not([hidden])")

    evaluation = Evaluation.objects.get(ticket=ticket)
    assert evaluation.rating == "dissatisfied" and evaluation.reasons == ["等候时间长"]
    assert evaluation.staff == world.teller_a

    browser_login(page, "head_a")
    page.goto("/feedback/follow-ups/")
    table = page.locator("[data-testid=follow-ups]")
    assert ticket.number in table.inner_text() and "等候时间长" in table.inner_text()
    page.get_by_role("link", name=f"{ticket.number} 等候时间长").click()
    page.fill("textarea[name=note]", "已致电客户致歉，并安排高峰期增开窗口")
    page.click("button.primary")
    page.wait_for_selector("[data-testid=status]")
    assert FollowUp.objects.get(evaluation=evaluation).status == "closed"


def test_customer_leaves_message_by_qr_on_a_phone_and_reads_the_reply(browser_page, world):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/feedback/box/OA/?qr=1")
    page.fill("textarea[name=text]", "排队等了很久，希望高峰期多开几个窗口")
    page.fill("input[name=phone]", "13812345678")
    page.click("button.primary")
    page.wait_for_url("**/feedback/r/**")
    link = page.url
    assert "待回复" in page.inner_text("[data-testid=status]")
    item = FeedbackItem.objects.get()
    assert item.channel == "qr" and item.phone_masked and "13812345678" not in page.content()
    services.feedback_reply(actor=world.head_a, item=item, text="感谢反馈，本周起高峰期增开两个现金窗口。")
    page.goto(link)
    assert "增开两个现金窗口" in page.inner_text("[data-testid=reply]")


def test_a_refused_message_on_a_phone_keeps_every_typed_field(browser_page, world):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/feedback/box/OA/?qr=1")
    page.select_option("select[name=subject]", "staff")
    page.fill("input[name=staff_code]", "X999")
    page.fill("textarea[name=text]", "柜员办理很慢，还不耐烦，希望改进")
    page.fill("input[name=contact_name]", "王先生")
    page.click("[data-testid=box-form] button.primary")
    page.wait_for_selector("[data-testid=box-errors]")
    assert "本网点没有此工号的员工" in page.inner_text("[data-testid=box-form]")
    assert page.input_value("textarea[name=text]") == "柜员办理很慢，还不耐烦，希望改进"
    assert page.input_value("input[name=staff_code]") == "X999"
    assert page.input_value("input[name=contact_name]") == "王先生"
    assert page.input_value("select[name=subject]") == "staff"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.screenshot(path="/tmp/feedback_box_refused_390.png", full_page=True)
    assert not FeedbackItem.objects.exists()


def test_handler_reveals_a_customers_phone_on_the_customer_page(browser_page, world):
    from fuwu.core import roles
    from fuwu.core.models import AuditEvent
    from fuwu.customers.services import customer_create

    customer_create(
        actor=SYSTEM, customer_no="C100", name="刘建华", home_outlet=world.outlet_a, phone="13912345678"
    )
    world.person("handler_t2", world.t2, roles.COMPLAINT_HANDLER)
    page = browser_page
    browser_login(page, "handler_t2")
    page.goto("/customers/C100/")
    assert "13912345678" not in page.content()
    page.click("[data-testid=reveal-phone] button")
    page.wait_for_selector("[data-testid=phone] strong")
    assert page.inner_text("[data-testid=phone]") == "13912345678"
    page.screenshot(path="/tmp/customer_reveal_1366.png", full_page=True)
    assert AuditEvent.objects.filter(action="pii.reveal", actor__username="handler_t2").count() == 1
