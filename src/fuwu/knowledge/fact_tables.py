"""The service-language facts for the measure catalogue (K1; A3), found through `core.discovery`.

One table, "language": each text checked against the phrase dictionary (a staff reply in the assistant's
queue or an imported call transcript) with its forbidden hits and missing required phrases. The rates are
defined once, in the measures catalogue; the measures app never imports this app. Checks are only ever
added: a back-dated transcript import marks its day dirty (`core.rollups.mark_dirty`) in the same
transaction, and the checks made since a moment are found by their primary key order below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit, User
from fuwu.knowledge.models import LanguageCheck, LanguageFinding


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    return lo, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)


def check_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Texts checked on business dates start..end; `agent` is the agent code (or the staff id)."""
    lo, hi = _bounds(start, end)
    qs = LanguageCheck.objects.filter(at__gte=lo, at__lt=hi)
    if units is not None:
        qs = qs.filter(unit_id__in=[u.pk for u in units])
    fields = ("pk", "unit_id", "at", "agent_code", "staff_id", "source", "forbidden_hits", "required_missing")
    for row in qs.values(*fields).order_by().iterator(chunk_size=5000):
        yield {
            "check_id": row["pk"],
            "unit_id": row["unit_id"],
            "business_date": clock.business_date(row["at"]),
            "agent": row["agent_code"] or (str(row["staff_id"]) if row["staff_id"] else "-"),
            "is_call": row["source"] == LanguageFinding.Source.CALL,
            "forbidden_hits": row["forbidden_hits"],
            "required_missing": row["required_missing"],
        }


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(unit, business date) of texts said since `since` (back-dated imports mark their own days dirty)."""
    found = LanguageCheck.objects.filter(Q(at__gte=since)).values_list("unit_id", "at")
    return {(unit, clock.business_date(at)) for unit, at in found}


def span() -> list[dt.date]:
    days = []
    for order in ("at", "-at"):
        at = LanguageCheck.objects.order_by(order).values_list("at", flat=True).first()
        if at is not None:
            days.append(clock.business_date(at))
    return days


def _agent_labels() -> dict[str, str]:
    labels = {
        code or "": str(name or code)
        for code, name in LanguageCheck.objects.exclude(agent_code="")
        .values_list("agent_code", "staff__display_name")
        .distinct()
    }
    staff = LanguageCheck.objects.filter(agent_code="", staff__isnull=False).values_list(
        "staff_id", flat=True
    )
    labels.update({str(u.pk): str(u) for u in User.objects.filter(pk__in=set(staff))})
    return labels


TABLES = {
    "language": FactTable(
        rows=check_rows, touched_since=touched_since, span=span, labels={"agent": _agent_labels}
    )
}
