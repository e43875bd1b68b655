"""The kiosk on a portrait touch screen (1080×1920, drawn at half size and scale 2): large-print mode and
appointment check-in, in a real Chromium (#19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.floor import services
from fuwu.floor.tests.factories import device, floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _portrait(browser_page: Any, live_server: Any) -> Any:
    context = browser_page.context.browser.new_context(
        base_url=live_server.url, viewport={"width": 540, "height": 960}, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _visible_services(page: Any) -> int:
    return int(
        page.evaluate(
            "[...document.querySelectorAll('[data-testid=kiosk-services] button')]"
            ".filter(b => b.offsetParent !== null).length"
        )
    )


def test_large_print_mode_has_big_type_high_contrast_fewer_choices_and_lasts_the_session(
    world: Any, browser_page: Any, live_server: Any
) -> None:
    floor(world.outlet_a, size="large")
    token = device(world.outlet_a, "kiosk")
    page = _portrait(browser_page, live_server)
    page.goto(f"/floor/kiosk/#token={token}")
    page.wait_for_selector("[data-testid=kiosk-services] button")
    standard = _visible_services(page)
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=kiosk-services] button')).fontSize)"
    )
    page.screenshot(path="var/screenshot-kiosk-portrait-standard.png")
    page.click("[data-testid=care-toggle]")
    assert page.evaluate("document.body.classList.contains('kiosk-care')")
    assert page.get_attribute("[data-testid=care-toggle]", "aria-pressed") == "true"
    assert page.inner_text("[data-testid=care-toggle]") == "标准模式"
    assert standard > 4 and _visible_services(page) == 4
    big = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=kiosk-services] button')).fontSize)"
    )
    assert big >= 1.6 * size
    # High contrast: black type on yellow buttons, on a black page.
    colours = page.evaluate(
        "(() => { const b = getComputedStyle(document.querySelector('[data-testid=kiosk-services] button'));"
        " return [b.color, b.backgroundColor, getComputedStyle(document.body).backgroundColor]; })()"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 212, 0)", "rgb(0, 0, 0)"]
    page.screenshot(path="var/screenshot-kiosk-portrait-large-print.png")
    page.click("[data-testid=more-services]")
    assert _visible_services(page) == standard
    # The choice lasts for the session: a reload (the kiosk's own refresh, a lost connection) keeps it.
    page.reload()
    page.wait_for_selector("[data-testid=kiosk-services] button")
    assert page.evaluate("document.body.classList.contains('kiosk-care')") and _visible_services(page) == 4
    # Taking a number works the same, in large print.
    page.click("[data-testid=kiosk-services] button[data-code=CASH]")
    page.click("#confirm-yes")
    page.wait_for_selector("[data-testid=kiosk-slip]:not([hidden])")
    page.screenshot(path="var/screenshot-kiosk-portrait-large-print-slip.png")
    page.click("#slip-done")
    page.click("[data-testid=care-toggle]")
    assert not page.evaluate("document.body.classList.contains('kiosk-care')")
    page.context.close()


def test_appointment_check_in_at_the_kiosk(world: Any, browser_page: Any, live_server: Any) -> None:
    floor(world.outlet_a, size="small")
    token = device(world.outlet_a, "kiosk")
    now = clock.now()
    valid = services.appointment_book(
        actor=SYSTEM, outlet=world.outlet_a, service_code="OPEN", starts_at=now + dt.timedelta(minutes=10)
    )
    expired = services.appointment_book(
        actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", starts_at=now - dt.timedelta(hours=2)
    )
    page = _portrait(browser_page, live_server)
    page.goto(f"/floor/kiosk/#token={token}")
    page.wait_for_selector("[data-testid=kiosk-services] button")
    page.click("[data-testid=checkin-open]")
    assert page.is_visible("[data-testid=kiosk-checkin]") and not page.is_visible(
        "[data-testid=kiosk-services]"
    )
    page.fill("[data-testid=checkin-code]", "999999" if valid.code != "999999" else "888888")
    page.click("[data-testid=checkin-yes]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=checkin-error]').textContent.length > 0"
    )
    assert page.inner_text("[data-testid=checkin-error]").startswith("预约码无效")
    page.fill("[data-testid=checkin-code]", expired.code)
    page.press("[data-testid=checkin-code]", "Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=checkin-error]').textContent.includes('已过期')"
    )
    page.screenshot(path="var/screenshot-kiosk-checkin-expired.png")
    page.fill("[data-testid=checkin-code]", valid.code)
    page.click("[data-testid=checkin-yes]")
    page.wait_for_selector("[data-testid=kiosk-slip]:not([hidden])")
    assert page.inner_text("#slip-number").startswith(
        "C"
    )  # the booked business (OPEN), not the one on screen
    assert page.is_visible("[data-testid=slip-appointment]")
    assert "优先" in page.inner_text("[data-testid=slip-appointment]")
    page.screenshot(path="var/screenshot-kiosk-checkin-slip.png")
    page.click("#slip-done")
    assert page.is_visible("[data-testid=kiosk-services]") and page.is_visible("[data-testid=checkin-open]")
    assert not page.is_visible("[data-testid=slip-appointment]")
    page.context.close()
