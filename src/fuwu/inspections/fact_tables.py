"""The supervision facts for the measure catalogue (K1; S2–S3), found through `core.discovery`.

Two tables, in the columnar schemas `measures.facts` declares for them: "inspections" (one row per submitted
inspection, its score as it stands now and its findings not removed on appeal) and "rectifications" (one
row per ledger task of any source, with the business dates of its events). What the rows mean — scores,
on-time rates, open and overdue balances — is defined once, in the measures catalogue; this module only
reads the rows, so the measures app never imports this app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, Q

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit
from fuwu.inspections.models import Finding, Inspection, RectificationTask

ONE_DAY = dt.timedelta(days=1)


def _unit_ids(units: Iterable[OrgUnit] | None) -> list[int] | None:
    return None if units is None else [u.pk for u in units]


def inspection_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Submitted inspections visited on business dates start..end, with their live findings."""
    qs = Inspection.objects.filter(
        status=Inspection.Status.SUBMITTED, visit_date__range=(start, end), score__isnull=False
    )
    ids = _unit_ids(units)
    if ids is not None:
        qs = qs.filter(outlet_id__in=ids)
    qs = qs.annotate(live=Count("findings", filter=Q(findings__removed=False)))
    for row in qs.values("pk", "outlet_id", "visit_date", "kind", "score", "live").order_by():
        yield {
            "inspection_id": row["pk"],
            "unit_id": row["outlet_id"],
            "visit_date": row["visit_date"],
            "kind": row["kind"],
            "score": float(row["score"] or 0),  # filtered to scored inspections
            "findings": int(row["live"]),
        }


def _day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else clock.business_date(moment)


def _task_row(row: dict[str, Any]) -> dict[str, Any]:
    verified = row["status"] == RectificationTask.Status.VERIFIED and row["verified_at"] is not None
    # Evidence counts while it stands: a task back in the open states (reopened, or appealed after that) owes
    # the fix again, so its overdue balance follows the ledger's one rule (RectificationTask.overdue_on).
    standing = row["status"] not in RectificationTask.OPEN_STATES
    return {
        "task_id": row["pk"],
        "unit_id": row["unit_id"],
        "opened_date": clock.business_date(row["opened_at"]),
        "due": row["due"],
        "submitted_date": _day(row["submitted_at"]) if standing else None,
        "closed_date": _day(row["closed_at"]),
        "verified_date": _day(row["verified_at"]) if verified else None,
        "on_time": bool(row["on_time"]),
    }


TASK_FIELDS = (
    "pk",
    "unit_id",
    "opened_at",
    "due",
    "submitted_at",
    "closed_at",
    "verified_at",
    "on_time",
    "status",
)


def task_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Ledger tasks with any event (opened, due passed, evidence, closed, verified) on dates start..end.

    Every event falls between the opening and the later of closing and the day after the due date, so a
    task matters to the range when it opened by its end and had not closed (or fallen due) before its start.
    """
    hi = dt.datetime.combine(end + ONE_DAY, dt.time(), clock.SHANGHAI)
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    qs = RectificationTask.objects.filter(opened_at__lt=hi).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=lo) | Q(due__gte=start - ONE_DAY)
    )
    ids = _unit_ids(units)
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    for row in qs.values(*TASK_FIELDS).order_by().iterator(chunk_size=5000):
        yield _task_row(row)


def _task_days(row: dict[str, Any]) -> set[dt.date]:
    days = {row["opened_date"], row["due"] + ONE_DAY}
    days.update(d for d in (row["submitted_date"], row["closed_date"], row["verified_date"]) if d is not None)
    return days


def inspections_touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(outlet, visit date) of inspections changed since `since`, findings removed on appeal included."""
    # An appeal decided on a finding changes its inspection's score and findings: both histories count.
    changed = set(Inspection.history.filter(history_date__gte=since).values_list("id", flat=True))
    changed |= set(Finding.history.filter(history_date__gte=since).values_list("inspection_id", flat=True))
    versions = Inspection.history.filter(id__in=changed, visit_date__isnull=False)
    return set(versions.values_list("outlet_id", "visit_date"))


def tasks_touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(unit, business date) of every event of the tasks changed since `since`, in old and new versions."""
    touched: set[tuple[int, dt.date]] = set()
    tasks = set(RectificationTask.history.filter(history_date__gte=since).values_list("id", flat=True))
    fields = ["id" if f == "pk" else f for f in TASK_FIELDS]
    for version in RectificationTask.history.filter(id__in=tasks).values(*fields):
        row = _task_row({**version, "pk": version["id"]})
        touched.update((row["unit_id"], day) for day in _task_days(row))
    return touched


def span() -> list[dt.date]:
    """The first and last business dates any inspection or task event falls on (none without facts)."""
    days: list[dt.date] = []
    visits = Inspection.objects.filter(status=Inspection.Status.SUBMITTED, visit_date__isnull=False)
    for order in ("visit_date", "-visit_date"):
        visit = visits.order_by(order).values_list("visit_date", flat=True).first()
        if visit is not None:
            days.append(visit)
    first = RectificationTask.objects.order_by("opened_at").values_list("opened_at", flat=True).first()
    if first is not None:
        days.append(clock.business_date(first))
        for field in ("due", "closed_at", "verified_at", "submitted_at"):
            tasks = RectificationTask.objects.exclude(**{field: None})
            last = tasks.order_by(f"-{field}").values_list(field, flat=True).first()
            if isinstance(last, dt.datetime):
                days.append(clock.business_date(last))
            elif isinstance(last, dt.date):
                days.append(last + ONE_DAY)  # the day a task falls overdue
    return [min(days), max(days)] if days else []


TABLES = {
    "inspections": FactTable(rows=inspection_rows, touched_since=inspections_touched_since, span=span),
    "rectifications": FactTable(rows=task_rows, touched_since=tasks_touched_since, span=span),
}
