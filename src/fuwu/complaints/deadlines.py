"""The statutory clock of one stored case: its clock events replayed through `fuwu.complaints.clock`.

Pure reads of an object the caller already holds (a selector or a service fetched it with its access check);
no principal, so not a service or selector.
"""

from __future__ import annotations

import datetime as dt

from fuwu.complaints import clock as statutory
from fuwu.complaints.models import ClockEvent, Complaint
from fuwu.core import clock


def event_day(row: ClockEvent) -> dt.date:
    """The day an event counts from: the day the material or request was received (办法 第十五条、第十八条)."""
    return row.received_on or clock.business_date(row.at)


def events(complaint: Complaint) -> list[statutory.Event]:
    return [
        statutory.Event(row.kind, event_day(row), row.level, row.pause_kind)  # type: ignore[arg-type]
        for row in complaint.clock_events.all()
    ]


def clock_state(complaint: Complaint, *, today: dt.date | None = None) -> statutory.ClockResult:
    """The statutory clock of `complaint` replayed from its stored events."""
    return statutory.compute(
        clock.business_date(complaint.received_at),
        events(complaint),
        today=today or clock.today(),
    )


def refresh_due(complaint: Complaint) -> statutory.ClockResult:
    """Recompute the cached `due_at` (and the unknown-calendar flag) from the clock events."""
    result = clock_state(complaint)
    complaint.due_at = statutory.end_of_day(result.due)
    complaint.calendar_unknown = result.calendar_unknown
    return result
