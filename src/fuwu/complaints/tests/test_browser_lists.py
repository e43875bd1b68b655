"""The worklists in a real browser (#19): the case list starts on the first screen under a pile of alerts, at
1366×768 and on a 390 px phone; the other paged lists are photographed for review (var/screenshot-list-*.png)."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.approvals.tests import factories as approvals
from fuwu.complaints import services
from fuwu.complaints.codes import seed_codes
from fuwu.complaints.models import ClassificationCode
from fuwu.complaints.tests import factories as f
from fuwu.conftest import browser_login
from fuwu.core import services as core_services
from fuwu.core.principals import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = {
    "handler": ["/complaints/", "/complaints/?state=closed"],
    "head_a": ["/complaints/library/", "/devices/", "/appraisal/briefings/", "/knowledge/language/"],
    "teller_a": ["/feedback/mine/"],
    "rm_a": ["/approvals/inbox/"],
}


def _world(world: Any) -> Any:
    seed_codes(ClassificationCode)  # a transactional test starts from a flushed database
    world.handler = f.handler(world)
    for n in range(8):
        f.complaint(world, severity="major" if n % 2 else "normal")  # majors raise alerts up the tree
    case = services.complaint_assign(actor=world.head_a, complaint=f.complaint(world), handler=world.handler)
    services.complaint_investigate(actor=world.handler, complaint=case, root_cause="高峰期人手不足")
    services.complaint_decide(
        actor=world.handler,
        complaint=case,
        facts="属实",
        basis="《柜面服务规范》第5条",
        remedy="致歉",
        upheld=True,
    )
    services.complaint_reply(actor=world.handler, complaint=case, method="phone", text="已向您致歉")
    services.complaint_revisit(actor=world.handler, complaint=case, satisfaction="satisfied")
    services.typical_case_create(
        actor=world.handler, complaint=case, polarity="negative", title="高峰期等候未解释"
    )
    for n in range(3):
        core_services.device_token_issue(
            actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk", name=f"取号机{n}"
        )
    approvals.small_loan()
    approvals.People(world)
    for amount in ("50000", "80000"):
        approvals.start(world, amount)
    return world


def test_the_case_list_is_on_the_first_screen_and_the_lists_are_photographed(
    world: Any, seeded_calendar: Any, frozen_clock: Any, browser_page: Any
) -> None:
    _world(world)
    page = browser_page
    for user, urls in LISTS.items():
        page.context.clear_cookies()
        browser_login(page, user)
        for url in urls:
            for width, height in ((1366, 768), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(url)
                name = url.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
                page.screenshot(path=f"var/screenshot-list-{name}-{width}.png")
                if url == "/complaints/":
                    table = page.locator("[data-testid=complaint-list]").bounding_box()
                    assert table is not None and table["y"] < height * 0.9, (width, table)
                    assert page.locator("[data-testid=alerts] summary").is_visible()
                    assert not page.locator("[data-testid=alerts] table").is_visible()  # folded
    page.set_viewport_size({"width": 1366, "height": 768})
    page.context.clear_cookies()
    browser_login(page, "handler")
    page.goto("/complaints/?state=closed")
    assert "计时中" not in page.content()
    page.locator("[data-testid=complaint-list] a").first.click()
    page.wait_for_load_state()
    clock = page.locator("[data-testid=clock]").inner_text()
    assert "计时中" not in clock and "已停止" in clock
