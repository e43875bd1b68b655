"""The statutory complaint clock, as pure functions, to the letter of the rules (issue 13).

Rule text: 《银行业保险业消费投诉处理管理办法》(原银保监会令2020年第3号, 国务院公报2020年第14号), "办法" below,
and 《民法典》 on counting periods. Each rule is a row of the table tests in tests/test_clock.py.

- 办法 第十八条: decide and tell the customer within 15 days of receipt; a complex case may be extended to 30
  days; an especially complex case a further 30 days (60 in all). Approval of the second extension is checked
  by the service (the superior unit or a senior manager of the head office), not here.
- 办法 第四十三条: every 日 is a natural (calendar) day — there is no "business day basis" for the statutory
  period. Working days count only where a rule says 工作日 (the regulator's own 7个工作日; the bank's SOP
  step targets in sop.py are the bank's own, also in working days).
- 民法典 第二百零一条: the day of receipt is not counted; the period runs from the next day. A complaint received
  after hours or on a holiday is still received that calendar day (Asia/Shanghai): no rule moves receipt.
- 民法典 第二百零三条: a last day that is a statutory rest day (a weekend or public holiday) moves to the day
  after the rest ends; a 调休 make-up Saturday is a working day and does not move.
- 办法 第十八条: time for external 鉴定、检测、评估 is left out (pause kind "appraisal"); 办法 第二十三条: the
  mediation period is not counted (pause kind "mediation"). Paused on day P, resumed on day E: days P+1..E are
  not counted. An open pause counts as resumed "today".
- 办法 第十八条: new facts and reasons restart the period from the day the new material is received; extensions
  and pauses before it are forgotten. A resubmission without new facts within the period merges and leaves
  the clock alone.
- 办法 第十五条: a withdrawal ends the procedure on the day the withdrawal request is received.
- 办法 第二十九条: 重大消费投诉 need an emergency plan; they do NOT shorten the statutory period. The bank's
  fast track is an SOP target (sop.py) and an escalation, never a statutory deadline.
- 办法 第二十条: a review (核查) may be requested within 30 days of receiving the decision; the review decision
  is due within 30 days of receiving the request. Both windows are natural days and roll over rest days
  (民法典 第二百零三条).

Inputs are dates in Asia/Shanghai; the business calendar is passed in (default: fuwu.core.calendar). A
deadline that lands in (or rolls through) a year whose holiday schedule is not entered is flagged
`calendar_unknown`: the Monday–Friday fallback may be wrong (the State Council publishes the schedule each
November).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from fuwu.core import calendar as core_calendar
from fuwu.core.clock import SHANGHAI

EventKind = Literal["extend", "pause", "resume", "restart", "merge", "withdraw"]
PauseKind = Literal["appraisal", "mediation", ""]
State = Literal["running", "paused", "stopped"]


@dataclass(frozen=True)
class Policy:
    base_days: int = 15  # 办法 第十八条
    extended_days: int = 30  # 办法 第十八条: complex cases, to 30 days
    further_days: int = 30  # 办法 第十八条: especially complex, a further 30 days
    review_request_days: int = 30  # 办法 第二十条: the customer asks within 30 days
    review_decision_days: int = 30  # 办法 第二十条: the superior unit decides within 30 days


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Event:
    kind: EventKind
    on: dt.date  # the day it counts from: the day the material or request was received
    level: int = 0  # for "extend": 1 or 2
    pause_kind: str = ""  # for "pause": appraisal | mediation


@dataclass(frozen=True)
class ClockResult:
    start: dt.date  # the day of receipt (or of the restart); not itself counted
    limit_days: int
    due: dt.date
    state: State
    used_days: int  # days counted up to `today` (or to the stop day)
    pauses: tuple[tuple[dt.date, dt.date], ...] = field(default=())
    stopped_on: dt.date | None = None
    calendar_unknown: bool = False  # the due date depends on a year whose schedule is missing

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


def _known_years() -> frozenset[int]:
    from fuwu.complaints.calendar_years import known_years

    return known_years()


def roll_over_rest_days(
    day: dt.date,
    *,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
) -> dt.date:
    """民法典 第二百零三条: a last day on a rest day moves to the first working day after the rest."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def period_end(
    start: dt.date,
    days: int,
    *,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
) -> dt.date:
    """The last day of a period of `days` natural days after `start` (start not counted), rolled over rest days."""
    return roll_over_rest_days(start + dt.timedelta(days=days), is_business_day=is_business_day)


def unknown_years(start: dt.date, end: dt.date, known: Iterable[int] | None = None) -> list[int]:
    """The years in [start, end] whose holiday schedule is not entered."""
    known_set = frozenset(known) if known is not None else _known_years()
    return [y for y in range(start.year, end.year + 1) if y not in known_set]


def compute(
    received: dt.date,
    events: Iterable[Event] = (),
    *,
    today: dt.date,
    policy: Policy = DEFAULT_POLICY,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
    known_years: Iterable[int] | None = None,
) -> ClockResult:
    """Replay `events` over the receipt and tell the deadline and how much of it is used as of `today`."""
    start, limit, level = received, policy.base_days, 0
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
            start, limit, level, pauses, open_pause = event.on, policy.base_days, 0, [], None
        elif event.kind == "withdraw":
            stopped = event.on
            break
        # "merge" is recorded for the record and leaves the clock alone.
    effective_pauses = list(pauses)
    if open_pause is not None:
        effective_pauses.append((open_pause, max(today, open_pause)))

    def counts(day: dt.date) -> bool:
        return not any(p < day <= e for p, e in effective_pauses)

    last = start
    counted = 0
    while counted < limit:
        last += dt.timedelta(days=1)
        if counts(last):
            counted += 1
    due = roll_over_rest_days(last, is_business_day=is_business_day)

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
        calendar_unknown=bool(unknown_years(last, due, known_years)),
    )


def review_request_deadline(
    decision_received: dt.date,
    *,
    policy: Policy = DEFAULT_POLICY,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
) -> dt.date:
    """办法 第二十条: the last day to ask for a review, 30 natural days after the decision is received."""
    return period_end(decision_received, policy.review_request_days, is_business_day=is_business_day)


def review_decision_deadline(
    request_received: dt.date,
    *,
    policy: Policy = DEFAULT_POLICY,
    is_business_day: Callable[[dt.date], bool] = core_calendar.is_business_day,
) -> dt.date:
    """办法 第二十条: the review decision is due 30 natural days after the request is received."""
    return period_end(request_received, policy.review_decision_days, is_business_day=is_business_day)


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline day as the aware moment it ends in Shanghai."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def within_period(result: ClockResult, on: dt.date) -> bool:
    """Whether a resubmission on `on` falls inside the running period (and so merges)."""
    return result.state != "stopped" and result.start <= on <= result.due
