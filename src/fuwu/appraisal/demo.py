"""Demo appraisal: the seed-002 scorecards (satisfaction 20% → 30% → 40%), seed-004 peer figures, stars."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.appraisal import services
from fuwu.appraisal.models import Scorecard
from fuwu.core import roles
from fuwu.core.principals import Principal, system

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
# Seed 004 §一 (2023 year end): lobby managers per outlet at the other big banks (大堂经理; ours counts all
# lobby service staff, so the definitions differ and the figures are marked, not compared), and tellers per
# outlet (the seed's garbled "6.2023" figures are left out).
PEERS = [
    ("工商银行", 2023, "lobby_staff_per_outlet", 1.25, False),
    ("农业银行", 2023, "lobby_staff_per_outlet", 0.94, False),
    ("中国银行", 2023, "lobby_staff_per_outlet", 1.54, False),
    ("建设银行", 2023, "lobby_staff_per_outlet", 1.50, False),
    ("农业银行", 2023, "tellers_per_outlet", 6.45, True),
    ("中国银行", 2023, "tellers_per_outlet", 6.17, True),
]

# The seed-000 rule: an upheld complaint or a failed critical inspection item disqualifies; compliments count.
DEMO_STAR_RULE: dict[str, Any] = {
    "upheld_action": "disqualify",
    "deduction": 20.0,
    "critical_action": "disqualify",
    "critical_deduction": 20.0,
    "min_evaluations": 10,
    "nomination_bonus": 10.0,
    "compliment_points": 5.0,
    "max_compliments": 3,
    "stars_per_outlet": 1,
}


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
    actor: Principal,
    card: Scorecard,
    items: list[tuple[str, str, float | None, float | None, dict[str, float]]],
) -> None:
    for measure, rule, target, baseline, weights in items:
        item = services.scorecard_item_add(
            actor=actor, scorecard=card, measure=measure, rule=rule, target=target, baseline=baseline
        )
        for day, weight in weights.items():
            services.scorecard_weight_set(
                actor=actor, item=item, effective_from=dt.date.fromisoformat(day), weight=weight
            )


def peers() -> int:
    actor = system("demo")
    for name, year, measure, value, same in PEERS:
        services.peer_figure_set(
            actor=actor,
            bank=name,
            year=year,
            measure=measure,
            value=value,
            source="seed 004 §一(2023年末)",
            same_definition=same,
        )
    return len(PEERS)


def stars(months: int = 3) -> int:
    """Service stars for the last complete months at every outlet: ranked, submitted and approved."""
    from fuwu.appraisal.models import StarPolicy, StarRound
    from fuwu.appraisal.selectors import star_candidates
    from fuwu.core import clock
    from fuwu.core.errors import ValidationFailed
    from fuwu.core.models import OrgUnit

    actor = system("demo")
    today = clock.today()
    index = today.year * 12 + today.month - 1
    approved = 0
    first = dt.date((index - months) // 12, (index - months) % 12 + 1, 1)
    if not StarPolicy.objects.exists():  # the rule the demo's months were ranked under, on the rules page
        services.star_policy_set(actor=actor, effective_from=first, **DEMO_STAR_RULE)
    for step in range(months, 0, -1):
        month = f"{(index - step) // 12}-{(index - step) % 12 + 1:02d}"
        for outlet in OrgUnit.objects.filter(kind="outlet").order_by("path"):
            r = services.star_round_open(actor=actor, outlet=outlet, month=month)
            if r.status != StarRound.Status.DRAFT or not star_candidates(actor, r):
                continue
            try:
                services.star_submit(actor=actor, round=r)
            except ValidationFailed:
                continue
            services.star_approve(actor=actor, round=r)
            approved += 1
    return approved


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    made = scorecards()
    out.write(f"appraisal: {len(made)} scorecards (satisfaction 20% → 30% → 40%, seed 002)\n")
    out.write(f"appraisal: {peers()} peer figures (seed 004)\n")
    out.write(f"appraisal: {stars()} outlet-months of approved service stars\n")
