"""The demo bank: shape, every role present, deterministic from its seed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.models import Group

from fuwu.core import roles
from fuwu.core.models import OrgUnit, User
from fuwu.core.roles import sync_role_groups
from fuwu.customers.models import Customer
from fuwu.demo import bank as demo_bank


def _fingerprint() -> tuple[list[str], list[tuple[str, str, str]]]:
    staff = list(User.objects.order_by("staff_code").values_list("display_name", flat=True))
    customers = list(Customer.objects.order_by("customer_no").values_list("name", "tier", "id_masked")[:50])
    return staff, customers


def test_demo_bank_shape_and_roles(db: Any) -> None:
    sync_role_groups()
    bank = demo_bank.build(customers=3000)
    kinds = Counter(OrgUnit.objects.values_list("kind", flat=True))
    assert kinds == {"head_office": 1, "tier1": 2, "tier2": 4, "outlet": 12}
    assert set(bank.outlet_size.values()) >= {"large", "county"}
    assert 140 <= User.objects.count() <= 200
    for role in roles.ROLES:
        assert Group.objects.get(name=role.code).user_set.exists(), role.code
    assert {login[1] for login in bank.logins} == roles.ROLE_CODES
    assert Customer.objects.count() == 3000 + len(demo_bank.SHOWCASE)
    tiers = Counter(Customer.objects.values_list("tier", flat=True))
    assert set(tiers) == {"normal", "wealth", "private"}
    assert (
        Customer.objects.filter(is_elderly=True).exists()
        and Customer.objects.filter(is_disabled=True).exists()
    )
    # every tier-1 has ≥5 supervisors and every tier-2 ≥3 (REQUIREMENTS S4)
    sup = Group.objects.get(name=roles.SUPERVISOR)
    for unit in OrgUnit.objects.filter(kind__in=["tier1", "tier2"]):
        assert sup.user_set.filter(org_unit=unit).count() >= (5 if unit.kind == "tier1" else 3)
    large = OrgUnit.objects.get(code="BJ-HD-01")
    assert (
        Customer.objects.filter(home_outlet=large).count()
        > Customer.objects.filter(home_outlet__code="JS-XZ-03").count()
    )
    assert User.objects.get(username="head").check_password(demo_bank.DEMO_PASSWORD)
    # #19: the customers the demo prints are the ones the kiosk recognises, with the tier and care they claim.
    from fuwu.customers.selectors import recognize

    printed = demo_bank.describe(bank)
    for s in demo_bank.SHOWCASE:
        assert s.card in printed and s.phone in printed
        by_card, by_phone = recognize(card=s.card), recognize(phone=s.phone)
        assert by_card is not None and by_card == by_phone and by_card.name == s.name
        assert by_card.tier == s.tier and by_card.home_outlet == large
    vip, _wealth, care, plain = (recognize(card=s.card) for s in demo_bank.SHOWCASE)
    assert vip is not None and vip.tier == "private" and vip.relationship_manager is not None
    assert care is not None and care.is_special and care.tier == "normal"
    assert plain is not None and not plain.is_special


def test_demo_bank_is_deterministic(db: Any) -> None:
    sync_role_groups()
    demo_bank.build(seed=7, customers=300)
    first = _fingerprint()
    Customer.objects.all().delete()
    User.objects.all().delete()
    OrgUnit.objects.all().delete()
    demo_bank.build(seed=7, customers=300)
    assert _fingerprint() == first
