"""Business hours on the core calendar: 09:00–17:00 Asia/Shanghai on business days (holidays off, 调休 on)."""

from __future__ import annotations

import datetime as dt

from fuwu.core import calendar
from fuwu.core.clock import SHANGHAI

OPEN = dt.time(9, 0)
CLOSE = dt.time(17, 0)
HOURS_PER_DAY = 8


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(day, OPEN, SHANGHAI), dt.datetime.combine(day, CLOSE, SHANGHAI)


def add_business_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` business hours after `start` (a start outside hours counts from the next opening)."""
    remaining = dt.timedelta(hours=hours)
    local = start.astimezone(SHANGHAI)
    day = local.date()
    while True:
        if calendar.is_business_day(day):
            opens, closes = _window(day)
            cursor = max(local, opens)
            if cursor < closes:
                room = closes - cursor
                if remaining <= room:
                    return (cursor + remaining).astimezone(dt.UTC)
                remaining -= room
        day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(0), SHANGHAI)


def business_seconds_between(start: dt.datetime, end: dt.datetime) -> float:
    """Business seconds in [start, end) (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total = 0.0
    a, b = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    day = a.date()
    while day <= b.date():
        if calendar.is_business_day(day):
            opens, closes = _window(day)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total
