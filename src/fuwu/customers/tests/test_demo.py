"""The demo's customers get holdings, assessments, households and past suggestions; rules are trained (P1–P3)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from fuwu.core.roles import sync_role_groups
from fuwu.customers import demo
from fuwu.customers.models import AssociationRule, Customer, Holding, Household, RiskAssessment, Suggestion
from fuwu.demo import bank as demo_bank

pytestmark = pytest.mark.django_db


def test_demo_customers_hold_products_with_structure(frozen_clock: Any) -> None:
    sync_role_groups()
    bank = demo_bank.build(customers=1500)
    out = io.StringIO()
    demo.build(bank, out=out, options={"quick": True})
    # 1,500 generated customers and the demo's documented showcase customers (VIP, special care), all assessed.
    assert RiskAssessment.objects.count() == Customer.objects.count() >= 1500
    assert Holding.objects.count() >= 1500 * 3
    assert Household.objects.count() >= 50 and Suggestion.objects.exists()
    # The ladder is there for the rules to find: equity-fund holders hold the wealth product below it.
    assert AssociationRule.objects.filter(antecedent="EQF", consequent__code="WM3").exists()
    private = Customer.objects.filter(tier="private").order_by("-aum").first()
    assert (
        private is not None and private.aum > Customer.objects.filter(tier="normal").order_by("-aum")[50].aum
    )
    assert "association rules" in out.getvalue()
