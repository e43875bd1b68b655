"""The customers app's facts for the measures (P3 conversion), found through `core.discovery`.

One row per suggestion shown at an outlet: the product, the staff member it was shown to (and, for a referral,
who was credited), and what became of it. Conversion by product, outlet and staff is accepted-or-referred ÷
shown; the measures app decides how to roll it up, this module only offers the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit
from fuwu.customers.models import Product, Suggestion

CONVERTED = frozenset({Suggestion.Status.ACCEPTED, Suggestion.Status.REFERRED})


def suggestion_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Suggestions shown on business dates start..end; unit_id is the outlet they were shown at."""
    qs = Suggestion.objects.filter(
        shown_at__gte=clock.day_start(start), shown_at__lt=clock.day_start(end + dt.timedelta(days=1))
    )
    if units is not None:
        qs = qs.filter(outlet__in=[u.pk for u in units])
    fields = ("pk", "outlet_id", "product__code", "shown_to_id", "credited_staff_id", "status", "shown_at")
    for row in qs.values(*fields).order_by().iterator(chunk_size=5000):
        yield {
            "suggestion_id": row["pk"],
            "unit_id": row["outlet_id"],
            "business_date": clock.business_date(row["shown_at"]),
            "product": row["product__code"],
            "staff_id": row["credited_staff_id"] or row["shown_to_id"],
            "status": row["status"],
            "converted": row["status"] in CONVERTED,
        }


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(outlet, business date shown) of every suggestion shown or answered since `since`."""
    rows = Suggestion.objects.filter(Q(shown_at__gte=since) | Q(reacted_at__gte=since))
    return {(unit, clock.business_date(at)) for unit, at in rows.values_list("outlet_id", "shown_at")}


def span() -> list[dt.date]:
    days = []
    for order in ("shown_at", "-shown_at"):
        shown = Suggestion.objects.order_by(order).values_list("shown_at", flat=True).first()
        if shown is not None:
            days.append(clock.business_date(shown))
    return days


TABLES = {
    "suggestions": FactTable(
        rows=suggestion_rows,
        touched_since=touched_since,
        span=span,
        labels={"product": lambda: dict(Product.objects.values_list("code", "name"))},
    )
}
