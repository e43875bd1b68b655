"""The statutory complaint clock (CBIRC 2020 《银行业保险业消费投诉处理管理办法》 art. 28–30), as pure functions.

Rules encoded, each one a row of the table tests:
- Decide and tell the customer within 15 days of receipt; the day of receipt is not counted (民法典 art. 201).
- Calendar basis: when the last day is not a working day (weekend or public holiday), the deadline moves to
  the next working day (民法典 art. 203); a make-up Saturday (调休) is a working day, so it does not move.
- Business basis: only business days of the core calendar are counted.
- Extension level 1: the limit becomes 30 days; level 2: a further 30 (60 in all). Each is approved elsewhere.
- Pause for external appraisal on day P, resumed on day E: days P+1..E are not counted (the day the report
  comes back is treated like the day of receipt). An open pause counts as resumed "today".
- New facts on day N restart the clock: N becomes the day of receipt, extensions and pauses are forgotten.
- A resubmission within the period merges and does not move the clock.
- Withdrawal on day W stops the clock that day.
- Fast track (重大 / 舆情) uses a shorter base limit.

Inputs are dates in Asia/Shanghai; the business calendar is passed in (default: fuwu.core.calendar).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from fuwu.core import calendar as core_calendar
from fuwu.core.clock import SHANGHAI

EventKind = Literal["extend", "pause", "resume", "restart", "merge", "withdraw"]
Basis = Literal["calendar", "business"]
State = Literal["running", "paused", "stopped"]


@dataclass(frozen=True)
class Policy:
    base_days: int = 15
    fast_track_days: int = 5
    extended_days: int = 30
    further_days: int = 30


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Event:
    kind: EventKind
    on: dt.date
    level: int = 0  # for "extend": 1 or 2


@dataclass(frozen=True)
class ClockResult:
    start: dt.date  # the day of receipt (or of the restart); not itself counted
    limit_days: int
    due: dt.date
    state: State
    used_days: int  # days counted up to `today` (or to the stop day)
    pauses: tuple[tuple[dt.date, dt.date], ...] = field(default=())
    stopped_on: dt.date | None = None

    @property
    def remaining_days(self) -> int:
        return self.limit_days - self.used_days

    @property
    def fraction_used(self) -> float:
        return self.used_days / self.limit_days if self.limit_days else 1.0

    def is_overdue(self, on: dt.date) -> bool:
        return on > self.due


class ClockError(ValueError):
    """The events do not make a valid history (e.g. a resume without a pause)."""


def compute(
    received: dt.date,
    events: Iterable[Event] = (),
    *,
    today: dt.date,
    basis: Basis = "calendar",
    fast_track: bool = False,
    policy: Policy = DEFAULT_POLICY,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
) -> ClockResult:
    """Replay `events` over the receipt and tell the deadline and how much of it is used as of `today`."""
    base = policy.fast_track_days if fast_track else policy.base_days
    start, limit, level = received, base, 0
    pauses: list[tuple[dt.date, dt.date]] = []
    open_pause: dt.date | None = None
    stopped: dt.date | None = None
    for event in sorted(events, key=lambda e: e.on):
        if event.on < start:
            raise ClockError(f"{event.kind} on {event.on} is before the clock started on {start}")
        if event.kind == "extend":
            if event.level != level + 1 or event.level > 2:
                raise ClockError(f"extension level {event.level} after level {level}")
            level = event.level
            limit = policy.extended_days if level == 1 else policy.extended_days + policy.further_days
        elif event.kind == "pause":
            if open_pause is not None:
                raise ClockError("already paused")
            open_pause = event.on
        elif event.kind == "resume":
            if open_pause is None:
                raise ClockError("resume without a pause")
            pauses.append((open_pause, event.on))
            open_pause = None
        elif event.kind == "restart":
            start, limit, level, pauses, open_pause = event.on, base, 0, [], None
        elif event.kind == "withdraw":
            stopped = event.on
            break
        # "merge" is recorded for the record and leaves the clock alone.
    effective_pauses = list(pauses)
    if open_pause is not None:
        effective_pauses.append((open_pause, max(today, open_pause)))

    def counts(day: dt.date) -> bool:
        if any(p < day <= e for p, e in effective_pauses):
            return False
        return basis == "calendar" or is_business_day(day)

    due = start
    counted = 0
    while counted < limit:
        due += dt.timedelta(days=1)
        if counts(due):
            counted += 1
    if basis == "calendar":
        while not is_business_day(due):
            due += dt.timedelta(days=1)

    until = min(today, stopped) if stopped is not None else today
    used = 0
    day = start
    while day < until:
        day += dt.timedelta(days=1)
        if counts(day):
            used += 1
    state: State = "stopped" if stopped is not None else ("paused" if open_pause is not None else "running")
    return ClockResult(
        start=start,
        limit_days=limit,
        due=due,
        state=state,
        used_days=used,
        pauses=tuple(effective_pauses),
        stopped_on=stopped,
    )


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline day as the aware moment it ends in Shanghai."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def within_period(result: ClockResult, on: dt.date) -> bool:
    """Whether a resubmission on `on` falls inside the running period (and so merges)."""
    return result.state != "stopped" and result.start <= on <= result.due
