"""The one source of "now": real, frozen, or running fast from a chosen start (simulator, tests)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class _Warp:
    origin: dt.datetime  # the clock's reading when the warp started
    real_origin: float  # time.monotonic() at that moment
    speed: float  # 0 means frozen


_lock = threading.Lock()
_warp: _Warp | None = None


def now() -> dt.datetime:
    """Timezone-aware UTC now, honouring any freeze or speed-up."""
    warp = _warp
    if warp is None:
        return dt.datetime.now(dt.UTC)
    if warp.speed == 0:
        return warp.origin
    elapsed = (time.monotonic() - warp.real_origin) * warp.speed
    return warp.origin + dt.timedelta(seconds=elapsed)


def local_now() -> dt.datetime:
    return now().astimezone(SHANGHAI)


def today() -> dt.date:
    """The business date in Asia/Shanghai."""
    return local_now().date()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of business date `day` in Asia/Shanghai (bounds for date-range queries)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def business_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: fuwu only handles timezone-aware datetimes")
    return moment.astimezone(SHANGHAI).date()


def set_clock(origin: dt.datetime, speed: float = 1.0) -> None:
    """Run the clock from `origin` at `speed` × real time (0 freezes it)."""
    global _warp
    if origin.tzinfo is None:
        raise ValueError("naive datetime: give the clock an aware datetime")
    with _lock:
        _warp = _Warp(origin=origin, real_origin=time.monotonic(), speed=speed)


def reset() -> None:
    global _warp
    with _lock:
        _warp = None


def advance(delta: dt.timedelta) -> None:
    """Move a frozen or warped clock forward by `delta`."""
    current = now()
    speed = _warp.speed if _warp else 1.0
    set_clock(current + delta, speed)


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    previous = _warp
    set_clock(at, 0)
    try:
        yield
    finally:
        _restore(previous)


def _restore(previous: _Warp | None) -> None:
    global _warp
    with _lock:
        _warp = previous


def configure_from_settings() -> None:
    from django.conf import settings

    start = getattr(settings, "FUWU_CLOCK_START", None)
    speed = float(getattr(settings, "FUWU_CLOCK_SPEED", 1.0))
    if start:
        origin = dt.datetime.fromisoformat(start)
        if origin.tzinfo is None:
            origin = origin.replace(tzinfo=SHANGHAI)
        set_clock(origin, speed)
    elif speed != 1.0:
        set_clock(dt.datetime.now(dt.UTC), speed)
