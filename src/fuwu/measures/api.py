"""Measures API: the catalogue, figures for a unit or staff member, league tables and targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound
from fuwu.core.openapi import raises
from fuwu.measures import catalogue, selectors, services
from fuwu.measures.schemas import TargetIn

router = Router(tags=["measures"])


class MeasureOut(Schema):
    id: str
    name: str
    name_zh: str
    unit: str
    direction: str
    definition: str
    facts: list[str]
    grains: list[str]
    unit_label: str
    judged: bool
    stock: bool
    volume: str
    min_volume: int


def _period() -> Any:
    """A period as `selectors.parse_period` reads it (#18: the schema states the forms; Ninja checks them)."""
    return Field(
        None, pattern=selectors.PERIOD_PATTERN, description="2026-10, 2026-Q4, 2026, 2026-10-05 or a..b"
    )


class FiguresIn(Schema):
    unit: int | None = None
    staff: int | None = None
    period: str | None = _period()
    measure: list[str] = []


class UnitPeriodIn(Schema):
    unit: int | None = None
    period: str | None = _period()


class PointOut(Schema):
    start: dt.date
    values: dict[str, float | None]


class FiguresOut(Schema):
    unit_code: str
    staff: str | None
    period: str
    start: dt.date
    end: dt.date
    values: dict[str, float | None]
    trend: list[PointOut]


class LeagueRowOut(Schema):
    kind: str
    key: str
    label: str
    values: dict[str, float | None]


class TargetOut(Schema):
    id: int
    measure: str
    unit_code: str
    baseline: float
    value: float
    start_date: dt.date
    due_date: dt.date
    current: float | None
    progress_pct: float | None
    forecast: float | None
    on_track: bool | None
    note: str = ""  # why the target was set: masked on save like all free text (#18)


@router.get("/measures/catalogue", response=list[MeasureOut])
def measure_catalogue(request: HttpRequest) -> list[dict[str, object]]:
    return [catalogue.describe(m) for m in catalogue.MEASURES]


@router.get("/measures/figures", response=FiguresOut)
@raises(NotFound)
def figures(request: HttpRequest, q: Query[FiguresIn]) -> FiguresOut:
    principal = request_principal(request)
    who = selectors.subject(unit_id=q.unit, staff_id=q.staff, fetched_by=principal)
    period = selectors.parse_period(q.period or selectors.current_month())
    ids = q.measure or list(who.measure_ids)
    steps = selectors.trend(who.unit, period, cut=who.cut, key=who.key, fetched_by=principal)
    # The steps cover the period: their flows add up to its total, its balances are the last step's.
    parts = catalogue.over_steps(p for _day, p in steps)
    return FiguresOut(
        unit_code=who.unit.code,
        staff=str(who.staff) if who.staff else None,
        period=period.label,
        start=period.start,
        end=period.end,
        values=catalogue.evaluate(parts, ids),
        trend=[PointOut(start=day, values=catalogue.evaluate(p, ids)) for day, p in steps],
    )


@router.get("/measures/league", response=list[LeagueRowOut])
@raises(NotFound)
def league(request: HttpRequest, q: Query[UnitPeriodIn]) -> list[LeagueRowOut]:
    principal = request_principal(request)
    where = selectors.visible_unit(q.unit, fetched_by=principal)
    rows = selectors.league(
        where, selectors.parse_period(q.period or selectors.current_month()), fetched_by=principal
    )
    return [LeagueRowOut(kind=r["kind"], key=r["key"], label=r["label"], values=r["values"]) for r in rows]


@router.get("/measures/products", response=list[LeagueRowOut])
@raises(NotFound)
def by_product(request: HttpRequest, q: Query[UnitPeriodIn]) -> list[LeagueRowOut]:
    """The next-product measures by product (P3), each product by its name."""
    principal = request_principal(request)
    where = selectors.visible_unit(q.unit, fetched_by=principal)
    rows = selectors.by_product(
        where, selectors.parse_period(q.period or selectors.current_month()), fetched_by=principal
    )
    return [LeagueRowOut(kind=r["kind"], key=r["key"], label=r["label"], values=r["values"]) for r in rows]


def _target_out(p: selectors.Progress) -> TargetOut:
    t = p.target
    return TargetOut(
        id=t.pk,
        measure=t.measure,
        unit_code=t.unit.code,
        baseline=t.baseline,
        value=t.value,
        start_date=t.start_date,
        due_date=t.due_date,
        current=p.current,
        progress_pct=p.progress_pct,
        forecast=p.forecast,
        on_track=p.on_track,
        note=t.note,
    )


@router.get("/measures/targets", response=list[TargetOut])
def target_list(request: HttpRequest) -> list[TargetOut]:
    principal = request_principal(request)
    chosen = selectors.targets(fetched_by=principal)
    return [_target_out(p) for p in selectors.targets_progress(chosen, fetched_by=principal)]


@router.post("/measures/targets", response={201: TargetOut})
@raises(NotFound)
def target_set(request: HttpRequest, body: TargetIn) -> tuple[int, TargetOut]:
    principal = request_principal(request)
    unit = core_selectors.org_unit(fetched_by=principal, code=body.unit_code)
    target = services.target_set(
        actor=principal,
        measure=body.measure,
        unit=unit,
        baseline=body.baseline,
        value=body.value,
        start_date=body.start_date,
        due_date=body.due_date,
        note=body.note,
    )
    return 201, _target_out(selectors.target_progress(target, fetched_by=principal))
