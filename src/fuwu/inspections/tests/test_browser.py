"""On a 390 px phone: fill an inspection with a camera photo, submit; the outlet head fixes, the supervisor verifies."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.inspections.models import RectificationTask
from fuwu.inspections.tests.factories import jpeg, setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_inspection_to_verified_rectification(world: Any, browser_page: Any) -> None:
    setup(world)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    browser_login(page, "sup1")
    page.goto("/inspections/")
    form = page.locator("[data-testid=start-form]")
    form.locator("select[name=outlet_code]").select_option("OA")
    form.locator("select[name=template_code]").select_option("SBZ")
    form.locator("select[name=kind]").select_option("onsite")
    form.locator("button").click()
    page.wait_for_url("**/inspections/*/")
    for code in ("SBZ-1", "SBZ-2", "SBZ-3", "SBZ-4"):
        item = page.locator(f"[data-testid=item-{code}]")
        item.locator("input[value=fail]" if code == "SBZ-2" else "input[value=pass]").check()
        item.locator(".insp-state", has_text="已保存").wait_for()
    item = page.locator("[data-testid=item-SBZ-2]")
    item.locator("input[name=note]").fill("1号位迎客取号位空岗约5分钟")
    with page.expect_navigation():
        item.locator("input[type=file]").set_input_files(
            files=[{"name": "camera.jpg", "mimeType": "image/jpeg", "buffer": jpeg((1200, 900))}]
        )
    page.locator("[data-testid=item-SBZ-2] img.insp-thumb").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path="var/screenshot-inspection-phone.png", full_page=True)
    page.locator("[data-testid=submit]").click()
    page.locator("[data-testid=score]").wait_for()
    assert "80.00" in page.locator("[data-testid=score]").inner_text()
    assert "已提交" in page.locator("[data-testid=status]").inner_text()

    page.context.clear_cookies()
    browser_login(page, "head_a")
    page.goto("/inspections/ledger/")
    page.locator("[data-testid=ledger] a", has_text="SBZ-2").click()
    page.fill("textarea[name=evidence]", "已调整排班,1号位由大堂经理站立式值守,弹性柜员补位")
    page.locator("[data-testid=evidence-form] input[type=file]").set_input_files(
        files=[{"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": jpeg((800, 600))}]
    )
    page.locator("[data-testid=evidence-form] button").click()
    page.locator("[data-testid=task-status]", has_text="已提交整改").wait_for()
    page.screenshot(path="var/screenshot-rectification-phone.png", full_page=True)

    page.context.clear_cookies()
    browser_login(page, "sup2")
    task = RectificationTask.objects.get()
    page.goto(f"/inspections/ledger/{task.pk}/")
    page.locator("[data-testid=verify]").click()
    page.locator("[data-testid=task-status]", has_text="已验证").wait_for()
    task.refresh_from_db()
    assert task.status == "verified" and task.photos.count() == 1
