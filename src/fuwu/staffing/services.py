"""Every staffing write: plans (forecast + requirement), rosters, shift edits, profiles, call-record imports.

Slow work stays outside transactions: the forecast of a week (up to a year of history) and the CP-SAT roster
solve (up to 10 s) run on a snapshot read without locks; their result is applied in a short transaction
through `states.PLAN.apply` only if the plan is still at the version the work started from, else 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fuwu.core import audit, batches, clock, rollups
from fuwu.core.access import require
from fuwu.core.errors import Conflict, NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.floor import policy as floor_policy
from fuwu.floor.models import Ticket
from fuwu.staffing.models import (
    MAX_AHT_SECONDS,
    MAX_PATIENCE_SECONDS,
    MIN_AHT_SECONDS,
    CallRecord,
    Channel,
    PlanInterval,
    Shift,
    StaffingPlan,
    StaffProfile,
)
from fuwu.staffing.states import PLAN, PLAN_PERMISSION

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from fuwu.staffing import roster

__all__ = ["PLAN_PERMISSION"]

PROFILE_PERMISSION = "staffing.change_staffprofile"
CALLS_PERMISSION = "staffing.add_callrecord"
SLOT_SECONDS = 1800.0

# Called with a stage name ("forecasting", "solving", "applying") as slow work proceeds: a task's progress.
Progress = Callable[[str], None]


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(clock.SHANGHAI).replace(tzinfo=None)


def _arrival_history(
    unit: OrgUnit, channel: str, first: dt.date, last: dt.date, *, day_start: dt.time, slots: int
) -> tuple[list[dt.date], NDArray[np.float64]]:
    """Arrivals per day × 30-minute slot: tickets issued at an outlet, or calls offered on a line."""
    from fuwu.staffing import forecast

    start = dt.datetime.combine(first, dt.time(0), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.SHANGHAI)
    stamps: Iterable[dt.datetime]
    if channel == Channel.BRANCH:
        stamps = (
            # The live simulated day's customers are no demand to staff for (floor.policy.real).
            Ticket.objects.filter(
                floor_policy.real(),
                outlet__path__startswith=unit.path,
                issued_at__gte=start,
                issued_at__lt=end,
            )
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


def _requirement_for(plan: StaffingPlan, arrivals: NDArray[np.float64]) -> NDArray[np.int64]:
    """Servers needed per interval: Erlang A when the plan has a patience, Erlang C otherwise."""
    import numpy as np

    from fuwu.staffing import erlang

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
    # A split-second handle time with a day's patience kept one request computing for minutes (#18).
    if not MIN_AHT_SECONDS <= targets.aht_seconds <= MAX_AHT_SECONDS:
        problems.append({"field": "aht_seconds", "reason": _("Between 5 and 7,200 seconds.")})
    if targets.target_seconds < 0:
        problems.append({"field": "target_seconds", "reason": _("Must not be negative.")})
    if not 0 < targets.target_level < 1:
        problems.append({"field": "target_level", "reason": _("Must be between 0 and 1.")})
    if targets.answer_rate is not None and not 0 < targets.answer_rate < 1:
        problems.append({"field": "answer_rate", "reason": _("Must be between 0 and 1.")})
    if targets.patience_seconds is not None and not 0 < targets.patience_seconds <= MAX_PATIENCE_SECONDS:
        problems.append({"field": "patience_seconds", "reason": _("Between 0 and 1,800 seconds.")})
    if not 1 <= targets.slots <= 48:
        problems.append({"field": "slots", "reason": _("1 to 48 half-hours.")})
    if problems:
        raise ValidationFailed(_("The staffing targets are invalid."), details=problems)


_TARGET_FIELDS = (
    "aht_seconds",
    "target_seconds",
    "target_level",
    "patience_seconds",
    "answer_rate",
    "day_start",
    "slots",
)


@dataclass(frozen=True)
class _WeekForecast:
    model_name: str
    backtest: dict[str, object]
    values: NDArray[np.float64]  # 7 days × slots


def _forecast_week(
    unit: OrgUnit, channel: str, week_start: dt.date, targets: PlanTargets, history_days: int
) -> _WeekForecast:
    """The slow half of a build: read up to a year of arrivals and backtest the models. No transaction."""
    import numpy as np

    from fuwu.staffing import forecast

    last = min(week_start - dt.timedelta(days=1), clock.today())
    days, history = _arrival_history(
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
    if result is None:
        return _WeekForecast("none", {}, np.zeros((7, targets.slots)))
    backtest = result.backtest.as_dict() if result.backtest is not None else {}
    return _WeekForecast(result.model, backtest, result.values)


def _stale(plan: StaffingPlan, seen: int) -> Conflict:
    return Conflict(
        _("The plan was changed while this was being computed; nothing was written. Try again."),
        code="stale_plan",
        details={"status": plan.status, "version": plan.version, "computed_from": seen},
    )


def staffing_plan_build(
    *,
    actor: Principal,
    unit: OrgUnit,
    channel: str,
    week_start: dt.date,
    targets: PlanTargets,
    history_days: int = 364,
    progress: Progress | None = None,
) -> StaffingPlan:
    """Forecast a week per 30 minutes with the best backtested model and size it with Erlang C/A."""
    require(actor, PLAN_PERMISSION, unit=unit)
    _check_targets(targets)
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), details=[{"field": "channel", "reason": channel}])
    if week_start.weekday() != 0:
        raise ValidationFailed(
            _("A plan week starts on a Monday."),
            details=[{"field": "week_start", "reason": _("Not a Monday.")}],
        )
    existing = StaffingPlan.objects.filter(unit=unit, channel=channel, week_start=week_start).first()
    if existing is not None:
        PLAN.check(existing, actor, PLAN.action("build"))  # refuse a published plan before the slow part
    seen = existing.version if existing is not None else None
    if progress is not None:
        progress("forecasting")
    computed = _forecast_week(unit, channel, week_start, targets, history_days)
    if progress is not None:
        progress("applying")

    def write(plan: StaffingPlan) -> StaffingPlan:
        if seen is not None and plan.version != seen:
            raise _stale(plan, seen)
        for name in _TARGET_FIELDS:
            setattr(plan, name, getattr(targets, name))
        plan.model_name, plan.backtest = computed.model_name, computed.backtest
        plan.version += 1
        by(plan, actor).save()
        needed = _requirement_for(plan, computed.values)
        plan.intervals.all().delete()
        PlanInterval.objects.bulk_create(
            PlanInterval(
                plan=plan,
                date=week_start + dt.timedelta(days=d),
                slot=slot,
                forecast=float(computed.values[d, slot]),
                required=int(needed[d, slot]),
            )
            for d in range(7)
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

    if existing is not None:
        return PLAN.apply(existing, "build", actor=actor, effect=write)
    try:
        with transaction.atomic():
            return write(StaffingPlan(unit=unit, channel=channel, week_start=week_start))
    except IntegrityError as exc:  # another build created the same week's plan meanwhile
        raise Conflict(
            _("Someone else built this week's plan meanwhile; open it and build again if needed."),
            code="stale_plan",
        ) from exc


def _rules(plan: StaffingPlan) -> roster.Rules:
    from fuwu.staffing import roster

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


def _requirement_matrix(plan: StaffingPlan) -> NDArray[np.int64]:
    import numpy as np

    need = np.zeros((7, plan.slots), dtype=np.int64)
    for row in plan.intervals.all():
        need[(row.date - plan.week_start).days, row.slot] = row.required
    return need


def staffing_plan_roster(
    *, actor: Principal, plan: StaffingPlan, time_limit: float = 10.0, progress: Progress | None = None
) -> roster.RosterResult:
    """Replace the plan's shifts by a CP-SAT roster of the unit's staff that holds the plan's skill.

    The solve runs on a snapshot of the plan without holding its row lock; its shifts are written only if
    the plan is still at the version the snapshot was read at (else 409 Conflict and nothing changes).
    """
    from fuwu.staffing import roster

    snapshot = StaffingPlan.objects.select_related("unit").filter(pk=plan.pk).first()
    if snapshot is None:
        raise NotFound()
    PLAN.check(snapshot, actor, PLAN.action("roster"))  # access and state before ten seconds of solving
    seen = snapshot.version
    profiles = list(
        StaffProfile.objects.select_related("user").filter(unit=snapshot.unit, user__is_active=True)
    )
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
        if snapshot.channel in p.skill_set
    ]
    rules = _rules(snapshot)
    need = _requirement_matrix(snapshot)
    if progress is not None:
        progress("solving")
    result = roster.solve({snapshot.channel: need}, people, rules, time_limit=time_limit)
    if progress is not None:
        progress("applying")
    users = {str(p.user_id): p.user for p in profiles}

    def write(locked: StaffingPlan) -> None:
        if locked.version != seen:
            raise _stale(locked, seen)
        for old in locked.shifts.all():
            by(old, actor).delete()
        for a in result.assignments:
            by(
                Shift(
                    plan=locked,
                    staff=users[a.person],
                    date=locked.week_start + dt.timedelta(days=a.day),
                    start_slot=a.start,
                    end_slot=a.end,
                    lunch_slot=a.lunch,
                    lunch_slots=rules.lunch_slots,
                    skill=a.skill,
                ),
                actor,
            ).save()
        locked.roster_status = result.status
        locked.version += 1
        audit.record(
            actor=actor,
            action="staffing.plan_roster",
            target=locked,
            org_unit=locked.unit,
            data={
                "status": result.status,
                "shifts": len(result.assignments),
                "cost": result.cost,
                "gap_intervals": int((result.shortfall[locked.channel] > 0).sum()),
                "version": locked.version,
            },
        )

    PLAN.apply(snapshot, "roster", actor=actor, effect=write)
    _copy_state(snapshot, plan)
    return result


def _copy_state(source: StaffingPlan, target: StaffingPlan) -> None:
    if source is not target:
        target.status, target.version, target.roster_status = (
            source.status,
            source.version,
            source.roster_status,
        )


def _check_shift(
    plan: StaffingPlan, staff: User, day: dt.date, start: int, end: int, lunch: int | None
) -> None:
    problems = []
    if not 0 <= (day - plan.week_start).days < 7:
        problems.append({"field": "date", "reason": _("Outside the plan's week.")})
    if not 0 <= start < end <= plan.slots:
        problems.append(
            {
                "field": "end_slot",
                "reason": _("The shift must lie within 0–%(slots)s and end after it starts.")
                % {"slots": plan.slots},
            }
        )
    if lunch is not None and not start < lunch < end - 1:
        problems.append({"field": "lunch_slot", "reason": _("Lunch must fall inside the shift.")})
    profile = StaffProfile.objects.filter(user=staff, unit__path__startswith=plan.unit.path).first()
    # the same people the roster solver may use: active, with a profile here that holds the channel
    if not staff.is_active or profile is None or plan.channel not in profile.skill_set:
        problems.append({"field": "staff", "reason": _("Not rostered here for this channel.")})
    if problems:
        raise ValidationFailed(_("The shift is invalid."), details=problems)


def shift_set(
    *,
    actor: Principal,
    plan: StaffingPlan,
    staff: User,
    date: dt.date,
    start_slot: int,
    end_slot: int,
    lunch_slot: int | None,
) -> Shift:
    """Create or change one person's shift on one day of a draft plan."""

    def write(locked: StaffingPlan) -> Shift:
        _check_shift(locked, staff, date, start_slot, end_slot, lunch_slot)
        shift = Shift.objects.filter(plan=locked, staff=staff, date=date).first() or Shift(
            plan=locked, staff=staff, date=date, skill=locked.channel
        )
        created = shift.pk is None
        shift.start_slot, shift.end_slot, shift.lunch_slot = start_slot, end_slot, lunch_slot
        by(shift, actor).save()
        locked.version += 1
        audit.record(
            actor=actor,
            action="staffing.shift_set",
            target=shift,
            org_unit=locked.unit,
            data={
                "plan": locked.pk,
                "staff": staff.pk,
                "date": date.isoformat(),
                "start_slot": start_slot,
                "end_slot": end_slot,
                "lunch_slot": lunch_slot,
                "created": created,
            },
        )
        return shift

    # The plan row lock (in apply) orders this edit against a concurrent publish or roster write.
    return PLAN.apply(plan, "edit_shifts", actor=actor, effect=write)


def shift_delete(*, actor: Principal, shift: Shift) -> None:
    """Remove a shift from a draft plan."""

    def write(locked: StaffingPlan) -> None:
        # re-read under the plan's lock: `shift` may predate a concurrent publish or re-roster
        current = Shift.objects.filter(pk=shift.pk, plan=locked).first()
        if current is None:
            raise Conflict(_("The shift no longer exists."), details={"status": locked.status})
        # recorded before the delete, which clears the shift's primary key
        audit.record(
            actor=actor,
            action="staffing.shift_delete",
            target=current,
            org_unit=locked.unit,
            data={"plan": locked.pk, "staff": current.staff_id, "date": current.date.isoformat()},
        )
        by(current, actor).delete()
        locked.version += 1

    PLAN.apply(shift.plan, "edit_shifts", actor=actor, effect=write)


# Replications of each day's simulation before publishing: enough to tell a clear miss from the target,
# quick enough to run inside the request (the page's "validate by simulation" runs 20).
PUBLISH_REPLICATIONS = 10


@dataclass(frozen=True)
class DayShortfall:
    """A planned day whose simulated service level misses the plan's target."""

    date: dt.date
    service_level: float
    target: float


def _days_below_target(actor: Principal, plan: StaffingPlan) -> list[DayShortfall]:
    from fuwu.staffing import selectors

    days = selectors.plan_simulation(fetched_by=actor, plan=plan, replications=PUBLISH_REPLICATIONS, seed=0)
    return [
        DayShortfall(d.date, round(d.result.service_level.mean, 3), plan.target_level)
        for d in days
        if d.result is not None and d.result.service_level.mean < plan.target_level
    ]


def staffing_plan_publish(
    *, actor: Principal, plan: StaffingPlan, accept_shortfall: bool = False
) -> StaffingPlan:
    """Publish the roster; a published plan is frozen.

    The roster is simulated first (W4): if any day's service level misses the target, publishing is refused
    with the days and their levels (409 `below_target`) until the publisher confirms with `accept_shortfall`
    — an outlet short of staff still needs a roster (seed 000: 弹性排班 is the manager's call), but never
    one published without its manager seeing that it will not hold the target. The accepted shortfall is
    recorded in the audit row.
    """
    snapshot = StaffingPlan.objects.select_related("unit").filter(pk=plan.pk).first()
    if snapshot is None:
        raise NotFound()
    PLAN.check(snapshot, actor, PLAN.action("publish"))  # access and state before the simulation
    seen = snapshot.version
    short = _days_below_target(actor, snapshot)
    if short and not accept_shortfall:
        raise Conflict(
            _("The simulated service level misses the target on %(n)s day(s); confirm to publish anyway.")
            % {"n": len(short)},
            code="below_target",
            details={
                "days": [
                    {"date": d.date.isoformat(), "service_level": d.service_level, "target": d.target}
                    for d in short
                ]
            },
        )

    def write(locked: StaffingPlan) -> None:
        if locked.version != seen:
            raise _stale(locked, seen)  # the roster changed after it was simulated: check it again
        locked.version += 1
        audit.record(
            actor=actor,
            action="staffing.plan_publish",
            target=locked,
            org_unit=locked.unit,
            data={"below_target": [{"date": d.date.isoformat(), "level": d.service_level} for d in short]}
            if short
            else None,
        )

    PLAN.apply(snapshot, "publish", actor=actor, effect=write)
    _copy_state(snapshot, plan)
    return plan


@transaction.atomic
def staff_profile_set(
    *,
    actor: Principal,
    user: User,
    unit: OrgUnit,
    skills: Iterable[str],
    part_time: bool = False,
    max_days: int = 5,
    max_hours: int = 40,
    hourly_cost: int = 100,
) -> StaffProfile:
    """Record how a staff member may be rostered."""
    require(actor, PROFILE_PERMISSION, unit=unit)
    if user.org_unit is not None:
        require(actor, PROFILE_PERMISSION, unit=user.org_unit)
    skill_list = sorted({s.strip() for s in skills if s.strip()})
    unknown = [s for s in skill_list if s not in Channel.values]
    problems = [
        {"field": "skills", "reason": _("Unknown channel: %(channel)s") % {"channel": s}} for s in unknown
    ]
    if not skill_list:
        problems.append({"field": "skills", "reason": _("Choose at least one channel.")})
    if not 1 <= max_days <= 7:
        problems.append({"field": "max_days", "reason": _("1 to 7 days.")})
    if not 1 <= max_hours <= 60:
        problems.append({"field": "max_hours", "reason": _("1 to 60 hours.")})
    if problems:
        raise ValidationFailed(_("The rostering profile is invalid."), details=problems)
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
    customer_id: int | None = None  # the caller, when the import matched them to a customer


@transaction.atomic
def call_records_import(*, actor: Principal, centre: OrgUnit, rows: Sequence[CallRow]) -> int:
    """Store validated call records in one transaction; a call id seen before is a row error."""
    require(actor, CALLS_PERMISSION, unit=centre)
    _refuse_imported([r.call_id for r in rows])
    CallRecord.objects.bulk_create(_record(centre, r, batch=None) for r in rows)
    _calls_imported(actor=actor, centre=centre, rows=rows)
    return len(rows)


def call_records_import_batch(
    *, actor: Principal, grouped: Mapping[OrgUnit, Sequence[CallRow]], file_name: str
) -> int:
    """Store a large file's validated call records (rows per centre) in short transactions as one import batch
    that readers see only once it is published (core.batches, #18), so the floor keeps its turn at the
    database meanwhile; a failed run deletes what it wrote. A call id seen before refuses the whole file."""
    for centre in grouped:
        require(actor, CALLS_PERMISSION, unit=centre)
    batches.import_batches_discard_stale(actor=actor, kind="calls", tables=(CallRecord,))
    _refuse_imported([r.call_id for rows in grouped.values() for r in rows])
    flat = [(centre, row) for centre, rows in grouped.items() for row in rows]
    batch = batches.import_batch_start(actor=actor, kind="calls", file_name=file_name)
    try:
        for part in batches.chunks(flat):
            # Built before the transaction opens, so the write lock is held for the insert alone.
            records = [_record(centre, row, batch=batch) for centre, row in part]
            with transaction.atomic():
                CallRecord.objects.bulk_create(records)
        with transaction.atomic():
            batches.import_batch_publish(actor=actor, batch=batch)
            for centre, rows in grouped.items():
                _calls_imported(actor=actor, centre=centre, rows=rows)
    except BaseException:
        # Interrupted too (Ctrl-C): what was written stays invisible, and goes.
        batches.import_batch_discard(actor=actor, batch=batch, tables=(CallRecord,))
        raise
    return len(flat)


def _refuse_imported(call_ids: Sequence[str]) -> None:
    # A call id a running (unpublished) import holds is taken too.
    existing = batches.stored(CallRecord, "call_id", call_ids)
    if existing:
        raise ValidationFailed(
            _("Some calls were imported before."),
            details=[
                {"field": "call_id", "reason": _("Already imported: %(call)s") % {"call": c}}
                for c in existing
            ],
        )


def _record(centre: OrgUnit, r: CallRow, *, batch: ImportBatch | None) -> CallRecord:
    return CallRecord(
        centre=centre,
        call_id=r.call_id,
        line=r.line,
        offered_at=r.offered_at,
        answered_at=r.answered_at,
        ended_at=r.ended_at,
        abandoned_at=r.abandoned_at,
        agent=r.agent,
        customer_id=r.customer_id,
        import_batch=batch,
    )


def _calls_imported(*, actor: Principal, centre: OrgUnit, rows: Sequence[CallRow]) -> None:
    # Imported calls are back-dated: queue their days so the next rollup sweep builds the call measures
    # (once the rows are visible: a sweep before publishing would find the days empty and mark them done).
    rollups.mark_dirty(actor=actor, pairs={(centre.pk, clock.business_date(r.offered_at)) for r in rows})
    audit.record(
        actor=actor,
        action="staffing.calls_import",
        org_unit=centre,
        data={"rows": len(rows), "lines": sorted({r.line for r in rows})},
    )


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
        raise ValidationFailed(_("Unknown channel."), details=[{"field": "channel", "reason": channel}])
    return replace(
        targets,
        target_level=targets.target_level if target_level is None else target_level,
        target_seconds=targets.target_seconds if target_seconds is None else target_seconds,
        aht_seconds=targets.aht_seconds if aht_seconds is None else aht_seconds,
    )
