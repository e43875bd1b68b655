"""Every page at 1366×768 and on a 390 px phone: renders in Chinese, no sideways scrolling on the phone."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.principals import SYSTEM
from fuwu.inspections.tests.factories import submitted, task_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/inspections/",
    "/inspections/ledger/",
    "/inspections/templates/",
    "/inspections/templates/TTDW/",
    "/inspections/supervisors/",
    "/inspections/trends/",
]


def test_pages_fit_a_desktop_and_a_phone(world: Any, browser_page: Any) -> None:
    i = submitted(world, kind="mystery")
    report(
        actor=SYSTEM,
        defect=Defect(
            SourceKind.COMPLAINT,
            "C-1",
            "TS2026-0001 柜员态度生硬",
            world.outlet_a,
            "根因:服务态度",
            severity="major",
        ),
    )
    t = task_for(i, "SBZ-2")
    page = browser_page
    browser_login(page, "hq")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in [*PAGES, f"/inspections/{i.pk}/", f"/inspections/ledger/{t.pk}/"]:
            page.goto(path)
            assert page.locator("h1").count() >= 1
            name = path.strip("/").replace("/", "-") or "root"
            page.screenshot(path=f"var/screenshot-{name}-{width}.png", full_page=True)
            if width == 390 and "templates/TTDW" not in path:  # the template editor is a wide table by design
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= 400, f"{path} scrolls sideways on a phone ({scroll}px)"
