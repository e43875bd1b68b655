"""The statutory clock over real 2025–2026 dates; expected deadlines were worked out by hand from the
State Council holiday notices (see the comment on each row), not produced by the code under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.complaints.clock import ClockError, Event, compute, end_of_day, within_period

D = dt.date
pytestmark = pytest.mark.django_db

DEADLINES = [
    # (received, events, basis, fast_track, expected due, why)
    (D(2025, 3, 3), [], "calendar", False, D(2025, 3, 18), "plain 15 calendar days"),
    (D(2025, 1, 20), [], "calendar", False, D(2025, 2, 5), "day 15 = 2-04, last Spring Festival day -> 2-05"),
    (D(2025, 9, 22), [], "calendar", False, D(2025, 10, 9), "day 15 = 10-07 in National Day -> 10-09"),
    (D(2025, 9, 26), [], "calendar", False, D(2025, 10, 11), "day 15 = make-up Saturday 10-11: stays"),
    (D(2026, 1, 30), [], "calendar", False, D(2026, 2, 14), "day 15 = make-up Saturday 2026-02-14: stays"),
    (D(2026, 2, 6), [], "calendar", False, D(2026, 2, 24), "day 15 = 2-21 in Spring Festival 2026 -> 2-24"),
    (D(2026, 3, 6), [], "calendar", False, D(2026, 3, 23), "day 15 = ordinary Saturday -> Monday"),
    (D(2025, 10, 3), [], "calendar", False, D(2025, 10, 20), "received on a holiday, counts from next day"),
    (D(2025, 1, 24), [], "business", False, D(2025, 2, 20), "make-up Sunday 1-26 and Saturday 2-08 count"),
    (
        D(2026, 2, 13),
        [],
        "business",
        False,
        D(2026, 3, 12),
        "Spring Festival 2026 skipped, 2-14 and 2-28 count",
    ),
    (D(2025, 9, 26), [], "business", False, D(2025, 10, 23), "National Day skipped, 9-28 and 10-11 count"),
    (D(2025, 10, 3), [], "business", False, D(2025, 10, 28), "received in National Day"),
    (D(2025, 3, 3), [Event("extend", D(2025, 3, 10), 1)], "calendar", False, D(2025, 4, 2), "extended to 30"),
    (
        D(2025, 3, 5),
        [Event("extend", D(2025, 3, 10), 1)],
        "calendar",
        False,
        D(2025, 4, 7),
        "day 30 = 4-04 Qingming -> 4-07",
    ),
    (
        D(2025, 3, 3),
        [Event("extend", D(2025, 3, 10), 1), Event("extend", D(2025, 3, 30), 2)],
        "calendar",
        False,
        D(2025, 5, 6),
        "further 30: day 60 = 5-02 in Labour Day -> 5-06",
    ),
    (
        D(2026, 3, 2),
        [Event("pause", D(2026, 3, 5)), Event("resume", D(2026, 3, 12))],
        "calendar",
        False,
        D(2026, 3, 24),
        "appraisal 3-06..3-12 not counted (7 days)",
    ),
    (
        D(2026, 3, 2),
        [Event("pause", D(2026, 3, 4)), Event("resume", D(2026, 3, 9))],
        "business",
        False,
        D(2026, 3, 26),
        "appraisal takes business days 3-05, 3-06, 3-09",
    ),
    (
        D(2026, 3, 2),
        [Event("extend", D(2026, 3, 5), 1), Event("restart", D(2026, 3, 10))],
        "calendar",
        False,
        D(2026, 3, 25),
        "new facts on 3-10: 15 days again, extension forgotten",
    ),
    (
        D(2026, 3, 2),
        [Event("merge", D(2026, 3, 8))],
        "calendar",
        False,
        D(2026, 3, 17),
        "merge moves nothing",
    ),
    (D(2026, 3, 2), [], "calendar", True, D(2026, 3, 9), "fast track 5 days: day 5 = Saturday -> Monday"),
    (D(2026, 2, 13), [], "business", True, D(2026, 2, 27), "fast track over Spring Festival 2026"),
]


@pytest.mark.parametrize(
    ("received", "events", "basis", "fast", "due", "why"), DEADLINES, ids=[row[-1] for row in DEADLINES]
)
def test_deadline_table(
    seeded_calendar: Any,
    received: dt.date,
    events: list[Event],
    basis: Any,
    fast: bool,
    due: dt.date,
    why: str,
) -> None:
    result = compute(received, events, today=received, basis=basis, fast_track=fast)
    assert result.due == due, why


def test_open_pause_counts_as_resumed_today(seeded_calendar: Any) -> None:
    result = compute(D(2026, 3, 2), [Event("pause", D(2026, 3, 5))], today=D(2026, 3, 10))
    assert result.state == "paused"
    assert result.used_days == 3  # 3-03, 3-04, 3-05
    assert result.due == D(2026, 3, 23)  # 3-06..3-10 paused: day 15 = Sunday 3-22 -> Monday


def test_withdrawal_stops_the_clock_that_day(seeded_calendar: Any) -> None:
    result = compute(
        D(2026, 3, 2),
        [Event("withdraw", D(2026, 3, 6)), Event("extend", D(2026, 3, 9), 1)],
        today=D(2026, 3, 20),
    )
    assert result.state == "stopped"
    assert result.stopped_on == D(2026, 3, 6)
    assert result.used_days == 4
    assert result.limit_days == 15  # events after the withdrawal are ignored


def test_fraction_used_reaches_80_percent_on_day_12(seeded_calendar: Any) -> None:
    result = compute(D(2026, 3, 2), today=D(2026, 3, 14))
    assert (result.used_days, result.remaining_days, result.fraction_used) == (12, 3, 0.8)
    assert not result.is_overdue(D(2026, 3, 17))
    assert result.is_overdue(D(2026, 3, 18))


def test_business_days_used_skip_the_holiday(seeded_calendar: Any) -> None:
    result = compute(D(2026, 2, 13), today=D(2026, 2, 24), basis="business")
    assert result.used_days == 2  # make-up Saturday 2-14 and 2-24


def test_resubmission_merges_only_inside_the_period(seeded_calendar: Any) -> None:
    result = compute(D(2026, 3, 2), today=D(2026, 3, 2))
    assert within_period(result, D(2026, 3, 17))
    assert not within_period(result, D(2026, 3, 18))
    stopped = compute(D(2026, 3, 2), [Event("withdraw", D(2026, 3, 3))], today=D(2026, 3, 4))
    assert not within_period(stopped, D(2026, 3, 4))


@pytest.mark.parametrize(
    "events",
    [
        [Event("resume", D(2026, 3, 5))],
        [Event("pause", D(2026, 3, 5)), Event("pause", D(2026, 3, 6))],
        [Event("extend", D(2026, 3, 5), 2)],
        [Event("extend", D(2026, 3, 5), 1), Event("extend", D(2026, 3, 6), 1)],
        [Event("extend", D(2026, 3, 1), 1)],
    ],
)
def test_impossible_histories_are_refused(seeded_calendar: Any, events: list[Event]) -> None:
    with pytest.raises(ClockError):
        compute(D(2026, 3, 2), events, today=D(2026, 3, 10))


def test_deadline_ends_at_midnight_shanghai() -> None:
    moment = end_of_day(D(2026, 3, 17))
    assert moment.astimezone(dt.UTC) == dt.datetime(2026, 3, 17, 15, 59, 59, tzinfo=dt.UTC)
