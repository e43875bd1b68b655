"""Browser: a ticket is finished at counter 1, its pad records 不满意 with a reason, the outlet head sees the follow-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fuwu.conftest import browser_login
from fuwu.core import clock
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


def test_insights_trend_chart_drills_down_to_the_messages_on_desktop_and_phone(browser_page, world):
    """F6: the sentiment trend is drawn (ECharts from a static file), a click on a bar opens the messages
    behind it, a phrase opens its messages; the pages fit a phone. Screenshots at 1366×768 and 390 px."""
    Path("var").mkdir(exist_ok=True)
    texts = ["排队时间太长，只开了两个窗口", "排队一个小时才办完，太慢了", "柜员很耐心，讲解清楚"]
    for n, text in enumerate(texts):
        services.feedback_submit(actor=SYSTEM, outlet=world.outlet_a, text=text, client=f"b{n}")
    today = clock.today()
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, "head_a")
    page.goto(f"/feedback/insights/?unit=OA&start={today - dt.timedelta(days=6)}&end={today}")
    chart = page.locator("[data-testid=trend-chart] canvas")
    chart.wait_for()
    page.screenshot(path="var/screenshot-feedback-insights.png", full_page=True)
    # The last bar (today) stacks the messages by sentiment: click the middle of its negative segment.
    box = page.locator("[data-testid=trend-chart]").bounding_box()
    assert box is not None
    negative = page.evaluate(
        """() => {
          const c = echarts.getInstanceByDom(document.getElementById('trend-chart'));
          const opt = c.getOption();
          const s = opt.series.findIndex(x => x.id === 'negative');
          const last = opt.xAxis[0].data.length - 1;
          let below = 0;
          for (let i = 0; i < s; i++) below += opt.series[i].data[last];
          const middle = below + opt.series[s].data[last] / 2;  // the middle of the stacked segment
          return c.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [last, middle]);
        }"""
    )
    page.mouse.click(box["x"] + negative[0], box["y"] + negative[1])
    page.wait_for_url("**/feedback/inbox/**sentiment=negative**")
    listed = page.inner_text("[data-testid=feedback-list]")
    assert "只开了两个窗口" in listed and "一个小时" in listed and "耐心" not in listed
    assert "共 2 条" in page.inner_text("[data-testid=pager]")
    page.locator("[data-testid=trend-chart] canvas").wait_for()
    page.screenshot(path="var/screenshot-feedback-drilldown.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/feedback/insights/?unit=OA&start={today}&end={today}")
    page.locator("[data-testid=trend-chart] canvas").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path="var/screenshot-feedback-insights-phone.png", full_page=True)
    assert "排队 (2)" in page.inner_text("[data-testid=terms]")
    page.locator("[data-testid=terms]").get_by_role("link", name="排队", exact=True).click()
    page.wait_for_url("**term=**")
    assert "共 2 条" in page.inner_text("[data-testid=pager]")  # the same two messages the count counted
    page.screenshot(path="var/screenshot-feedback-list-phone.png", full_page=True)
    # K5 triage on a phone: the praised message becomes a compliment credited to teller_a.
    praised = FeedbackItem.objects.get(text__contains="耐心")
    page.goto(f"/feedback/inbox/{praised.pk}/")
    form = page.locator("[data-testid=compliment-form]")
    form.locator("input[name=is_compliment]").check()
    form.locator("select[name=staff]").select_option(str(world.teller_a.pk))
    form.get_by_role("button").click()
    page.wait_for_selector("[data-testid=compliment-tag]")
    page.screenshot(path="var/screenshot-feedback-item-phone.png", full_page=True)
    praised.refresh_from_db()
    assert praised.is_compliment and praised.staff == world.teller_a
    assert errors == []
