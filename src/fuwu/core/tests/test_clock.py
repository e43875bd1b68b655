from __future__ import annotations

import datetime as dt
import time

import pytest

from fuwu.core import clock


def test_real_clock_is_aware_utc() -> None:
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)


def test_frozen_clock_stands_still_and_advances_on_request() -> None:
    at = dt.datetime(2026, 2, 13, 23, 59, tzinfo=clock.SHANGHAI)
    with clock.frozen(at):
        assert clock.now() == at
        time.sleep(0.01)
        assert clock.now() == at
        clock.advance(dt.timedelta(minutes=2))
        assert clock.today() == dt.date(2026, 2, 14)  # business date rolls over in Shanghai time
    assert clock.now() != at + dt.timedelta(minutes=2)


def test_speeded_clock_runs_fast() -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    clock.set_clock(start, speed=3600)
    try:
        time.sleep(0.05)
        assert clock.now() - start >= dt.timedelta(seconds=150)
    finally:
        clock.reset()


def test_business_date_is_shanghai_and_refuses_naive() -> None:
    assert clock.business_date(dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 3, 2)
    with pytest.raises(ValueError, match="naive"):
        clock.business_date(dt.datetime(2026, 3, 1, 17, 0))
    with pytest.raises(ValueError, match="naive"):
        clock.set_clock(dt.datetime(2026, 3, 1, 17, 0))
