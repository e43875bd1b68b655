"""The statutory clock of one stored case: its clock events replayed through `fuwu.complaints.clock`.

Pure reads of an object the caller already holds (a selector or a service fetched it with its access check);
no principal, so not a service or selector.
"""

from __future__ import annotations

import dataclasses
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
    """The statutory clock of `complaint` replayed from its stored events.

    A handled case's clock stopped the day it was handled (replied, closed, merged): its events end with the
    reply, which is no clock event, so the replay alone would still say "running" and keep counting days (#19).
    """
    day = today or clock.today()
    start = clock.business_date(complaint.received_at)
    replayed = events(complaint)
    result = statutory.compute(start, replayed, today=day)
    if complaint.is_open or result.state == "stopped":
        return result
    handled = clock.business_date(complaint.closed_at) if complaint.closed_at else day
    stopped = statutory.compute(start, replayed, today=min(day, max(handled, start)))
    return dataclasses.replace(stopped, state="stopped", stopped_on=handled)


def refresh_due(complaint: Complaint) -> statutory.ClockResult:
    """Recompute the cached `due_at` (and the unknown-calendar flag) from the clock events."""
    result = clock_state(complaint)
    complaint.due_at = statutory.end_of_day(result.due)
    complaint.calendar_unknown = result.calendar_unknown
    return result
