"""Test data for appraisal: daily rollup rows (the measures app's store) and scorecards built by services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.appraisal import services
from fuwu.appraisal.models import Scorecard
from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.measures.models import Rollup


def rollup(unit: Any, day: dt.date, *, cut: str = "", key: str = "", **parts: float) -> Rollup:
    """One day's parts for a unit (what the rollup builder writes from tickets, evaluations, complaints)."""
    return Rollup.objects.create(unit=unit, date=day, cut=cut, key=key, built_at=clock.now(), **parts)


def satisfaction_day(unit: Any, day: dt.date, evaluated: int, satisfied: int, **more: float) -> Rollup:
    return rollup(
        unit, day, **{"finished": evaluated, "evaluated": evaluated, "satisfied": satisfied, **more}
    )


def card(
    level: str, items: list[tuple[str, str, float | None, float | None, dict[str, float]]], **kw: Any
) -> Scorecard:
    """A scorecard with (measure, rule, target, baseline, {effective_from ISO: weight}) items."""
    sc = services.scorecard_create(actor=SYSTEM, level=level, name=kw.pop("name", level), **kw)
    for measure, rule, target, baseline, weights in items:
        item = services.scorecard_item_add(
            actor=SYSTEM, scorecard=sc, measure=measure, rule=rule, target=target, baseline=baseline
        )
        for day, weight in weights.items():
            services.scorecard_weight_set(
                actor=SYSTEM, item=item, effective_from=dt.date.fromisoformat(day), weight=weight
            )
    return Scorecard.objects.get(pk=sc.pk)


def compliments(outlet: Any, staff: Any, n: int, day: dt.date) -> None:
    """`n` compliments naming `staff` in the feedback box on `day`, rolled up as the sweep would."""
    from fuwu.core.principals import system
    from fuwu.feedback import services as feedback_services
    from fuwu.measures import services as measures_services

    with clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=clock.SHANGHAI)):
        for i in range(n):
            feedback_services.feedback_submit(
                actor=system("feedback_box"),
                outlet=outlet,
                text=f"柜员服务很耐心，第{i}次来都很满意",
                client=f"10.9.3.{i}",
                staff=staff,
                compliment=True,
            )
    measures_services.rollup_rebuild(actor=SYSTEM, start=day, end=day)
