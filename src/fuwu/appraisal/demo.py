"""Demo appraisal: the seed-002 scorecards (satisfaction 20% → 30% → 40%), seed-004 peer figures, stars."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.appraisal import services
from fuwu.appraisal.models import Scorecard
from fuwu.core import roles
from fuwu.core.principals import system

H0, H1, H2, Y27 = "2025-01-01", "2026-01-01", "2026-07-01", "2027-01-01"
# (measure, rule, target, baseline, {from: weight}); each date's weights add up to 100.
UNIT_ITEMS: list[tuple[str, str, float | None, float | None, dict[str, float]]] = [
    ("satisfaction", "target", 90.0, None, {H0: 20, H1: 20, H2: 30, Y27: 40}),
    ("evaluation_rate", "target", 90.0, None, {H0: 15, H1: 15, H2: 10, Y27: 10}),
    ("avg_wait", "target", 10.0, None, {H0: 20, H1: 20, H2: 20, Y27: 15}),
    ("served_within_target", "progress", 90.0, 70.0, {H0: 15, H1: 15, H2: 15, Y27: 10}),
    ("complaints_per_10k", "rank", None, None, {H0: 15, H1: 15, H2: 15, Y27: 15}),
    ("complaint_on_time", "target", 100.0, None, {H0: 15, H1: 15, H2: 10, Y27: 10}),
]
STAFF_ITEMS: list[tuple[str, str, float | None, float | None, dict[str, float]]] = [
    ("satisfaction", "target", 90.0, None, {H0: 30, H2: 40}),
    ("evaluation_rate", "target", 90.0, None, {H0: 20, H2: 20}),
    ("avg_service", "target", 10.0, None, {H0: 25, H2: 20}),
    ("tickets_served", "rank", None, None, {H0: 25, H2: 20}),
]
# Seed 004 §一 (2023 year end): lobby service staff per outlet at the other big banks.
PEERS = [
    ("工商银行", 2023, "lobby_staff_per_outlet", 1.25),
    ("农业银行", 2023, "lobby_staff_per_outlet", 0.94),
    ("中国银行", 2023, "lobby_staff_per_outlet", 1.54),
    ("建设银行", 2023, "lobby_staff_per_outlet", 1.50),
]


def scorecards() -> list[Scorecard]:
    actor = system("demo")
    made = []
    names = {"tier1": "一级分行服务考核", "tier2": "二级分行服务考核", "outlet": "网点服务考核"}
    for level, name in names.items():
        if Scorecard.objects.filter(level=level).exists():
            continue
        card = services.scorecard_create(actor=actor, level=level, name=name)
        _items(actor, card, UNIT_ITEMS)
        made.append(card)
    if not Scorecard.objects.filter(level="staff", staff_role=roles.TELLER).exists():
        card = services.scorecard_create(
            actor=actor, level="staff", staff_role=roles.TELLER, name="柜员服务考核"
        )
        _items(actor, card, STAFF_ITEMS)
        made.append(card)
    return made


def _items(
    actor: Any, card: Scorecard, items: list[tuple[str, str, float | None, float | None, dict[str, float]]]
) -> None:
    for measure, rule, target, baseline, weights in items:
        item = services.scorecard_item_add(
            actor=actor, scorecard=card, measure=measure, rule=rule, target=target, baseline=baseline
        )
        for day, weight in weights.items():
            services.scorecard_weight_set(
                actor=actor, item=item, effective_from=dt.date.fromisoformat(day), weight=weight
            )


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    made = scorecards()
    out.write(f"appraisal: {len(made)} scorecards (satisfaction 20% → 30% → 40%, seed 002)\n")
