from __future__ import annotations

from typing import Any

import pytest

from fuwu.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outlet_head_logs_in_and_sees_chinese_home(world: Any, browser_page: Any) -> None:
    page = browser_page
    browser_login(page, "head_a")
    title = page.locator("[data-testid=home-title]")
    assert "欢迎" in title.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "网点负责人" in page.locator(".who").inner_text()
    assert page.locator("nav.sidenav").get_by_text("设备令牌").count() == 1
    page.screenshot(path="var/screenshot-home.png")
