"""The staffing app's facts for the measures (K1 contact-centre measures), found through `core.discovery`.

The measures app reads every app's `fact_tables.TABLES` (name → `FactTable`): the rows of a date range, the
(unit, day) pairs touched since a moment (for the incremental rollup build), the first and last fact
dates, and the labels of the table's keys. So the measures app never imports staffing; the rows keep the
columnar schema `measures.facts` declares for the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit
from fuwu.staffing.models import CallLine, CallRecord


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    return lo, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)


def call_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Contact-centre calls offered on business dates start..end; unit_id is the centre."""
    lo, hi = _bounds(start, end)
    qs = CallRecord.objects.filter(offered_at__gte=lo, offered_at__lt=hi)
    if units is not None:
        qs = qs.filter(centre__in=[u.pk for u in units])
    fields = ("call_id", "centre_id", "line", "offered_at", "answered_at", "ended_at", "abandoned_at")
    for row in qs.values(*fields).order_by().iterator(chunk_size=5000):
        local = row["offered_at"].astimezone(clock.SHANGHAI)
        yield {
            "call_id": row["call_id"],
            "unit_id": row["centre_id"],
            "business_date": local.date(),
            "line": row["line"],
            "hour": local.hour,
            "offered_at": row["offered_at"],
            "answered_at": row["answered_at"],
            "ended_at": row["ended_at"],
            "abandoned_at": row["abandoned_at"],
        }


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(centre, business date) of every call offered, answered, ended or abandoned since `since`."""
    calls = CallRecord.objects.filter(
        Q(offered_at__gte=since)
        | Q(answered_at__gte=since)
        | Q(ended_at__gte=since)
        | Q(abandoned_at__gte=since)
    )
    return {(unit, clock.business_date(at)) for unit, at in calls.values_list("centre_id", "offered_at")}


def span() -> list[dt.date]:
    """The business dates of the first and the last call offered (none without calls)."""
    days = []
    for order in ("offered_at", "-offered_at"):
        offered = CallRecord.objects.order_by(order).values_list("offered_at", flat=True).first()
        if offered is not None:
            days.append(clock.business_date(offered))
    return days


TABLES = {
    "calls": FactTable(
        rows=call_rows,
        touched_since=touched_since,
        span=span,
        labels={"line": lambda: {str(k): str(v) for k, v in CallLine.choices}},
    )
}
