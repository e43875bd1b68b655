"""The statutory clock over real 2025–2026 dates, one row per rule of 办法 (2020) and 民法典 (issue 13);
expected deadlines were worked out by hand from the State Council holiday notices, not by the code under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.complaints.clock import (
    ClockError,
    Event,
    compute,
    end_of_day,
    review_decision_deadline,
    review_request_deadline,
    within_period,
)

D = dt.date
pytestmark = pytest.mark.django_db

APPRAISAL, MEDIATION = "appraisal", "mediation"

# Every row names the rule it proves. Expected dates were worked out by hand from the State Council holiday
# notices and checked against the chinese-calendar package's is_workday (independent of the code under test).
DEADLINES = [
    # (received, events, expected due, why)
    (D(2025, 3, 3), [], D(2025, 3, 18), "办法18: 15 natural days; 民法典201: receipt day not counted"),
    (D(2025, 1, 20), [], D(2025, 2, 5), "民法典203: day 15 = 2-04, last Spring Festival day -> 2-05"),
    (D(2025, 9, 22), [], D(2025, 10, 9), "民法典203: day 15 = 10-07 in National Day -> 10-09"),
    (D(2025, 9, 26), [], D(2025, 10, 11), "调休: day 15 = make-up Saturday 10-11 is a working day, stays"),
    (D(2026, 1, 30), [], D(2026, 2, 14), "调休: day 15 = make-up Saturday 2026-02-14 stays"),
    (D(2026, 2, 6), [], D(2026, 2, 24), "民法典203: day 15 = 2-21 in Spring Festival 2026 -> 2-24"),
    (D(2026, 3, 6), [], D(2026, 3, 23), "民法典203: day 15 = an ordinary Saturday -> Monday"),
    (D(2025, 10, 3), [], D(2025, 10, 20), "received on a National Day holiday: counts from the next day"),
    (D(2026, 2, 17), [], D(2026, 3, 4), "received in Spring Festival 2026: natural days run through it"),
    (D(2025, 3, 3), [Event("extend", D(2025, 3, 10), 1)], D(2025, 4, 2), "办法18: complex, extended to 30"),
    (D(2025, 3, 5), [Event("extend", D(2025, 3, 10), 1)], D(2025, 4, 7), "day 30 = 4-04 Qingming -> 4-07"),
    (
        D(2025, 3, 3),
        [Event("extend", D(2025, 3, 10), 1), Event("extend", D(2025, 3, 30), 2)],
        D(2025, 5, 6),
        "办法18: a further 30: day 60 = 5-02 in Labour Day -> 5-06",
    ),
    (
        D(2026, 3, 2),
        [Event("pause", D(2026, 3, 5), pause_kind=APPRAISAL), Event("resume", D(2026, 3, 12))],
        D(2026, 3, 24),
        "办法18: external appraisal 3-06..3-12 not counted (7 days)",
    ),
    (
        D(2025, 9, 22),
        [Event("pause", D(2025, 9, 25), pause_kind=MEDIATION), Event("resume", D(2025, 10, 5))],
        D(2025, 10, 17),
        "办法23: mediation 9-26..10-05 not counted (10 days), through National Day",
    ),
    (
        D(2026, 3, 2),
        [Event("extend", D(2026, 3, 5), 1), Event("restart", D(2026, 3, 10))],
        D(2026, 3, 25),
        "办法18: new material received 3-10 restarts 15 days from that day, extension forgotten",
    ),
    (D(2026, 3, 2), [Event("merge", D(2026, 3, 8))], D(2026, 3, 17), "办法18: same complaint again merges"),
]


@pytest.mark.parametrize(("received", "events", "due", "why"), DEADLINES, ids=[row[-1] for row in DEADLINES])
def test_deadline_table(
    seeded_calendar: Any, received: dt.date, events: list[Event], due: dt.date, why: str
) -> None:
    result = compute(received, events, today=received)
    assert result.due == due, why
    assert not result.calendar_unknown


REVIEW_WINDOWS = [
    # (decision or request received, expected last day, why)
    (D(2025, 9, 5), D(2025, 10, 9), "day 30 = 10-05 in National Day -> 10-09"),
    (D(2026, 3, 12), D(2026, 4, 13), "day 30 = Saturday 4-11 -> Monday 4-13"),
    (D(2026, 9, 10), D(2026, 10, 10), "day 30 = make-up Saturday 2026-10-10 stays"),
    (D(2026, 1, 16), D(2026, 2, 24), "day 30 = 2-15 in Spring Festival 2026 -> 2-24"),
]


@pytest.mark.parametrize(("received", "last", "why"), REVIEW_WINDOWS, ids=[row[-1] for row in REVIEW_WINDOWS])
def test_review_windows_are_30_natural_days_rolled_over_rest_days(
    seeded_calendar: Any, received: dt.date, last: dt.date, why: str
) -> None:
    # 办法 第二十条: the request within 30 days of receiving the decision, the review decision within 30 days
    # of receiving the request; both roll over rest days (民法典 第二百零三条).
    assert review_request_deadline(received) == last, why
    assert review_decision_deadline(received) == last, why


def test_a_deadline_in_a_year_without_a_schedule_is_flagged(seeded_calendar: Any) -> None:
    # chinese-calendar stops at 2026: 2027-01-04 may be wrong (元旦 rules unknown), so the case is flagged.
    late = compute(D(2026, 12, 20), today=D(2026, 12, 20), known_years=[2025, 2026])
    assert late.due == D(2027, 1, 4) and late.calendar_unknown
    early = compute(D(2026, 12, 1), today=D(2026, 12, 1), known_years=[2025, 2026])
    assert early.due == D(2026, 12, 16) and not early.calendar_unknown
    known = compute(D(2026, 12, 20), today=D(2026, 12, 20), known_years=[2025, 2026, 2027])
    assert not known.calendar_unknown


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


def test_natural_days_used_run_through_the_holiday(seeded_calendar: Any) -> None:
    # 办法 第四十三条: natural days; Spring Festival 2026 (2-15..2-23) is counted like any other day.
    result = compute(D(2026, 2, 13), today=D(2026, 2, 24))
    assert result.used_days == 11


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
