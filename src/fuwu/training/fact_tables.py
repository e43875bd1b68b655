"""The training facts for the measure catalogue (K1 "training completion"; T1), found through `core.discovery`.

One table, "training": each assignment that was not cancelled, with its due date, the learner's unit when
assigned, its course and when (if ever) it was completed. What the rows mean — the on-time completion rate
per unit and course — is defined once, in the measures catalogue; the measures app never imports this app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit
from fuwu.training.models import Assignment, AssignmentStatus, Course


def assignment_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Assignments (not cancelled) falling due on dates start..end."""
    qs = Assignment.objects.filter(due_date__range=(start, end)).exclude(status=AssignmentStatus.CANCELLED)
    if units is not None:
        qs = qs.filter(org_unit_id__in=[u.pk for u in units])
    fields = ("pk", "org_unit_id", "course__code", "due_date", "status", "completed_at")
    for row in qs.values(*fields).order_by().iterator(chunk_size=5000):
        done = row["status"] == AssignmentStatus.COMPLETED and row["completed_at"] is not None
        yield {
            "assignment_id": row["pk"],
            "unit_id": row["org_unit_id"],
            "course": row["course__code"],
            "due": row["due_date"],
            "completed_date": clock.business_date(row["completed_at"]) if done else None,
        }


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(unit, due date) of every assignment created, completed, cancelled or moved since `since`."""
    changed = Assignment.history.filter(history_date__gte=since).values_list("id", flat=True)
    versions = Assignment.history.filter(id__in=set(changed))
    return set(versions.values_list("org_unit_id", "due_date"))


def span() -> list[dt.date]:
    """The first and last due dates of any assignment (none without assignments)."""
    days = []
    for order in ("due_date", "-due_date"):
        due = Assignment.objects.order_by(order).values_list("due_date", flat=True).first()
        if due is not None:
            days.append(due)
    return days


TABLES = {
    "training": FactTable(
        rows=assignment_rows,
        touched_since=touched_since,
        span=span,
        labels={"course": lambda: dict(Course.objects.values_list("code", "title"))},
    )
}
