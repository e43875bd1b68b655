"""Every write of the measures app: rollup builds (full and incremental) and targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fuwu.complaints.models import Complaint
from fuwu.core import audit, clock, history
from fuwu.core.errors import Forbidden, ValidationFailed
from fuwu.core.models import OrgUnit
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.feedback.models import Evaluation, FeedbackItem
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.measures import catalogue, facts, rollups
from fuwu.measures.models import DirtyDay, Rollup, RollupState, Target
from fuwu.staffing.models import CallRecord

TARGET_PERMISSION = "measures.change_target"

# Facts committed a little after their timestamps (long transactions) are still caught by the next sweep.
SLACK = dt.timedelta(minutes=5)
CHUNK_DAYS = 31


def _months(start: dt.date, end: dt.date) -> Iterable[tuple[dt.date, dt.date]]:
    lo = start
    while lo <= end:
        hi = min(end, lo + dt.timedelta(days=CHUNK_DAYS - 1))
        yield lo, hi
        lo = hi + dt.timedelta(days=1)


def _read_order(key: rollups.RowKey) -> tuple[str, int, dt.date, str]:
    unit, day, cut, part_key = key
    return cut, unit, day, part_key


def _write(start: dt.date, end: dt.date, units: list[OrgUnit] | None) -> int:
    acc = rollups.accumulate(
        facts.ticket_rows(start, end, units),
        facts.complaint_rows(start, end, units),
        start,
        end,
        facts.feedback_rows(start, end, units),
        facts.call_rows(start, end, units),
    )
    stale = Rollup.objects.filter(date__range=(start, end))
    if units is not None:
        stale = stale.filter(unit__in=units)
    stale.delete()
    built_at = clock.now()
    # Written in (cut, unit, date) order, the order dashboards read them in, so a unit's days share pages.
    Rollup.objects.bulk_create(
        (
            Rollup(unit_id=unit, date=day, cut=cut, key=key, built_at=built_at, **parts)
            for (unit, day, cut, key), parts in sorted(acc.items(), key=lambda item: _read_order(item[0]))
        ),
        batch_size=2000,
    )
    return len(acc)


@transaction.atomic
def rollup_rebuild(
    *, actor: Any, start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> int:
    """Rebuild the daily rollups of business dates start..end (all units, or only `units`); returns rows."""
    if end < start:
        raise ValidationFailed(
            "The range ends before it starts.", details=[{"field": "end", "reason": "before start"}]
        )
    unit_list = list(units) if units is not None else None
    rows = sum(_write(lo, hi, unit_list) for lo, hi in _months(start, end))
    DirtyDay.objects.filter(
        date__range=(start, end), **({"unit__in": unit_list} if unit_list is not None else {})
    ).delete()
    audit.record(
        actor=actor,
        action="measures.rollup_rebuild",
        data={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "units": [u.code for u in unit_list or []],
            "rows": rows,
        },
    )
    return rows


def fact_dates() -> tuple[dt.date, dt.date] | None:
    """The first and last business dates any fact falls on (None when there are no facts)."""
    days = [
        d
        for d in (
            Ticket.objects.order_by("business_date").values_list("business_date", flat=True).first(),
            Ticket.objects.order_by("-business_date").values_list("business_date", flat=True).first(),
        )
        if d is not None
    ]
    for order in ("offered_at", "-offered_at"):
        offered = CallRecord.objects.order_by(order).values_list("offered_at", flat=True).first()
        if offered is not None:
            days.append(clock.business_date(offered))
    for field in ("received_at", "closed_at"):
        for order in (field, f"-{field}"):
            moment = (
                Complaint.objects.exclude(**{field: None})
                .order_by(order)
                .values_list(field, flat=True)
                .first()
            )
            if moment is not None:
                days.append(clock.business_date(moment))
    return (min(days), max(days)) if days else None


@transaction.atomic
def rollup_rebuild_all(*, actor: Any) -> int:
    """Rebuild every rollup from the first to the last fact (first run, or after a change of definitions)."""
    span = fact_dates()
    if span is None:
        Rollup.objects.all().delete()
        return 0
    Rollup.objects.exclude(date__range=span).delete()
    return rollup_rebuild(actor=actor, start=span[0], end=span[1])


@transaction.atomic
def rollup_mark_dirty(*, actor: Any, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (unit id, business date) pairs for the next incremental build (back-dated imports, corrections)."""
    wanted = set(pairs)
    DirtyDay.objects.bulk_create([DirtyDay(unit_id=u, date=d) for u, d in wanted], ignore_conflicts=True)
    return len(wanted)


def _touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    touched: set[tuple[int, dt.date]] = set()
    recent = (
        Q(issued_at__gte=since)
        | Q(called_at__gte=since)
        | Q(started_at__gte=since)
        | Q(finished_at__gte=since)
    )
    touched.update(Ticket.objects.filter(recent).values_list("outlet_id", "business_date").distinct())
    touched.update(
        TicketEvent.objects.filter(at__gte=since)
        .values_list("ticket__outlet_id", "ticket__business_date")
        .distinct()
    )
    touched.update(
        Evaluation.objects.filter(at__gte=since)
        .values_list("ticket__outlet_id", "ticket__business_date")
        .distinct()
    )
    changed = Complaint.history.filter(history_date__gte=since).values_list(
        "outlet_id", "received_at", "closed_at"
    )
    for unit, received_at, closed_at in changed:
        touched.add((unit, clock.business_date(received_at)))
        if closed_at is not None:
            touched.add((unit, clock.business_date(closed_at)))
    calls = CallRecord.objects.filter(
        Q(offered_at__gte=since)
        | Q(answered_at__gte=since)
        | Q(ended_at__gte=since)
        | Q(abandoned_at__gte=since)
    )
    for unit, offered_at in calls.values_list("centre_id", "offered_at"):
        touched.add((unit, clock.business_date(offered_at)))
    replied = FeedbackItem.history.filter(history_date__gte=since, replied_at__isnull=False)
    for unit, replied_at in replied.values_list("outlet_id", "replied_at"):
        touched.add((unit, clock.business_date(replied_at)))
    touched.update(DirtyDay.objects.values_list("unit_id", "date"))
    return touched


@transaction.atomic
def rollup_refresh(*, actor: Principal) -> int:
    """Incremental build: rebuild every (unit, day) touched since the last run; the first run builds all."""
    state, _ = RollupState.objects.select_for_update().get_or_create(name="default")
    started = clock.now()
    if state.watermark is None:
        rows = rollup_rebuild_all(actor=actor)
    else:
        by_unit: dict[int, list[dt.date]] = defaultdict(list)
        for unit, day in _touched_since(state.watermark - SLACK):
            by_unit[unit].append(day)
        rows = 0
        for unit_id, days in by_unit.items():
            unit = OrgUnit.objects.get(pk=unit_id)
            for day in sorted(set(days)):
                rows += _write(day, day, [unit])
            DirtyDay.objects.filter(unit=unit, date__in=days).delete()
    state.watermark = started
    state.save(update_fields=["watermark"])
    return rows


def may_change_targets(actor: Any) -> bool:
    """Whether `actor` may set or remove targets; the targets page asks this to offer the form."""
    if actor is None:  # system jobs (demo, CLI)
        return True
    return not isinstance(actor, DevicePrincipal) and actor.has_perm(TARGET_PERMISSION)


def _require_target_permission(actor: Any) -> None:
    if not may_change_targets(actor):
        raise Forbidden(_("Your role may not set targets."))


@transaction.atomic
def target_set(
    *,
    actor: Any,
    measure: str,
    unit: OrgUnit,
    baseline: float,
    value: float,
    start_date: dt.date,
    due_date: dt.date,
    note: str = "",
) -> Target:
    """Create or change the target of `measure` at `unit` due on `due_date`."""
    _require_target_permission(actor)
    problems = []
    if measure not in catalogue.BY_ID:
        problems.append({"field": "measure", "reason": f"unknown measure {measure!r}"})
    if due_date <= start_date:
        problems.append({"field": "due_date", "reason": "must be after the start date"})
    if baseline == value:
        problems.append({"field": "value", "reason": "equals the baseline: nothing to reach"})
    if problems:
        raise ValidationFailed("The target is not valid.", details=problems)
    target = Target.objects.filter(measure=measure, unit=unit, due_date=due_date).first() or Target(
        measure=measure,
        unit=unit,
        due_date=due_date,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    target.baseline, target.value, target.start_date, target.note = baseline, value, start_date, note
    history.by(target, actor)
    target.save()
    audit.record(
        actor=actor,
        action="measures.target_set",
        target=target,
        org_unit=unit,
        data={"measure": measure, "value": value, "due_date": due_date.isoformat()},
    )
    return target


@transaction.atomic
def target_delete(*, actor: Any, target: Target) -> None:
    """Remove a target (its history stays)."""
    _require_target_permission(actor)
    audit.record(
        actor=actor,
        action="measures.target_delete",
        target=target,
        org_unit=target.unit,
        data={"measure": target.measure, "due_date": target.due_date.isoformat()},
    )
    history.by(target, actor)
    target.delete()
