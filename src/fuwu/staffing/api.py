"""Staffing API: plans with their per-interval grid, roster and shift edits, what-if simulation, call KPIs,
and a stateless Erlang calculator."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound, ValidationFailed
from fuwu.core.openapi import raises
from fuwu.core.principals import Principal
from fuwu.core.transitions import actions_json
from fuwu.staffing import selectors, services
from fuwu.staffing.models import Shift, StaffingPlan
from fuwu.staffing.schemas import ErlangIn, PlanIn, PublishIn, ShiftIn

if TYPE_CHECKING:
    from fuwu.staffing import simulate

router = Router(tags=["staffing"])


class IntervalOut(Schema):
    date: dt.date
    time: str
    forecast: float
    required: int
    rostered: int
    gap: int


class ActionOut(Schema):
    name: str
    label: str


class PlanOut(Schema):
    id: int
    unit_code: str
    channel: str
    week_start: dt.date
    status: str
    version: int
    model_name: str
    backtest: dict[str, object]
    roster_status: str
    actions: list[ActionOut]


class PlanDetailOut(PlanOut):
    intervals: list[IntervalOut]


class ShiftOut(Schema):
    id: int
    staff_id: int
    date: dt.date
    start_slot: int
    end_slot: int
    lunch_slot: int | None
    skill: str


class RosterOut(Schema):
    status: str
    shifts: int
    cost: int
    short_intervals: int


class EstimateOut(Schema):
    mean: float
    half_width: float


class DaySimulationOut(Schema):
    date: dt.date
    service_level: EstimateOut | None
    mean_wait: EstimateOut | None
    abandon_rate: EstimateOut | None
    utilisation: EstimateOut | None


class KpiOut(Schema):
    label: str
    offered: int
    answered: int
    abandoned: int
    answer_rate: float | None
    service_level: float | None
    abandon_rate: float | None
    aht: float | None


class LineDayOut(Schema):
    line: str
    date: dt.date
    total: KpiOut
    intervals: list[KpiOut]


class ErlangOut(Schema):
    agents: list[int]
    service_level: list[float]


def _plan_out(plan: StaffingPlan, principal: Principal) -> dict[str, object]:
    return {
        "id": plan.pk,
        "unit_code": plan.unit.code,
        "channel": plan.channel,
        "week_start": plan.week_start,
        "status": plan.status,
        "version": plan.version,
        "model_name": plan.model_name,
        "backtest": plan.backtest,
        "roster_status": plan.roster_status,
        "actions": actions_json(plan, principal),
    }


def _shift_out(shift: Shift) -> dict[str, object]:
    return {
        "id": shift.pk,
        "staff_id": shift.staff_id,
        "date": shift.date,
        "start_slot": shift.start_slot,
        "end_slot": shift.end_slot,
        "lunch_slot": shift.lunch_slot,
        "skill": shift.skill,
    }


@router.get("/staffing/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> list[dict[str, object]]:
    principal = request_principal(request)
    return [_plan_out(p, principal) for p in selectors.plans(fetched_by=principal)[:200]]


@router.post("/staffing/plans", response={201: PlanDetailOut})
@raises(NotFound, Conflict)
def plan_build(request: HttpRequest, payload: PlanIn) -> Status[dict[str, object]]:
    principal = request_principal(request)
    unit = core_selectors.org_unit(fetched_by=principal, code=payload.unit_code)
    targets = services.plan_targets(
        payload.channel,
        target_level=payload.level(),
        target_seconds=payload.target_seconds,
        aht_seconds=payload.aht_seconds,
    )
    plan = services.staffing_plan_build(
        actor=principal, unit=unit, channel=payload.channel, week_start=payload.week_start, targets=targets
    )
    return Status(201, _detail(plan, principal))


def _detail(plan: StaffingPlan, principal: Principal) -> dict[str, object]:
    intervals = [
        {
            "date": day.date,
            "time": c.label,
            "forecast": round(c.forecast, 3),
            "required": c.required,
            "rostered": c.rostered,
            "gap": c.gap,
        }
        for day in selectors.plan_grid(fetched_by=principal, plan=plan)
        for c in day.cells
    ]
    return {**_plan_out(plan, principal), "intervals": intervals}


@router.get("/staffing/plans/{plan_id}", response=PlanDetailOut)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, object]:
    principal = request_principal(request)
    return _detail(selectors.plan(fetched_by=principal, plan_id=plan_id), principal)


@router.post("/staffing/plans/{plan_id}/roster", response=RosterOut)
@raises(Conflict)
def plan_roster(request: HttpRequest, plan_id: int) -> dict[str, object]:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    result = services.staffing_plan_roster(actor=principal, plan=plan)
    return {
        "status": result.status,
        "shifts": len(result.assignments),
        "cost": result.cost,
        "short_intervals": int((result.shortfall[plan.channel] > 0).sum()),
    }


@router.post("/staffing/plans/{plan_id}/publish", response=PlanOut)
@raises(Conflict)
def plan_publish(request: HttpRequest, plan_id: int, payload: Query[PublishIn]) -> dict[str, object]:
    """Publish; a roster whose simulation misses the target is refused (409 `below_target`, the days in
    `details`) unless `?accept_shortfall=true` confirms it."""
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    published = services.staffing_plan_publish(
        actor=principal, plan=plan, accept_shortfall=payload.accept_shortfall
    )
    return _plan_out(published, principal)


@router.post("/staffing/plans/{plan_id}/shifts", response=ShiftOut)
@raises(Conflict)
def shift_set(request: HttpRequest, plan_id: int, payload: ShiftIn) -> dict[str, object]:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    shift = services.shift_set(
        actor=principal,
        plan=plan,
        staff=selectors.staff_member(fetched_by=principal, staff_id=payload.staff_id),
        date=payload.date,
        start_slot=payload.start_slot,
        end_slot=payload.end_slot,
        lunch_slot=payload.lunch_slot,
    )
    return _shift_out(shift)


@router.delete("/staffing/shifts/{shift_id}", response={204: None})
@raises(Conflict)
def shift_delete(request: HttpRequest, shift_id: int) -> Status[None]:
    principal = request_principal(request)
    services.shift_delete(actor=principal, shift=selectors.shift(fetched_by=principal, shift_id=shift_id))
    return Status(204, None)


@router.get("/staffing/plans/{plan_id}/simulation", response=list[DaySimulationOut])
def plan_simulation(request: HttpRequest, plan_id: int, replications: int = 20) -> list[dict[str, Any]]:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    out: list[dict[str, Any]] = []
    for day in selectors.plan_simulation(fetched_by=principal, plan=plan, replications=replications):
        r = day.result
        out.append(
            {
                "date": day.date,
                "service_level": _estimate(r.service_level) if r else None,
                "mean_wait": _estimate(r.mean_wait) if r else None,
                "abandon_rate": _estimate(r.abandon_rate) if r else None,
                "utilisation": _estimate(r.utilisation) if r else None,
            }
        )
    return out


def _estimate(e: simulate.Estimate) -> dict[str, float]:
    return {"mean": e.mean, "half_width": e.half_width}


def _kpi(k: selectors.Kpi) -> dict[str, object]:
    return {
        "label": k.label,
        "offered": k.offered,
        "answered": k.answered,
        "abandoned": k.abandoned,
        "answer_rate": k.answer_rate,
        "service_level": k.service_level,
        "abandon_rate": k.abandon_rate,
        "aht": k.aht,
    }


@router.get("/staffing/calls/kpis", response=LineDayOut)
def call_kpis(request: HttpRequest, line: str, date: dt.date) -> dict[str, object]:
    day = selectors.call_kpis(fetched_by=request_principal(request), line=line, day=date)
    return {
        "line": day.line,
        "date": day.day,
        "total": _kpi(day.total),
        "intervals": [_kpi(k) for k in day.intervals if k.offered],
    }


@router.post("/staffing/erlang", response=ErlangOut)
def erlang_required(request: HttpRequest, payload: ErlangIn) -> dict[str, object]:
    """Required agents per interval for the given traffic (Erlang A when a patience is given)."""
    from fuwu.staffing import erlang

    try:
        if payload.patience_seconds:
            agents = erlang.required_agents_a(
                payload.traffic,
                payload.aht_seconds,
                payload.patience_seconds,
                answer_rate=payload.answer_rate,
                target_time=payload.target_seconds,
                target_level=payload.target_level,
            )
            level = erlang.erlang_a(
                agents, payload.traffic, payload.aht_seconds, payload.patience_seconds, payload.target_seconds
            )["service_level"]
        else:
            agents = erlang.required_agents(
                payload.traffic, payload.aht_seconds, payload.target_seconds, payload.target_level
            )
            level = erlang.service_level(agents, payload.traffic, payload.aht_seconds, payload.target_seconds)
    except ValueError as exc:
        raise ValidationFailed(str(exc), details=[{"field": "traffic", "reason": str(exc)}]) from exc
    return {"agents": [int(a) for a in agents], "service_level": [float(v) for v in level]}
