"""Every write of the measures app: rollup builds (full and incremental) and targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fuwu.complaints.models import Complaint
from fuwu.core import audit, clock, history, pii
from fuwu.core.access import require
from fuwu.core.errors import ValidationFailed
from fuwu.core.facts import fact_tables
from fuwu.core.inputs import parse
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible
from fuwu.feedback.models import Evaluation, FeedbackItem
from fuwu.floor import policy as floor_policy
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.measures import catalogue, facts, rollups
from fuwu.measures.models import DirtyDay, Rollup, RollupState, Target
from fuwu.measures.schemas import TargetIn

TARGET_PERMISSION = "measures.change_target"
# Rebuilding rollups is the platform's job (sweeps, imports, the demo): no staff role holds it.
ROLLUP_PERMISSION = "measures.change_rollup"

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
        facts.hooked_rows("inspections", start, end, units),
        facts.hooked_rows("rectifications", start, end, units),
        facts.hooked_rows("training", start, end, units),
        facts.hooked_rows("language", start, end, units),
        facts.hooked_rows("approval_steps", start, end, units),
        facts.suggestion_rows(start, end, units),
        facts.compliment_rows(start, end, units),
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
    *, actor: Principal, start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> int:
    """Rebuild the daily rollups of business dates start..end (all units, or only `units`); returns rows."""
    require(actor, ROLLUP_PERMISSION)
    if end < start:
        raise ValidationFailed(
            _("The range ends before it starts."),
            details=[{"field": "end", "reason": _("Before the start.")}],
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


@transaction.atomic
def rollup_rebuild_all(*, actor: Principal) -> int:
    """Rebuild every rollup from the first to the last fact (first run, or after a change of definitions)."""
    require(actor, ROLLUP_PERMISSION)
    span = facts.fact_dates()
    if span is None:
        Rollup.objects.all().delete()
        return 0
    Rollup.objects.exclude(date__range=span).delete()
    return rollup_rebuild(actor=actor, start=span[0], end=span[1])


def _touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    touched: set[tuple[int, dt.date]] = set()
    recent = (
        Q(issued_at__gte=since)
        | Q(called_at__gte=since)
        | Q(started_at__gte=since)
        | Q(finished_at__gte=since)
    )
    # The live simulated day's tickets count in no measure (floor.policy.real): they touch no rollup.
    touched.update(
        Ticket.objects.filter(recent, floor_policy.real())
        .values_list("outlet_id", "business_date")
        .distinct()
    )
    touched.update(
        TicketEvent.objects.filter(floor_policy.real("ticket__"), at__gte=since)
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
    for table in fact_tables().values():  # other apps' facts (the contact centre's calls)
        touched.update(table.touched_since(since))
    replied = FeedbackItem.history.filter(history_date__gte=since, replied_at__isnull=False)
    for unit, replied_at in replied.values_list("outlet_id", "replied_at"):
        touched.add((unit, clock.business_date(replied_at)))
    touched.update(DirtyDay.objects.values_list("unit_id", "date"))
    return touched


@transaction.atomic
def rollup_refresh(*, actor: Principal) -> int:
    """Incremental build: rebuild every (unit, day) touched since the last run; the first run builds all."""
    require(actor, ROLLUP_PERMISSION)
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


@transaction.atomic
def target_set(
    *,
    actor: Principal,
    measure: str,
    unit: OrgUnit,
    baseline: float,
    value: float,
    start_date: dt.date,
    due_date: dt.date,
    note: str = "",
) -> Target:
    """Create or change the target of `measure` at `unit` due on `due_date`."""
    require(actor, TARGET_PERMISSION, unit=unit, message=_("Your role may not set targets."))
    problems = []
    if measure not in catalogue.BY_ID:
        problems.append({"field": "measure", "reason": _("Unknown measure.")})
    if due_date <= start_date:
        problems.append({"field": "due_date", "reason": _("Must be after the start date.")})
    if baseline == value:
        problems.append({"field": "value", "reason": _("Equals the baseline: nothing to reach.")})
    if problems:
        raise ValidationFailed(_("The target is not valid."), details=problems)
    target = Target.objects.filter(measure=measure, unit=unit, due_date=due_date).first() or Target(
        measure=measure,
        unit=unit,
        due_date=due_date,
        created_by=actor if isinstance(actor, User) else None,
    )
    # The note is free text like every other: a number typed into it is kept masked (#18).
    target.baseline, target.value, target.start_date, target.note = (
        baseline,
        value,
        start_date,
        pii.scrub(note),
    )
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
def target_delete(*, actor: Principal, target: Target) -> None:
    """Remove a target (its history stays)."""
    require(actor, TARGET_PERMISSION, unit=target.unit, message=_("Your role may not set targets."))
    audit.record(
        actor=actor,
        action="measures.target_delete",
        target=target,
        org_unit=target.unit,
        data={"measure": target.measure, "due_date": target.due_date.isoformat()},
    )
    history.by(target, actor)
    target.delete()


def target_set_from_form(*, actor: Principal, form: Mapping[str, Any]) -> Target:
    """The targets page's POST: permission first (a teller gets 403 whatever they typed), then the schema."""
    require(actor, TARGET_PERMISSION, message=_("Your role may not set targets."))
    data = parse(TargetIn, form)
    unit = get_visible(OrgUnit.objects.all(), actor, code=data.unit_code)
    return target_set(
        actor=actor,
        measure=data.measure,
        unit=unit,
        baseline=data.baseline,
        value=data.value,
        start_date=data.start_date,
        due_date=data.due_date,
        note=data.note,
    )
