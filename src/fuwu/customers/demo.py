"""Demo: every customer gets holdings, a risk assessment and (some) a household; rules are trained on them.

Holdings come from `synthetic` (life stage, tier, product ladders), so the next-product rules find real
structure; AUM is the sum of the balances. About one in eight assessments has expired (those customers are
offered R1 products only), one in ten customers shares a household with another of their outlet, and a few
per cent carry past suggestions with their reactions, so the 360 timeline shows them beside visits and
complaints from the other apps' demos. Everything is bulk-written; the rules are trained through the service.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.customers import rules, services, synthetic
from fuwu.customers.models import (
    Customer,
    Holding,
    Household,
    HouseholdRole,
    RiskAssessment,
    Suggestion,
)


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    # Its own generator: the other apps' demo steps draw the same numbers whether this step runs or not.
    rng = random.Random(bank.seed + 16)
    today, now = clock.today(), clock.now()
    products = {
        code: services.product_save(
            actor=SYSTEM,
            code=code,
            name=name,
            category=category,
            risk_level=risk,
            fees=fees,
            min_age=min_age,
            max_age=max_age,
        )
        for code, name, category, risk, fees, min_age, max_age in synthetic.CATALOGUE
    }
    customers = list(
        Customer.objects.only("pk", "name", "birth_date", "tier", "home_outlet_id").order_by("pk")
    )
    holdings: list[Holding] = []
    assessments: list[RiskAssessment] = []
    suggestions: list[Suggestion] = []
    statuses = [Suggestion.Status.ACCEPTED, Suggestion.Status.DECLINED, Suggestion.Status.DECLINED]
    for c in customers:
        age = rules.age_on(c.birth_date, today) or 40
        person = synthetic.customer(rng, age=max(18, age), tier=c.tier)
        opened = today - dt.timedelta(days=rng.randrange(30, 3650))
        for code, balance in person.holdings.items():
            holdings.append(
                Holding(customer=c, product=products[code], balance=Decimal(balance), opened_on=opened)
            )
        c.aum = Decimal(sum(person.holdings.values()))
        assessed = today - dt.timedelta(days=rng.randrange(0, 420))
        assessments.append(
            RiskAssessment(
                customer=c,
                level=person.risk_level,
                assessed_on=assessed,
                expires_on=assessed + dt.timedelta(days=365),
            )
        )
        if rng.random() < 0.03:
            lacking = [p for code, p in products.items() if code not in person.holdings and p.risk_level <= 2]
            product = rng.choice(lacking)
            shown = now - dt.timedelta(days=rng.randrange(1, 300), minutes=rng.randrange(600))
            suggestions.append(
                Suggestion(
                    customer=c,
                    product=product,
                    outlet_id=c.home_outlet_id,
                    reason=f"客户普遍持有{product.name}",
                    status=rng.choice(statuses),
                    shown_at=shown,
                    reacted_at=shown + dt.timedelta(minutes=3),
                )
            )
    with transaction.atomic():
        Holding.objects.bulk_create(holdings, batch_size=5000)
        RiskAssessment.objects.bulk_create(assessments, batch_size=5000)
        Suggestion.objects.bulk_create(suggestions, batch_size=5000)
        Customer.objects.bulk_update(customers, ["aum"], batch_size=5000)
        households = _households(rng, customers, now)
    trained = services.rules_train(actor=SYSTEM)
    out.write(
        f"customers: {len(holdings)} holdings, {len(assessments)} risk assessments, {households} households, "
        f"{len(suggestions)} past suggestions, {trained} association rules\n"
    )


def _households(rng: Any, customers: list[Customer], now: dt.datetime) -> int:
    """Pair about one customer in ten with another of the same outlet (spouses), as relationship groups."""
    by_outlet: dict[int, list[Customer]] = {}
    for c in customers:
        by_outlet.setdefault(c.home_outlet_id, []).append(c)
    pairs: list[tuple[Customer, Customer]] = []
    for members in by_outlet.values():
        chosen = rng.sample(members, k=min(len(members), len(members) // 10 * 2))
        pairs.extend(zip(chosen[::2], chosen[1::2], strict=False))
    made = Household.objects.bulk_create(
        [
            Household(name=f"{a.name[:1]}家", home_outlet_id=a.home_outlet_id, created_at=now)
            for a, _b in pairs
        ]
    )
    changed = []
    for household, (a, b) in zip(made, pairs, strict=True):
        a.household, a.household_role = household, HouseholdRole.HEAD
        b.household, b.household_role = household, HouseholdRole.SPOUSE
        changed += [a, b]
    Customer.objects.bulk_update(changed, ["household", "household_role"], batch_size=5000)
    return len(made)
