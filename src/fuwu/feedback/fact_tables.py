"""The feedback app's compliments offered as facts (K5), found through `core.discovery` like staffing's calls.

One row per feedback message classified as a compliment (表扬) — by the customer in the box or by staff
triage — with the outlet, the business date it was written, and the staff member and window it names. The
measures app and appraisal's service stars read them through `core.facts.fact_table("compliments")`, so
neither imports this app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit
from fuwu.feedback.models import FeedbackItem


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    return lo, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)


def compliment_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Compliments written on business dates start..end (at outlets under `units`, or all)."""
    lo, hi = _bounds(start, end)
    qs = FeedbackItem.objects.filter(is_compliment=True, submitted_at__gte=lo, submitted_at__lt=hi)
    if units is not None:
        under = Q(pk__in=[])
        for unit in units:
            under |= Q(outlet__path__startswith=unit.path)
        qs = qs.filter(under)
    fields = ("pk", "outlet_id", "submitted_at", "staff_id", "counter_id", "channel")
    for row in qs.values(*fields).order_by("submitted_at", "pk").iterator(chunk_size=2000):
        yield {
            "feedback_id": row["pk"],
            "unit_id": row["outlet_id"],
            "business_date": clock.business_date(row["submitted_at"]),
            "staff_id": row["staff_id"],
            "counter_id": row["counter_id"],
            "channel": row["channel"],
        }


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(outlet, business date) of every message whose compliment classification may have changed since."""
    changed = FeedbackItem.history.filter(history_date__gte=since).values_list("outlet_id", "submitted_at")
    return {(unit, clock.business_date(at)) for unit, at in changed}


def span() -> list[dt.date]:
    """The business dates of the first and the last compliment (none without compliments)."""
    days = []
    for order in ("submitted_at", "-submitted_at"):
        at = (
            FeedbackItem.objects.filter(is_compliment=True)
            .order_by(order)
            .values_list("submitted_at", flat=True)
            .first()
        )
        if at is not None:
            days.append(clock.business_date(at))
    return days


TABLES = {"compliments": FactTable(rows=compliment_rows, touched_since=touched_since, span=span)}
