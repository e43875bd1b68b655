"""In a real Chromium: the kiosk pre-fills the chosen business's form masked and keeps the confirmed change
(P4, Q2 pre-fill); the households, portfolio, risk-assessment and catalogue pages at desk and phone width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.customers import services
from fuwu.customers.models import Customer
from fuwu.customers.tests import factories as cf
from fuwu.floor.tests.factories import device, floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID = "110108198506123015"
PHONE = "13912345678"


def test_kiosk_prefills_the_account_opening_form_masked_and_keeps_the_change(
    world: Any, browser_page: Any
) -> None:
    floor(world.outlet_a)
    me = services.customer_create(
        actor=SYSTEM,
        customer_no="KB001",
        name="周晓明",
        home_outlet=world.outlet_a,
        id_number=ID,
        phone=PHONE,
    )
    services.form_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        kind="account_opening",
        id_number=ID,
        values={"address": "北京市海淀区中关村大街 1 号", "occupation": "工程师"},
    )
    token = device(world.outlet_a, "kiosk")
    page = browser_page
    page.goto(f"/floor/kiosk/?outlet={world.outlet_a.code}#token={token}")
    page.wait_for_selector("#services button[data-code=OPEN]")
    page.fill("#card", ID)
    page.click("#services button[data-code=OPEN]")
    page.wait_for_selector("[data-testid=kiosk-prefill]:not([hidden]) input[name=address]")
    shown = page.inner_text("[data-testid=kiosk-prefill]")
    assert "110***********3015" in shown and "周晓明" in shown
    html = page.content()
    assert ID not in html and PHONE not in html and "139****5678" in html
    assert page.input_value("input[name=address]") == "北京市海淀区中关村大街 1 号"
    page.fill("input[name=address]", "北京市海淀区学院路 5 号")
    page.screenshot(path="var/screenshot-kiosk-prefill.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="var/screenshot-kiosk-prefill-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("#confirm-yes")
    page.wait_for_selector("[data-testid=kiosk-slip]:not([hidden])")
    me.refresh_from_db()
    assert me.address == "北京市海淀区学院路 5 号" and me.occupation == "工程师"
    assert me.forms.filter(kind="account_opening").count() == 2


def _shoot(page: Any, path: str, name: str) -> None:
    page.goto(path)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=f"var/screenshot-customers-{name}.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"var/screenshot-customers-{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_household_portfolio_risk_and_catalogue_pages(world: Any, browser_page: Any) -> None:
    rm = world.person("rm_a", world.outlet_a, roles.RM)
    world.person("rm_a2", world.outlet_a, roles.RM)
    products = cf.catalogue()
    a = cf.customer(world.outlet_a, "S100", name="刘建华", id_number=ID)
    b = cf.customer(world.outlet_a, "S101", name="王丽")
    cf.hold(a, products, "TD", "CD", balance=300_000)
    services.tiers_recompute(actor=SYSTEM)
    for c in (a, b):
        services.relationship_manager_assign(actor=SYSTEM, customer=Customer.objects.get(pk=c.pk), manager=rm)
    services.household_create(actor=SYSTEM, name="刘家", members=[(a, "head"), (b, "spouse")])
    services.risk_assessment_record(actor=SYSTEM, customer=a, level=4, assessed_on=dt.date(2024, 5, 1))
    services.risk_assessment_record(actor=SYSTEM, customer=a, level=3, assessed_on=dt.date.today())
    page = browser_page
    browser_login(page, "head_a")
    _shoot(page, "/customers/households/", "households")
    page.click("text=刘家")
    page.wait_for_selector("[data-testid=members]")
    _shoot(page, page.url, "household")
    _shoot(page, "/customers/portfolios/", "portfolios")
    page.goto(f"/customers/portfolios/{rm.staff_code}/")
    page.check("input[name=customer_nos][value=S101]")
    page.select_option("select[name=staff_code]", "RM_A2")
    page.click("[data-testid=reassign] button.primary")
    page.wait_for_selector("[data-testid=moved]")
    _shoot(page, page.url, "portfolio")
    assert Customer.objects.get(customer_no="S101").relationship_manager.staff_code == "RM_A2"
    browser_login(page, "rm_a")
    _shoot(page, "/customers/S100/risk/", "risk")
    assert page.locator("[data-testid=expired]").count() == 1
    _shoot(page, "/customers/products/", "products")
    _shoot(page, "/customers/products/CD/", "product")
