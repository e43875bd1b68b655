"""Kiosk → counter → display announces → finish, in a real Chromium against the live server."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core.principals import SYSTEM
from fuwu.floor.models import Ticket
from fuwu.floor.tests.factories import device, floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium has no voices offline: record every utterance and end it shortly after, like a real voice would.
SPEECH_RECORDER = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (u) {
    const started = performance.now();
    const entry = {text: u.text, lang: u.lang, start: started, end: null};
    window.__spoken.push(entry);
    setTimeout(() => { entry.end = performance.now(); u.onend && u.onend(new Event("end")); }, 400);
  };
}
"""


def test_kiosk_ticket_is_called_announced_and_finished(world: Any, browser_page: Any) -> None:
    counters = floor(world.outlet_a, size="small")
    kiosk_token = device(world.outlet_a, "kiosk")
    display_token = device(world.outlet_a, "display")
    context = browser_page.context

    display = context.new_page()
    display.add_init_script(SPEECH_RECORDER)
    display.goto(f"/floor/display/#token={display_token}")
    display.wait_for_selector("[data-testid=waiting-per-service] tr")
    assert "个人现金存取" in display.inner_text("[data-testid=waiting-per-service]")

    kiosk = context.new_page()
    kiosk.goto(f"/floor/kiosk/#token={kiosk_token}")
    kiosk.click("[data-testid=kiosk-services] button[data-code=CASH]")
    assert "本人银行卡或存折" in kiosk.inner_text("#confirm-materials")  # materials before issue (Q10)
    kiosk.click("#confirm-yes")
    kiosk.wait_for_selector("[data-testid=kiosk-slip]:not([hidden])")
    assert kiosk.inner_text("#slip-number") == "A001"
    assert kiosk.inner_text("#slip-ahead") == "0"
    assert not kiosk.is_visible("[data-testid=kiosk-services]")
    assert "token=" not in kiosk.url
    # The slip's QR code carries the customer's mobile ticket link (Q2, Q6); it loads as an image.
    kiosk.wait_for_function("() => document.getElementById('slip-qr').naturalWidth > 0")
    mobile_url = kiosk.get_attribute("[data-testid=kiosk-slip-qr]", "data-url")
    assert mobile_url and "/floor/t/" in mobile_url
    kiosk.screenshot(path="var/screenshot-floor-kiosk.png")
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(mobile_url)
    assert phone.inner_text("[data-testid=my-number]") == "A001"
    assert "等候中" in phone.inner_text("[data-testid=my-ticket-status]")

    page = browser_page
    browser_login(page, "teller_a")
    page.goto(f"/floor/counter/?counter={counters['high1'].code}")
    page.click("#call-next")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=current-number]').textContent === 'A001'"
    )

    display.wait_for_function("() => document.getElementById('now-number').textContent === 'A001'")
    phone.reload()
    assert "请到1号窗口办理" in phone.inner_text("[data-testid=my-ticket-status]")
    phone.screenshot(path="var/screenshot-floor-my-ticket.png")
    display.wait_for_function("() => window.__spoken.length >= 1")
    page.click("[data-step=recall]")
    display.wait_for_function(
        "() => window.__spoken.length >= 2 && window.__spoken[1].end !== null", timeout=20_000
    )
    spoken = display.evaluate("window.__spoken")
    assert spoken[0]["text"] == "请A零零一号到一号窗口" and spoken[0]["lang"] == "zh-CN"
    # Queued, not cut off: the recall is spoken only after the first call has ended.
    assert spoken[1]["start"] >= spoken[0]["end"]
    display.screenshot(path="var/screenshot-floor-display.png")

    page.click("[data-step=start]")
    page.wait_for_function("() => document.getElementById('current-info').textContent.includes('办理中')")
    page.click("[data-step=finish]")
    page.wait_for_function("() => document.querySelector('[data-testid=current-number]').textContent === '—'")
    page.screenshot(path="var/screenshot-floor-counter.png")
    ticket = Ticket.objects.get(number="A001")
    assert (
        ticket.status == "finished" and ticket.staff == world.teller_a and ticket.counter == counters["high1"]
    )


def test_lobby_sees_vip_arrival_diverts_and_sets_positions(world: Any, browser_page: Any) -> None:
    from fuwu.customers.services import customer_create
    from fuwu.floor import services

    floor(world.outlet_a, size="small")
    customer_create(
        actor=SYSTEM,
        customer_no="V1",
        name="钱女士",
        home_outlet=world.outlet_a,
        tier="private",
        card_number="6222020200118888001",
    )
    vip = services.ticket_issue(
        actor=SYSTEM, outlet=world.outlet_a, service_code="WLTH", customer_card="6222020200118888001"
    )
    plain = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    page = browser_page
    browser_login(page, "head_a")
    page.goto("/floor/lobby/")
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=vip-arrivals]').textContent.includes('{vip.number}')"
    )
    page.select_option(f"select[data-for='{plain.pk}']", "mobile_banking")
    page.click(f"button[data-divert='{plain.pk}']")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('已分流')")
    assert Ticket.objects.get(pk=plain.pk).diverted_channel == "mobile_banking"
    positions = page.locator("[data-testid=positions]")
    assert "由网点负责人兼顾" in positions.inner_text()
    row = positions.locator("tr").nth(2)  # position 3
    row.locator("select").select_option(label="李柜员")
    row.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=positions]').textContent.includes('由3号位兼顾')"
    )
    page.screenshot(path="var/screenshot-floor-lobby.png")


def test_counter_console_lists_a_transferred_customer_and_offers_only_the_allowed_steps(
    world: Any, browser_page: Any
) -> None:
    from fuwu.floor import services

    counters = floor(world.outlet_a, size="small")
    cash = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    called = services.ticket_call_next(actor=SYSTEM, counter=counters["high1"])
    assert called is not None and called.pk == cash.pk
    services.ticket_transfer(actor=SYSTEM, ticket=called, counter_kind="low")

    page = browser_page
    browser_login(page, "teller_a")
    page.goto(f"/floor/counter/?counter={counters['low1'].code}")
    waiting = page.locator("[data-testid=counter-waiting]")
    # The CASH business is not served at a low counter, but this customer was sent to one.
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=counter-waiting]').textContent.includes('{cash.number}')"
    )
    assert "个人现金存取" in waiting.inner_text()
    assert page.locator("[data-step=start]").is_hidden()
    page.click("#call-next")
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=current-number]').textContent === '{cash.number}'"
    )
    page.wait_for_selector("[data-step=start]", state="visible")
    assert page.locator("[data-step=finish]").is_hidden() and page.locator("#call-next").is_hidden()
    page.screenshot(path="var/screenshot-floor-counter-transferred.png")
    page.click("[data-step=start]")
    page.wait_for_selector("[data-step=finish]", state="visible")
    assert page.locator("[data-step=start]").is_hidden()


@pytest.mark.parametrize("screen", ["display", "kiosk"])
def test_a_device_screen_with_a_revoked_token_says_so_within_seconds(
    world: Any, browser_page: Any, screen: str
) -> None:
    from fuwu.core import services as core_services

    floor(world.outlet_a, size="small")
    token, raw = core_services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind=screen)
    page = browser_page
    page.goto(f"/floor/{screen}/?outlet=OA#token={raw}")
    page.wait_for_function("() => document.body.innerText.includes('A')")  # the first picture came
    assert page.locator("[data-testid=offline]").is_hidden()
    core_services.device_token_revoke(actor=SYSTEM, token=token)
    page.wait_for_selector("[data-testid=offline]", state="visible", timeout=6_000)
    assert "令牌" in page.inner_text("[data-testid=offline]")
    page.screenshot(path=f"var/screenshot-floor-{screen}-revoked.png")


def test_customer_taps_im_leaving_on_the_phone_and_gives_up_the_number(world: Any, browser_page: Any) -> None:
    from fuwu.floor import mobile, services

    floor(world.outlet_a, size="small")
    ticket = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/floor/t/{mobile.token_for(ticket)}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=my-leave]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=my-state]').textContent.includes('您已放弃此号')"
    )
    page.screenshot(path="var/screenshot-floor-my-ticket-left.png")
    assert Ticket.objects.get(pk=ticket.pk).status == "cancelled"
