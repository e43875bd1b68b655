"""Every staffing write: plans (forecast + requirement), rosters, shift edits, profiles, call-record imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.db import transaction

from fuwu.core import audit, clock
from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal
from fuwu.floor.models import Ticket
from fuwu.measures.services import rollup_mark_dirty
from fuwu.staffing import erlang, forecast, roster
from fuwu.staffing.models import (
    CallRecord,
    Channel,
    PlanInterval,
    Shift,
    StaffingPlan,
    StaffProfile,
)

PLAN_PERMISSION = "staffing.change_staffingplan"
SLOT_SECONDS = 1800.0


def _require(actor: Any, permission: str) -> None:
    if actor is None:  # system jobs (demo, CLI imports)
        return
    if isinstance(actor, DevicePrincipal) or not actor.has_perm(permission):
        raise Forbidden("Your role may not change staffing plans.")


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(clock.SHANGHAI).replace(tzinfo=None)


def arrival_history(
    unit: OrgUnit, channel: str, first: dt.date, last: dt.date, *, day_start: dt.time, slots: int
) -> tuple[list[dt.date], np.ndarray]:
    """Arrivals per day × 30-minute slot: tickets issued at an outlet, or calls offered on a line."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.SHANGHAI)
    stamps: Iterable[dt.datetime]
    if channel == Channel.BRANCH:
        stamps = (
            Ticket.objects.filter(outlet__path__startswith=unit.path, issued_at__gte=start, issued_at__lt=end)
            .values_list("issued_at", flat=True)
            .iterator()
        )
    else:
        stamps = (
            CallRecord.objects.filter(
                centre__path__startswith=unit.path, line=channel, offered_at__gte=start, offered_at__lt=end
            )
            .values_list("offered_at", flat=True)
            .iterator()
        )
    return forecast.counts_matrix([_local(s) for s in stamps], first, last, day_start=day_start, slots=slots)


def requirement_for(plan: StaffingPlan, arrivals: np.ndarray) -> np.ndarray:
    """Servers needed per interval: Erlang A when the plan has a patience, Erlang C otherwise."""
    traffic = np.asarray(arrivals, dtype=np.float64) * plan.aht_seconds / SLOT_SECONDS
    if plan.patience_seconds:
        return erlang.required_agents_a(
            traffic,
            plan.aht_seconds,
            plan.patience_seconds,
            answer_rate=plan.answer_rate,
            target_time=plan.target_seconds,
            target_level=plan.target_level,
        )
    return erlang.required_agents(traffic, plan.aht_seconds, plan.target_seconds, plan.target_level)


@dataclass(frozen=True)
class PlanTargets:
    aht_seconds: float
    target_seconds: float
    target_level: float
    patience_seconds: float | None = None
    answer_rate: float | None = None
    day_start: dt.time = dt.time(9, 0)
    slots: int = 16


def _check_targets(targets: PlanTargets) -> None:
    problems = []
    if targets.aht_seconds <= 0:
        problems.append({"field": "aht_seconds", "reason": "must be positive"})
    if targets.target_seconds < 0:
        problems.append({"field": "target_seconds", "reason": "must not be negative"})
    if not 0 < targets.target_level < 1:
        problems.append({"field": "target_level", "reason": "must be between 0 and 1"})
    if targets.answer_rate is not None and not 0 < targets.answer_rate < 1:
        problems.append({"field": "answer_rate", "reason": "must be between 0 and 1"})
    if targets.patience_seconds is not None and targets.patience_seconds <= 0:
        problems.append({"field": "patience_seconds", "reason": "must be positive"})
    if not 1 <= targets.slots <= 48:
        problems.append({"field": "slots", "reason": "1 to 48 half-hours"})
    if problems:
        raise ValidationFailed("The staffing targets are invalid.", details=problems)


@transaction.atomic
def staffing_plan_build(
    *,
    actor: Any,
    unit: OrgUnit,
    channel: str,
    week_start: dt.date,
    targets: PlanTargets,
    history_days: int = 364,
) -> StaffingPlan:
    """Forecast a week per 30 minutes with the best backtested model and size it with Erlang C/A."""
    _require(actor, PLAN_PERMISSION)
    _check_targets(targets)
    if channel not in Channel.values:
        raise ValidationFailed("Unknown channel.", details=[{"field": "channel", "reason": channel}])
    if week_start.weekday() != 0:
        raise ValidationFailed(
            "A plan week starts on a Monday.", details=[{"field": "week_start", "reason": "not a Monday"}]
        )
    plan = (
        StaffingPlan.objects.select_for_update()
        .filter(unit=unit, channel=channel, week_start=week_start)
        .first()
    )
    if plan is not None and plan.status == StaffingPlan.Status.PUBLISHED:
        raise Conflict("The plan is published.", details={"status": plan.status})
    if plan is None:
        plan = StaffingPlan(unit=unit, channel=channel, week_start=week_start)
    for name in (
        "aht_seconds",
        "target_seconds",
        "target_level",
        "patience_seconds",
        "answer_rate",
        "day_start",
        "slots",
    ):
        setattr(plan, name, getattr(targets, name))
    last = min(week_start - dt.timedelta(days=1), clock.today())
    days, history = arrival_history(
        unit,
        channel,
        last - dt.timedelta(days=history_days - 1),
        last,
        day_start=targets.day_start,
        slots=targets.slots,
    )
    # drop the leading days before the first arrival so a young outlet is not fitted on empty months
    first_row = int(np.argmax(history.sum(axis=1) > 0)) if history.any() else len(days)
    days, history = days[first_row:], history[first_row:]
    week = [week_start + dt.timedelta(days=i) for i in range(7)]
    result = forecast.forecast(days, history, week) if days else None
    values = result.values if result is not None else np.zeros((7, targets.slots))
    plan.model_name = result.model if result is not None else "none"
    plan.backtest = result.backtest.as_dict() if result is not None and result.backtest is not None else {}
    by(plan, actor).save()
    needed = requirement_for(plan, values)
    plan.intervals.all().delete()
    PlanInterval.objects.bulk_create(
        PlanInterval(
            plan=plan, date=day, slot=slot, forecast=float(values[d, slot]), required=int(needed[d, slot])
        )
        for d, day in enumerate(week)
        for slot in range(targets.slots)
    )
    audit.record(
        actor=actor,
        action="staffing.plan_build",
        target=plan,
        org_unit=unit,
        data={"model": plan.model_name, "week": week_start.isoformat(), "channel": channel},
    )
    return plan


def _rules(plan: StaffingPlan) -> roster.Rules:
    full = min(16, plan.slots)
    # long call-centre days: shifts start on the hour, which halves the model without losing real options
    starts = tuple(range(0, plan.slots - full + 1, 2)) if plan.slots > 20 else None
    return roster.Rules(
        start_slots=starts,
        slots=plan.slots,
        full_slots=full,
        part_slots=min(8, plan.slots),
        lunch_slots=2 if full >= 12 else 0,
        lunch_earliest=min(5, full),
        lunch_latest=min(9, full),
    )


def _requirement_matrix(plan: StaffingPlan) -> np.ndarray:
    need = np.zeros((7, plan.slots), dtype=np.int64)
    for row in plan.intervals.all():
        need[(row.date - plan.week_start).days, row.slot] = row.required
    return need


def _ensure_draft(plan: StaffingPlan) -> None:
    if plan.status != StaffingPlan.Status.DRAFT:
        raise Conflict("The plan is published; it can no longer be changed.", details={"status": plan.status})


@transaction.atomic
def staffing_plan_roster(*, actor: Any, plan: StaffingPlan, time_limit: float = 10.0) -> roster.RosterResult:
    """Replace the plan's shifts by a CP-SAT roster of the unit's staff that holds the plan's skill."""
    _require(actor, PLAN_PERMISSION)
    plan = StaffingPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_draft(plan)
    profiles = list(StaffProfile.objects.select_related("user").filter(unit=plan.unit, user__is_active=True))
    people = [
        roster.Person(
            key=str(p.user_id),
            skills=p.skill_set,
            part_time=p.part_time,
            max_days=p.max_days,
            max_slots=p.max_hours * 2,
            cost_per_slot=max(1, p.hourly_cost // 2),
        )
        for p in profiles
        if plan.channel in p.skill_set
    ]
    rules = _rules(plan)
    result = roster.solve({plan.channel: _requirement_matrix(plan)}, people, rules, time_limit=time_limit)
    for old in plan.shifts.all():
        by(old, actor).delete()
    users = {str(p.user_id): p.user for p in profiles}
    for a in result.assignments:
        by(
            Shift(
                plan=plan,
                staff=users[a.person],
                date=plan.week_start + dt.timedelta(days=a.day),
                start_slot=a.start,
                end_slot=a.end,
                lunch_slot=a.lunch,
                lunch_slots=rules.lunch_slots,
                skill=a.skill,
            ),
            actor,
        ).save()
    plan.roster_status = result.status
    by(plan, actor).save()
    audit.record(
        actor=actor,
        action="staffing.plan_roster",
        target=plan,
        org_unit=plan.unit,
        data={
            "status": result.status,
            "shifts": len(result.assignments),
            "cost": result.cost,
            "gap_intervals": int((result.shortfall[plan.channel] > 0).sum()),
        },
    )
    return result


def _check_shift(
    plan: StaffingPlan, staff: User, day: dt.date, start: int, end: int, lunch: int | None
) -> None:
    problems = []
    if not 0 <= (day - plan.week_start).days < 7:
        problems.append({"field": "date", "reason": "outside the plan week"})
    if not 0 <= start < end <= plan.slots:
        problems.append(
            {
                "field": "end_slot",
                "reason": f"the shift must lie within 0–{plan.slots} and end after it starts",
            }
        )
    if lunch is not None and not start < lunch < end - 1:
        problems.append({"field": "lunch_slot", "reason": "lunch must fall inside the shift"})
    profile = StaffProfile.objects.filter(user=staff, unit__path__startswith=plan.unit.path).first()
    # the same people the roster solver may use: active, with a profile here that holds the channel
    if not staff.is_active or profile is None or plan.channel not in profile.skill_set:
        problems.append({"field": "staff", "reason": "not rostered here for this channel"})
    if problems:
        raise ValidationFailed("The shift is invalid.", details=problems)


@transaction.atomic
def shift_set(
    *,
    actor: Any,
    plan: StaffingPlan,
    staff: User,
    date: dt.date,
    start_slot: int,
    end_slot: int,
    lunch_slot: int | None,
) -> Shift:
    """Create or change one person's shift on one day of a draft plan."""
    _require(actor, PLAN_PERMISSION)
    plan = StaffingPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_draft(plan)
    _check_shift(plan, staff, date, start_slot, end_slot, lunch_slot)
    shift = Shift.objects.filter(plan=plan, staff=staff, date=date).first() or Shift(
        plan=plan, staff=staff, date=date, skill=plan.channel
    )
    created = shift.pk is None
    shift.start_slot, shift.end_slot, shift.lunch_slot = start_slot, end_slot, lunch_slot
    by(shift, actor).save()
    audit.record(
        actor=actor,
        action="staffing.shift_set",
        target=shift,
        org_unit=plan.unit,
        data={
            "plan": plan.pk,
            "staff": staff.pk,
            "date": date.isoformat(),
            "start_slot": start_slot,
            "end_slot": end_slot,
            "lunch_slot": lunch_slot,
            "created": created,
        },
    )
    return shift


@transaction.atomic
def shift_delete(*, actor: Any, shift: Shift) -> None:
    """Remove a shift from a draft plan."""
    _require(actor, PLAN_PERMISSION)
    # lock and re-read the plan as shift_set does: `shift.plan` may predate a concurrent publish
    plan = StaffingPlan.objects.select_for_update().get(pk=shift.plan_id)
    _ensure_draft(plan)
    # recorded before the delete, which clears the shift's primary key
    audit.record(
        actor=actor,
        action="staffing.shift_delete",
        target=shift,
        org_unit=plan.unit,
        data={"plan": plan.pk, "staff": shift.staff_id, "date": shift.date.isoformat()},
    )
    by(shift, actor).delete()


@transaction.atomic
def staffing_plan_publish(*, actor: Any, plan: StaffingPlan) -> StaffingPlan:
    """Publish the roster; a published plan is frozen."""
    _require(actor, PLAN_PERMISSION)
    plan = StaffingPlan.objects.select_for_update().get(pk=plan.pk)
    _ensure_draft(plan)
    plan.status = StaffingPlan.Status.PUBLISHED
    by(plan, actor).save()
    audit.record(actor=actor, action="staffing.plan_publish", target=plan, org_unit=plan.unit)
    return plan


@transaction.atomic
def staff_profile_set(
    *,
    actor: Any,
    user: User,
    unit: OrgUnit,
    skills: Iterable[str],
    part_time: bool = False,
    max_days: int = 5,
    max_hours: int = 40,
    hourly_cost: int = 100,
) -> StaffProfile:
    """Record how a staff member may be rostered."""
    _require(actor, PLAN_PERMISSION)
    skill_list = sorted({s.strip() for s in skills if s.strip()})
    unknown = [s for s in skill_list if s not in Channel.values]
    if unknown or not skill_list or not 1 <= max_days <= 7 or not 1 <= max_hours <= 60:
        raise ValidationFailed(
            "The rostering profile is invalid.",
            details=[{"field": "skills", "reason": f"unknown: {s}"} for s in unknown]
            or [{"field": "skills", "reason": "check skills, max days (1–7) and max hours (1–60)"}],
        )
    profile = StaffProfile.objects.filter(user=user).first() or StaffProfile(user=user)
    profile.unit, profile.skills, profile.part_time = unit, ",".join(skill_list), part_time
    profile.max_days, profile.max_hours, profile.hourly_cost = max_days, max_hours, hourly_cost
    by(profile, actor).save()
    audit.record(
        actor=actor,
        action="staffing.profile_set",
        target=profile,
        org_unit=unit,
        data={
            "user": user.pk,
            "skills": skill_list,
            "part_time": part_time,
            "max_days": max_days,
            "max_hours": max_hours,
            "hourly_cost": hourly_cost,
        },
    )
    return profile


@dataclass(frozen=True)
class CallRow:
    call_id: str
    line: str
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    abandoned_at: dt.datetime | None
    agent: str


@transaction.atomic
def call_records_import(*, actor: Any, centre: OrgUnit, rows: Sequence[CallRow]) -> int:
    """Store validated call records in one transaction; a call id seen before is a row error."""
    existing = set(
        CallRecord.objects.filter(call_id__in=[r.call_id for r in rows]).values_list("call_id", flat=True)
    )
    if existing:
        raise ValidationFailed(
            "Some calls were imported before.",
            details=[{"field": "call_id", "reason": f"already imported: {c}"} for c in sorted(existing)],
        )
    CallRecord.objects.bulk_create(
        CallRecord(
            centre=centre,
            call_id=r.call_id,
            line=r.line,
            offered_at=r.offered_at,
            answered_at=r.answered_at,
            ended_at=r.ended_at,
            abandoned_at=r.abandoned_at,
            agent=r.agent,
        )
        for r in rows
    )
    # Imported calls are back-dated: queue their days so the next rollup sweep builds the call measures.
    rollup_mark_dirty(actor=actor, pairs={(centre.pk, clock.business_date(r.offered_at)) for r in rows})
    audit.record(
        actor=actor,
        action="staffing.calls_import",
        org_unit=centre,
        data={"rows": len(rows), "lines": sorted({r.line for r in rows})},
    )
    return len(rows)


# Targets from the seeds: branch wait within 15 minutes for 80 %; 95599 answer rate 90 % and 60 % in 20 s.
DEFAULT_TARGETS: dict[str, PlanTargets] = {
    Channel.BRANCH: PlanTargets(aht_seconds=300.0, target_seconds=900.0, target_level=0.8),
    Channel.HOTLINE: PlanTargets(
        aht_seconds=240.0,
        target_seconds=20.0,
        target_level=0.6,
        patience_seconds=90.0,
        answer_rate=0.9,
        day_start=dt.time(8, 0),
        slots=28,
    ),
    Channel.CREDIT_CARD: PlanTargets(
        aht_seconds=300.0,
        target_seconds=20.0,
        target_level=0.6,
        patience_seconds=120.0,
        answer_rate=0.9,
        day_start=dt.time(8, 0),
        slots=28,
    ),
}


def plan_targets(
    channel: str,
    *,
    target_level: float | None = None,
    target_seconds: float | None = None,
    aht_seconds: float | None = None,
) -> PlanTargets:
    """The channel's default targets with the ones given replacing them (the page and the API share this)."""
    targets = DEFAULT_TARGETS.get(channel)
    if targets is None:
        raise ValidationFailed("Unknown channel.", details=[{"field": "channel", "reason": channel}])
    return replace(
        targets,
        target_level=targets.target_level if target_level is None else target_level,
        target_seconds=targets.target_seconds if target_seconds is None else target_seconds,
        aht_seconds=targets.aht_seconds if aht_seconds is None else aht_seconds,
    )
