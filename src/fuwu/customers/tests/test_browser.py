"""The teller calls a recognised customer, sees the compact 360 and a suggestion, records "declined", refers
another to the relationship manager, who finds the referral on their home page (P1, P3) — in a real Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.customers import services
from fuwu.customers.models import Suggestion
from fuwu.customers.tests import factories as cf
from fuwu.floor import services as floor_services
from fuwu.floor.tests.factories import floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID = "110108198506123015"


def test_teller_sees_compact_360_declines_a_suggestion_and_the_rm_gets_the_referral(
    world: Any, browser_page: Any
) -> None:
    counters = floor(world.outlet_a, size="small")
    rm = world.person("rm_a", world.outlet_a, roles.RM)
    products = cf.catalogue()
    me = cf.customer(world.outlet_a, "CB001", id_number=ID, name="周晓明")
    cf.hold(me, products, "DEP", "TD", balance=88_000)
    services.risk_assessment_record(actor=SYSTEM, customer=me, level=3, assessed_on=dt.date.today())
    floor_services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", id_number=ID)

    page = browser_page
    browser_login(page, "teller_a")
    page.goto(f"/floor/counter/?counter={counters['high1'].code}")
    page.click("#call-next")
    page.wait_for_selector("[data-testid=customer-360] [data-testid=suggestion]")
    panel = page.inner_text("[data-testid=customer-360]")
    assert "周晓明" in panel and "整存整取定期存款" in panel
    assert ID not in page.content() and "88,000" not in panel  # compact: no identifiers, no amounts
    page.screenshot(path="var/screenshot-customers-counter-360.png")
    first = page.locator("[data-testid=suggestion]").first
    first_product = first.locator("strong").inner_text()
    first.locator("[data-testid=react-decline]").click()
    page.wait_for_function(
        "(name) => ![...document.querySelectorAll('[data-testid=suggestion] strong')]"
        ".some((e) => e.textContent === name)",
        arg=first_product,
    )
    declined = Suggestion.objects.get(customer=me, product__name=first_product)
    assert declined.status == "declined" and declined.reacted_by == world.teller_a

    second = page.locator("[data-testid=suggestion]").first
    second_product = second.locator("strong").inner_text()
    second.locator("[data-testid=react-refer]").click()
    page.wait_for_function(
        "(name) => ![...document.querySelectorAll('[data-testid=suggestion] strong')]"
        ".some((e) => e.textContent === name)",
        arg=second_product,
    )
    referred = Suggestion.objects.get(customer=me, status="referred")
    assert referred.referred_to == rm and referred.credited_staff == world.teller_a

    page.context.clear_cookies()
    browser_login(page, "rm_a")
    page.goto("/")
    assert "周晓明" in page.inner_text("body")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/customers/CB001/")
    assert "88,000.00" in page.inner_text("[data-testid=holdings]")
    page.screenshot(path="var/screenshot-customers-360-phone.png", full_page=True)
