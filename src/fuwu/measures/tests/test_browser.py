"""In a real browser: the HQ dashboard drills down to an outlet whose trend chart is drawn with data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.measures import services
from fuwu.measures.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POINTS = """(sel) => {
  const chart = echarts.getInstanceByDom(document.querySelector(sel));
  return chart.getOption().series[0].data.filter((p) => (Array.isArray(p) ? p[1] : p) !== null).length;
}"""


def test_hq_drills_from_the_bank_to_an_outlet_and_sees_its_trend(world: Any, browser_page: Any) -> None:
    today = clock.today()
    for offset, wait in ((0, 300), (1, 600), (2, 900)):
        day = today - dt.timedelta(days=offset)
        for _ in range(12):  # 36 tickets: enough volume for a place in the league (#19)
            f.ticket(world.outlet_a, f.at(day, 9), wait=wait, service_seconds=400, rating="satisfied")
    f.ticket(world.outlet_x, f.at(today, 9), wait=60, service_seconds=400)
    services.rollup_rebuild(actor=SYSTEM, start=today - dt.timedelta(days=2), end=today)
    period = f"{(today - dt.timedelta(days=2)).isoformat()}..{today.isoformat()}"

    page = browser_page
    browser_login(page, "hq")
    page.goto(f"/measures/?period={period}")
    assert page.get_by_test_id("subject").inner_text().startswith("总行")
    page.wait_for_selector("#trend-chart canvas")
    assert page.evaluate(POINTS, "#trend-chart") == 3
    page.wait_for_selector("#league-chart canvas")
    for name in ("北京分行", "海淀支行", "中关村支行"):
        page.get_by_test_id("drill").filter(has_text=name).click()
        page.wait_for_selector(f"[data-testid=subject]:has-text('{name}')")
    page.wait_for_selector("#trend-chart canvas")
    assert page.evaluate(POINTS, "#trend-chart") == 3
    assert page.get_by_test_id("kpi-tickets_issued").inner_text() == "36"
    assert page.get_by_test_id("unit-avg_wait").inner_text() == "分钟"
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"var/screenshot-measures-outlet-{width}.png", full_page=False)
    assert (
        page.locator(
            "[data-testid=league-table] tr[data-kind=counter], [data-testid=league-table] tr[data-kind=staff]"
        ).count()
        >= 1
    )


def test_the_definitions_page_reads_on_a_counter_pc_and_a_phone(world: Any, browser_page: Any) -> None:
    """K1: the catalogue's definitions in Chinese, legible at 1366×768 and at 390 px (screenshots to look at)."""
    page = browser_page
    browser_login(page, "hq")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/measures/definitions/")
        assert page.locator("[data-testid=definitions] tr[data-measure]").count() >= 40
        assert "神秘人检查得分" in page.get_by_test_id("definitions").inner_text()
        page.screenshot(path=f"var/screenshot-measure-definitions-{width}.png", full_page=False)
