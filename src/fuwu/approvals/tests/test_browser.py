"""An approval case in a real browser: a small loan through the fast track, a large one through every step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.approvals.models import Case
from fuwu.approvals.tests import factories as f
from fuwu.conftest import browser_login
from fuwu.core import rollups
from fuwu.core.principals import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _start(page: Any, amount: str) -> str:
    browser_login(page, "teller_a")
    page.goto("/approvals/new/")
    page.fill("input[name=title]", "个体户经营贷")
    page.fill("input[name=amount]", amount)
    page.click("button.primary")
    page.wait_for_url("**/approvals/*/")
    assert page.locator("[data-testid=case-status]").inner_text() == "审批中"
    url: str = page.url
    page.context.clear_cookies()
    return url


def _approve(page: Any, username: str, url: str, step: str) -> None:
    browser_login(page, username)
    page.goto(url)
    page.locator(f"[data-testid=step-{step}] input[name=comment]").fill("同意")
    page.locator(f"[data-testid=step-{step}] [data-testid=approve]").click()
    page.wait_for_load_state()
    page.context.clear_cookies()


def test_fast_track_and_full_track(world: Any, frozen_clock: Any, browser_page: Any) -> None:
    from fuwu.core.roles import sync_role_groups

    sync_role_groups()
    f.small_loan()
    f.People(world)
    page = browser_page

    small = _start(page, "50000")
    _approve(page, "rm_a", small, "check")
    browser_login(page, "teller_a")
    page.goto(small)
    assert page.locator("[data-testid=case-status]").inner_text() == "已批准"
    assert page.locator("[data-testid=timeline]").inner_text().count("快速通道跳过") == 3
    page.context.clear_cookies()

    large = _start(page, "500000")
    _approve(page, "rm_a", large, "check")
    browser_login(page, "risk_t2")
    page.goto("/approvals/inbox/")
    assert page.locator("[data-testid=inbox-row]").count() == 1
    page.context.clear_cookies()
    _approve(page, "risk_t2", large, "risk")
    _approve(page, "head_a", large, "head")
    _approve(page, "credit_t1", large, "credit")
    browser_login(page, "hq")
    page.goto(large)
    assert page.locator("[data-testid=case-status]").inner_text() == "已批准"
    page.screenshot(path="var/screenshot-approvals-case.png", full_page=True)
    assert list(Case.objects.values_list("status", flat=True)) == ["approved", "approved"]
    # The bottleneck figures are the catalogue's: the rollup sweep refreshes them after the decisions.
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    page.goto("/approvals/bottlenecks/?start=2026-03-01&end=2026-03-31")
    page.wait_for_selector("[data-testid=steps-chart] canvas")
    assert "网点初审" in page.locator("[data-testid=figures]").inner_text()
    page.screenshot(path="var/screenshot-approvals-bottlenecks.png", full_page=True)
