"""Which years the business calendar knows (their State Council holiday schedule is entered).

A year with no holiday row has no schedule: the core calendar then falls back to Monday–Friday, which puts
deadlines on 元旦 or Spring Festival. The statutory clock flags such deadlines (issue 13, point 9).
"""

from __future__ import annotations

import datetime as dt

from fuwu.core import clock
from fuwu.core.models import CalendarDay


def known_years() -> frozenset[int]:
    """Years with at least one public holiday entered."""
    return frozenset(
        d.year for d in CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY).dates("date", "year")
    )


def next_year_missing(today: dt.date | None = None) -> int | None:
    """Next year, when its schedule is not entered yet (shown from November, when it is published)."""
    day = today or clock.today()
    if day.month < 11:
        return None
    return None if day.year + 1 in known_years() else day.year + 1
