"""Browser (#19): each role logs in, its home opens on its worklist, and it does its main task from there.

Screenshots of a few homes at 1366×768 and 390 px wide go to var/screenshots/ (looked at by hand).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from fuwu.conftest import browser_login
from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/screenshots")


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SHOTS / f"home-{name}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"home-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def _panel(page: Any, title: str) -> Any:
    return page.locator("[data-testid=worklist]", has=page.locator("h2", has_text=title))


def test_outlet_head_closes_a_follow_up_due_today_from_the_home_page(
    browser_page: Any, world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    from fuwu.feedback.models import FollowUp
    from fuwu.feedback.tests import factories as f
    from fuwu.feedback.tests.test_follow_ups import dissatisfied

    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    follow_up = dissatisfied(world, counter, world.teller_a).follow_up
    frozen_clock.set_clock(
        dt.datetime(2026, 3, 3, 9, 0, tzinfo=clock.SHANGHAI), speed=0
    )  # the day it falls due
    page = browser_page
    browser_login(page, "head_a")
    panel = _panel(page, "今日到期的回访")
    assert "今日到期" in panel.inner_text() and "中关村支行今日排队" in page.inner_text(
        "[data-testid=worklists]"
    )
    _shoot(page, "outlet-head")
    panel.locator("ul.rows a").first.click()
    page.fill("textarea[name=note]", "已致电客户致歉，并安排高峰期增开窗口")
    page.click("button.primary")
    page.wait_for_selector("[data-testid=status]")
    assert FollowUp.objects.get(pk=follow_up.pk).status == "closed"


def test_teller_goes_from_my_day_to_the_counter_and_calls_the_next_customer(
    browser_page: Any, world: Any
) -> None:
    from fuwu.floor import services as floor

    floor.service_type_save(
        actor=SYSTEM, outlet=world.outlet_a, code="CASH", name="现金业务", prefix="A", counter_kinds=["high"]
    )
    counter = floor.counter_save(actor=SYSTEM, outlet=world.outlet_a, code="OA-01", number=1, kind="high")
    floor.counter_set_open(actor=world.teller_a, counter=counter, is_open=True)
    ticket = floor.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    page = browser_page
    browser_login(page, "teller_a")
    day = _panel(page, "我的窗口与今日")
    assert "1 号窗口" in day.inner_text() and "今日已服务" in day.inner_text()
    _shoot(page, "teller")
    day.get_by_role("link", name="1 号窗口").click()
    page.click("#call-next")
    page.wait_for_function(
        "n => document.querySelector('[data-testid=current-number]').textContent.includes(n)",
        arg=ticket.number,
    )


def test_supervisor_starts_a_planned_inspection_from_the_home_page(browser_page: Any, world: Any) -> None:
    from fuwu.inspections import services
    from fuwu.inspections.models import Inspection
    from fuwu.inspections.tests.factories import setup

    setup(world)
    planned = services.inspection_plan(
        actor=world.sup,
        outlet=world.outlet_a,
        template_code="SBZ",
        kind="onsite",
        supervisor=world.sup,
        planned_for=clock.today() + dt.timedelta(days=1),
    )
    page = browser_page
    browser_login(page, "sup1")
    panel = _panel(page, "计划中的检查")
    _shoot(page, "supervisor")
    panel.locator("ul.rows a").first.click()
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_load_state()
    assert Inspection.objects.get(pk=planned.pk).status == Inspection.Status.IN_PROGRESS


def test_head_office_opens_every_outlets_follow_ups_newest_first(
    browser_page: Any, world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    from fuwu.feedback.tests import factories as f
    from fuwu.feedback.tests.test_follow_ups import dissatisfied

    for outlet, teller in ((world.outlet_a, world.teller_a), (world.outlet_b, world.teller_b)):
        dissatisfied_in(world, f, dissatisfied, outlet, teller)
    page = browser_page
    browser_login(page, "hq")
    panel = _panel(page, "今日到期的回访")
    _shoot(page, "head-office")
    panel.get_by_role("link", name="查看完整列表").click()
    table = page.locator("[data-testid=follow-ups]").inner_text()
    assert "中关村支行" in table and "五道口支行" in table
    assert "共 2 条" in page.inner_text("[data-testid=pager]")
    page.select_option("select[name=unit]", label="五道口支行")
    page.get_by_role("button", name="筛选").click()
    assert "中关村支行" not in page.locator("[data-testid=follow-ups]").inner_text()


def dissatisfied_in(world: Any, f: Any, dissatisfied: Any, outlet: Any, teller: Any) -> None:
    """A dissatisfied rating at `outlet` (the follow-up helper rates at outlet A; this one anywhere)."""
    from fuwu.core.principals import DevicePrincipal
    from fuwu.core.services import device_token_authenticate
    from fuwu.feedback import services

    counter = f.counter(outlet, 1, staff=teller)
    pad = DevicePrincipal(device_token_authenticate(f.pad_token(outlet, counter.code)))
    ticket = f.finished_ticket(outlet, counter=counter, staff=teller)
    services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])


@pytest.mark.parametrize(
    ("role", "unit", "panel", "lands_on"),
    [
        (roles.LOBBY, "outlet_a", "中关村支行今日排队", "[data-testid=vip-arrivals]"),
        (roles.AUDITOR, "ho", "今日审计日志", "main h1"),
        (roles.TRAINER, "ho", "待您处理的培训", "[data-testid=assignments]"),
        (roles.CC_MANAGER, "ho", "客服中心今日", "main h1"),
        (roles.RM, "outlet_a", "我的窗口与今日", "main h1"),
        (roles.COMPLAINT_HANDLER, "t2", "未结投诉", "[data-testid=complaint-list]"),
    ],
)
def test_each_other_role_opens_its_worklist_and_follows_it_to_its_page(
    browser_page: Any, world: Any, role: str, unit: str, panel: str, lands_on: str
) -> None:
    world.person(f"w_{role}", getattr(world, unit), role)
    page = browser_page
    browser_login(page, f"w_{role}")
    found = _panel(page, panel)
    assert found.count() == 1, page.inner_text("main")
    found.locator("a.more").click()
    page.wait_for_load_state()
    assert page.locator(lands_on).first.is_visible()
    assert urlparse(page.url).path != "/"  # it left the home page for the role's own page
