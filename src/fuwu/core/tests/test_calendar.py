"""Business calendar against the State Council's published 2025 and 2026 schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import calendar, services
from fuwu.core.models import CalendarDay
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.usefixtures("seeded_calendar")

D = dt.date


@pytest.mark.parametrize(
    ("day", "business"),
    [
        # 2025 Spring Festival: Jan 28 – Feb 4 off; Sun Jan 26 and Sat Feb 8 are make-up workdays.
        (D(2025, 1, 26), True),
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),
        # 2025 National Day + Mid-autumn: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked.
        (D(2025, 9, 28), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),
        # 2025 Labour Day: May 1–5 off; Sun Apr 27 worked.
        (D(2025, 4, 27), True),
        (D(2025, 5, 5), False),
        # 2026 Spring Festival: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 worked.
        (D(2026, 2, 14), True),
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        # 2026 National Day: Oct 1–7 off; Sun Sep 20 and Sat Oct 10 worked.
        (D(2026, 9, 20), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),
        # Ordinary weekend and weekday.
        (D(2026, 3, 7), False),
        (D(2026, 3, 9), True),
    ],
)
def test_published_schedules_decide_business_days(day: dt.date, business: bool) -> None:
    assert calendar.is_business_day(day) is business


def test_holiday_names_are_chinese() -> None:
    assert calendar.holiday_name(D(2026, 2, 17)) == "春节"
    assert calendar.holiday_name(D(2026, 10, 1)) == "国庆节"
    assert calendar.is_makeup_workday(D(2026, 2, 28))
    assert not calendar.is_makeup_workday(D(2026, 2, 27))


def test_add_business_days_skips_spring_festival_and_counts_makeup_saturday() -> None:
    # Friday 2026-02-13 + 1 business day is the make-up Saturday 02-14.
    assert calendar.add_business_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # From 02-14, the next business day is 02-24 (the holiday runs 02-15..02-23).
    assert calendar.add_business_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # 15 business days from National Day eve 2025-09-30 (Oct 1–8 off; Sat Oct 11 worked):
    # Oct 9, 10, 11, 13–17, 20–24, 27, 28.
    assert calendar.add_business_days(D(2025, 9, 30), 15) == D(2025, 10, 28)
    assert calendar.add_business_days(D(2026, 2, 24), -1) == D(2026, 2, 14)


def test_business_days_between_matches_add() -> None:
    start = D(2025, 9, 30)
    for n in (0, 1, 5, 15, 30):
        end = calendar.add_business_days(start, n)
        assert calendar.business_days_between(start, end) == n
    assert calendar.business_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2


def test_next_years_schedule_can_be_entered_by_hand(db: Any) -> None:
    # 2027 is not in the package yet: a hand entry makes a Monday a holiday and a Saturday a workday.
    assert calendar.is_business_day(D(2027, 2, 8))
    services.calendar_day_set(actor=SYSTEM, date=D(2027, 2, 8), kind="holiday", name="春节")
    services.calendar_day_set(actor=SYSTEM, date=D(2027, 2, 20), kind="workday", name="春节调休")
    assert not calendar.is_business_day(D(2027, 2, 8))
    assert calendar.is_business_day(D(2027, 2, 20))
    services.calendar_day_delete(actor=SYSTEM, date=D(2027, 2, 8))
    assert calendar.is_business_day(D(2027, 2, 8))
    assert CalendarDay.history.filter(date=D(2027, 2, 8)).count() == 2  # created, deleted


def test_seeding_twice_adds_nothing_and_keeps_hand_edits(db: Any) -> None:
    services.calendar_day_set(actor=SYSTEM, date=D(2026, 10, 8), kind="holiday", name="国庆节(本行)")
    assert services.calendar_seed_from_package(actor=SYSTEM, years=[2025, 2026]) == 0
    assert calendar.holiday_name(D(2026, 10, 8)) == "国庆节(本行)"
