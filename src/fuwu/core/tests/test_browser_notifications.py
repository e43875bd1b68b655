"""The bell and the inbox in a real browser, on a counter PC and on a phone (#14, #17)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext_noop

from fuwu.conftest import browser_login
from fuwu.core import audit, notifications
from fuwu.core.principals import system

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bell_counts_unread_and_the_inbox_opens_the_object(
    world: Any, browser_page: Any, tmp_path: Any
) -> None:
    event = audit.record(actor=system("test"), action="test")
    for i in range(3):  # outside a transaction: written at once, as after a sender's commit
        notifications.notify(
            actor=system("rectification-escalation"),
            recipients=[world.head_a],
            kind="test",
            obj=event,
            message=gettext_noop(
                "Rectification %(label)s at %(unit)s is %(days)s business days overdue and escalated to %(to)s."
            ),
            params={"label": f"四不准 第{i + 1}项", "unit": "中关村支行", "days": i + 1, "to": "海淀支行"},
            key=str(i),
        )
    page = browser_page
    browser_login(page, "head_a")
    assert page.locator("[data-testid=bell-count]").inner_text() == "3"
    page.click("[data-testid=bell]")
    page.wait_for_url("**/notifications/")
    assert (
        "中关村支行 的整改「四不准 第3项」已逾期 3 个工作日，已上报至海淀支行。"
        in page.locator("[data-testid=notifications]").inner_text()
    )
    page.screenshot(path=str(tmp_path / "inbox-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "inbox-390.png"), full_page=True)
    print("screenshots:", tmp_path)
    page.locator("[data-testid=open]").first.click()
    page.wait_for_url(f"**/audit/{event.pk}/")
    assert page.locator("[data-testid=bell-count]").inner_text() == "2"
    page.goto("/notifications/")
    page.click("[data-testid=read-all]")
    page.wait_for_url("**/notifications/")
    assert page.locator("[data-testid=bell-count]").count() == 0
