from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core.principals import SYSTEM
from fuwu.staffing import services
from fuwu.staffing.tests.factories import branch_series, staff_member, tickets_from_counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outlet_head_opens_next_weeks_plan_edits_it_and_sees_requirement_vs_roster(
    world: Any, seeded_calendar: None, frozen_clock: Any, browser_page: Any
) -> None:
    dates, counts = branch_series(dt.date(2025, 12, 1), 91, daily=40.0, seed=7)
    tickets_from_counts(world.outlet_a, dates, counts, seed=7)
    plan = services.staffing_plan_build(
        actor=world.head_a,
        unit=world.outlet_a,
        channel="branch",
        week_start=dt.date(2026, 3, 9),
        targets=services.DEFAULT_TARGETS["branch"],
    )
    staff_member(world.outlet_a, "ft0")
    page = browser_page
    browser_login(page, "head_a")
    page.goto("/staffing/")
    page.get_by_role("link", name="中关村支行").click()
    page.wait_for_url(f"**/staffing/plans/{plan.pk}/")
    table = page.locator("[data-testid=plan-table]")
    assert table.locator("tbody tr").count() == 16
    assert table.locator("tbody tr").first.locator("th").inner_text() == "09:00"
    monday_0930 = table.locator("tbody tr").nth(1).locator("td").first
    required = int(monday_0930.get_attribute("data-required") or "0")
    assert required >= 1 and monday_0930.get_attribute("data-rostered") == "0"
    assert "short" in (monday_0930.get_attribute("class") or "")
    assert page.locator("[data-testid=gaps]").count() >= 5  # every open day has gaps before rostering
    form = page.locator("[data-testid=add-shift]")
    form.locator("select[name=start_slot]").select_option("0")
    form.locator("select[name=end_slot]").select_option("16")
    form.locator("select[name=lunch_slot]").select_option("7")
    form.get_by_role("button").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=plan-table] tbody tr')[1].querySelector('td').dataset.rostered === '1'"
    )
    assert table.locator("tbody tr").nth(7).locator("td").first.get_attribute("data-rostered") == "0"  # lunch
    page.locator("[data-testid=simulate]").click()
    page.locator("[data-testid=simulation]").wait_for()
    assert page.locator("[data-testid=simulation] tbody tr").count() == 7
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("[data-testid=plan-table]").is_visible()
    page.screenshot(path="var/screenshot-staffing-plan.png", full_page=True)


def test_contact_centre_manager_sees_both_lines_and_the_intraday_chart(
    world: Any, frozen_clock: Any, browser_page: Any, tmp_path: Any
) -> None:
    from fuwu.conftest import PASSWORD
    from fuwu.core import roles
    from fuwu.core import services as core_services
    from fuwu.staffing.importers import import_calls
    from fuwu.staffing.tests.test_calls import GOOD

    core_services.staff_create(
        actor=SYSTEM,
        org_unit=world.ho,
        username="cc",
        display_name="话务经理",
        roles=[roles.CC_MANAGER],
        password=PASSWORD,
    )
    path = tmp_path / "calls.csv"
    path.write_text(GOOD, encoding="utf-8")
    import_calls(path)
    page = browser_page
    browser_login(page, "cc")
    page.goto("/staffing/centre/?date=2026-03-02&line=95599")
    hotline = page.locator("[data-testid=line-95599]")
    assert "95599" in hotline.inner_text() and "66.7%" in hotline.inner_text()
    assert "50.0%" in page.locator("[data-testid=line-credit_card]").inner_text()
    page.locator("[data-testid=intraday-chart] canvas").wait_for()
    assert page.locator("[data-testid=intraday] tbody tr").first.locator("td").first.inner_text() == "09:00"
    page.screenshot(path="var/screenshot-staffing-centre.png", full_page=True)


def test_a_failed_build_keeps_the_typed_form_on_the_plans_page(world: Any, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, "head_a")
    page.goto("/staffing/")
    form = page.locator("[data-testid=plan-build]")
    form.locator("select[name=channel]").select_option("95599")
    form.locator("input[name=week_start]").fill("2026-03-10")  # a Tuesday
    form.get_by_role("button").click()
    page.locator("[data-testid=form-error]").wait_for()
    assert form.locator("select[name=channel]").input_value() == "95599"
    assert form.locator("input[name=week_start]").input_value() == "2026-03-10"
    assert "计划周须从周一开始" in page.locator("[data-testid=form-error]").inner_text()
    page.screenshot(path="var/screenshot-staffing-build-failed.png", full_page=True)
