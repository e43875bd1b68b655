"""The customer rules in one place: tiers by assets (P2), age and special groups, balance bands, suitability (P3).

Suitability is a gate, not a score: a product that fails it is never suggested, whatever the model thinks.
`refusal` is a pure function of the product and the customer's profile so that a property test can check it
over random customers × products (tests/test_suitability.py):

- nothing above the customer's risk level (C1–C5 against R1–R5), ever;
- no assessment, or an expired one: nothing above R1 (savings-like products only);
- the product's age limits, and elderly customers (60 and over, 老年人权益保障法) nothing above R2;
- nothing the customer already holds, nothing off sale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuwu.core import pii

ELDERLY_AGE = 60
ELDERLY_MAX_RISK = 2
UNASSESSED_MAX_RISK = 1

# Assets under management (yuan) from which a tier applies, highest first (金融资产 bands used by Chinese
# retail banks: 50万 for wealth, 600万 for private banking).
TIER_FLOORS: tuple[tuple[str, Decimal], ...] = (
    ("private", Decimal("6000000")),
    ("wealth", Decimal("500000")),
    ("normal", Decimal("0")),
)

# Balance bands for roles without the exact-balance right: upper bound (exclusive) → label.
BANDS: tuple[tuple[Decimal | None, object], ...] = (
    (Decimal("10000"), gettext_lazy("under 10,000")),
    (Decimal("50000"), gettext_lazy("10,000–50,000")),
    (Decimal("200000"), gettext_lazy("50,000–200,000")),
    (Decimal("1000000"), gettext_lazy("200,000–1 million")),
    (Decimal("5000000"), gettext_lazy("1–5 million")),
    (None, gettext_lazy("5 million and above")),
)


def tier_for(aum: Decimal) -> str:
    """The tier a customer with these assets under management belongs to."""
    for tier, floor in TIER_FLOORS:
        if aum >= floor:
            return tier
    return "normal"


def band(amount: Decimal) -> str:
    for upper, label in BANDS:
        if upper is None or amount < upper:
            return str(label)
    raise AssertionError("the last band is open")


def birth_date_from_id(id_number: str) -> dt.date | None:
    """The birth date in an 18-digit resident ID (digits 7–14), if the number is valid."""
    if not pii.is_valid_id_number(id_number):
        return None
    digits = pii.normalize_id(id_number)
    try:
        return dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return None


def stage_of(age: int | None) -> str:
    """Life stage by age: young, family, midlife, retired (unknown without a birth date)."""
    if age is None:
        return "unknown"
    if age < 30:
        return "young"
    if age < 45:
        return "family"
    if age < ELDERLY_AGE:
        return "midlife"
    return "retired"


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Profile:
    """What suitability needs to know about a customer on a given day."""

    age: int | None
    risk_level: int | None  # the valid assessment's level; None without one or when it expired
    is_elderly: bool
    held: frozenset[str]


@dataclass(frozen=True)
class ProductFacts:
    code: str
    risk_level: int
    min_age: int
    max_age: int | None
    is_active: bool


def max_risk(profile: Profile) -> int:
    """The highest product risk level this customer may be offered."""
    level = profile.risk_level if profile.risk_level is not None else UNASSESSED_MAX_RISK
    if profile.is_elderly or (profile.age is not None and profile.age >= ELDERLY_AGE):
        level = min(level, ELDERLY_MAX_RISK)
    return level


def refusal(product: ProductFacts, profile: Profile) -> str | None:
    """Why `product` may not be offered to this customer, or None when it may."""
    if not product.is_active:
        return _("The product is not on sale.")
    if product.code in profile.held:
        return _("The customer already holds it.")
    if profile.age is not None and (
        profile.age < product.min_age or (product.max_age is not None and profile.age > product.max_age)
    ):
        return _("Outside the product's age limits.")
    if product.risk_level > max_risk(profile):
        if profile.risk_level is None:
            return _("No valid risk assessment: only the lowest-risk products may be offered.")
        return _("Above the customer's risk tolerance.")
    return None
