"""Plain factory functions for staffing tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from fuwu.core import calendar, clock
from fuwu.core.principals import SYSTEM

WEEKDAY_LEVEL = [1.3, 1.0, 0.95, 1.0, 1.15, 0.6, 0.45]
SLOTS = 16  # 09:00–17:00


def intraday_shape(slots: int = SLOTS) -> np.ndarray:
    x = np.arange(slots) + 0.5
    shape = 1.0 + 1.2 * np.exp(-((x - 3) ** 2) / 4) + 0.9 * np.exp(-((x - 12) ** 2) / 5)
    return shape / shape.sum()


def branch_series(
    first: dt.date, days: int, *, daily: float = 400.0, seed: int = 0, slots: int = SLOTS
) -> tuple[list[dt.date], np.ndarray]:
    """Arrivals with weekday, month-end, holiday and make-up workday effects (needs the seeded calendar)."""
    rng = np.random.default_rng(seed)
    dates = [first + dt.timedelta(days=i) for i in range(days)]
    shape = intraday_shape(slots)
    rows = []
    for day in dates:
        level = WEEKDAY_LEVEL[day.weekday()]
        if calendar.is_holiday(day):
            level = 0.15
        elif calendar.is_makeup_workday(day):
            level = 1.1
        elif calendar.is_business_day(day):
            prev = day - dt.timedelta(days=1)
            if calendar.is_holiday(prev) or calendar.is_holiday(prev - dt.timedelta(days=1)):
                level *= 1.6
            nxt = day + dt.timedelta(days=1)
            remaining = 0
            while nxt.month == day.month:
                remaining += calendar.is_business_day(nxt)
                nxt += dt.timedelta(days=1)
            if remaining < 2:
                level *= 1.4
        rows.append(rng.poisson(daily * level * shape))
    return dates, np.asarray(rows, dtype=np.float64)


def tickets_from_counts(
    outlet: Any,
    dates: list[dt.date],
    counts: np.ndarray,
    *,
    day_start: dt.time = dt.time(9, 0),
    seed: int = 0,
) -> int:
    """Write floor tickets whose issue times reproduce `counts` (days × 30-minute slots)."""
    from fuwu.floor.models import ServiceType, Ticket

    service, _ = ServiceType.objects.get_or_create(
        outlet=outlet, code="CASH", defaults={"name": "现金", "prefix": "A", "counter_kinds": "low"}
    )
    rng = np.random.default_rng(seed)
    rows = []
    for d, day in enumerate(dates):
        seq = 0
        for slot, n in enumerate(counts[d].astype(int)):
            base = dt.datetime.combine(day, day_start, tzinfo=clock.SHANGHAI) + dt.timedelta(
                minutes=30 * slot
            )
            for offset in np.sort(rng.uniform(0, 1800, n)):
                seq += 1
                rows.append(
                    Ticket(
                        outlet=outlet,
                        business_date=day,
                        number=f"A{seq:03d}",
                        seq=seq,
                        service=service,
                        status=Ticket.Status.FINISHED,
                        issued_at=base + dt.timedelta(seconds=float(offset)),
                    )
                )
    Ticket.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def staff_member(
    unit: Any,
    username: str,
    *,
    skills: tuple[str, ...] = ("branch",),
    part_time: bool = False,
    max_days: int = 5,
    hourly_cost: int = 100,
) -> Any:
    from fuwu.core import roles
    from fuwu.core import services as core_services
    from fuwu.staffing import services

    user = core_services.staff_create(
        actor=SYSTEM,
        org_unit=unit,
        username=username,
        display_name=username,
        roles=[roles.TELLER],
        staff_code=username.upper(),
    )
    services.staff_profile_set(
        actor=SYSTEM,
        user=user,
        unit=unit,
        skills=skills,
        part_time=part_time,
        max_days=max_days,
        max_hours=24 if part_time else 40,
        hourly_cost=hourly_cost,
    )
    return user


CALL_HEADER = "call_id,line,offered_at,answered_at,ended_at,abandoned_at,agent\n"
