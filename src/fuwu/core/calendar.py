"""The business calendar: Monday–Friday, minus public holidays, plus make-up workdays (调休).

The exceptions live in CalendarDay (seeded from the chinese-calendar package, editable in admin, so next
year's schedule can be entered by hand the day the State Council publishes it). Reads go through a small
per-process cache that every write through core.services clears.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from fuwu.core.models import CalendarDay

_CACHE_SECONDS = 60.0
_lock = threading.Lock()
_cache: tuple[float, dict[dt.date, CalendarDay]] | None = None


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


def _exceptions() -> dict[dt.date, CalendarDay]:
    global _cache
    cached = _cache
    if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    rows = {row.date: row for row in CalendarDay.objects.all()}
    with _lock:
        _cache = (time.monotonic(), rows)
    return rows


def is_business_day(day: dt.date) -> bool:
    special = _exceptions().get(day)
    if special is not None:
        return special.kind == CalendarDay.Kind.WORKDAY
    return day.weekday() < 5


def is_holiday(day: dt.date) -> bool:
    """A public holiday (including the weekend days inside a holiday period)."""
    special = _exceptions().get(day)
    return special is not None and special.kind == CalendarDay.Kind.HOLIDAY


def is_makeup_workday(day: dt.date) -> bool:
    special = _exceptions().get(day)
    return special is not None and special.kind == CalendarDay.Kind.WORKDAY and day.weekday() >= 5


def holiday_name(day: dt.date) -> str:
    special = _exceptions().get(day)
    return special.name if special is not None else ""


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The date `days` business days after `start` (`start` itself not counted); negative goes back."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += dt.timedelta(days=step)
        if is_business_day(current):
            remaining -= 1
    return current


def next_business_day(day: dt.date) -> dt.date:
    """`day` itself if it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days in (start, end]; negative when end is before start."""
    if end < start:
        return -business_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def business_days_in(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every business day in [start, end]."""
    days = []
    current = start
    while current <= end:
        if is_business_day(current):
            days.append(current)
        current += dt.timedelta(days=1)
    return days
