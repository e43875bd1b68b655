"""A business day of customers driven through the real floor services (demo live day, Q6 measurement).

Customers arrive by a weekday/hour profile, lobby staff divert some, counters call, serve, transfer and refer
through `fuwu.floor.services`, with the clock either jumping from event to event (measurement: a day in
seconds) or on the real clock (the live demo, #19). The live day never warps the clock: an accelerated
clock stamped tickets hours ahead of the server's, so the kiosk promised waits from customers not yet
arrived and the pad asked a real customer to rate a ticket "finished" in the afternoon. Live, it works
its own counters (`simulation_counters`, which no person may open) and marks its tickets `is_simulated`:
floor.policy keeps the two lines apart, so a person's call-next never takes a simulated customer and the
simulation never takes a person's, and the pad never offers a simulated ticket for a rating.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fuwu.core import calendar, clock
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM
from fuwu.floor import estimates, selectors, services
from fuwu.floor.models import Counter, ServiceType, Ticket

# Share of a day's arrivals per opening hour (Asia/Shanghai), 09:00–16:59.
HOURLY = {9: 0.10, 10: 0.16, 11: 0.15, 12: 0.09, 13: 0.09, 14: 0.14, 15: 0.16, 16: 0.11}
# Business mix by service code (absent codes get a small share).
MIX = {"CASH": 0.34, "XFER": 0.24, "OPEN": 0.14, "WLTH": 0.09, "CORP": 0.08, "LOAN": 0.06}
DAILY_VOLUME = {"large": 520, "medium": 300, "small": 180, "county": 110}
DIVERTIBLE = {"CASH", "XFER"}


def day_factor(day: dt.date) -> float:
    """Arrivals relative to an ordinary weekday: Mondays, month end and the day after a holiday are busy."""
    if calendar.is_holiday(day):
        return 0.3
    if not calendar.is_business_day(day):
        return 0.5
    factor = {0: 1.2, 4: 1.1}.get(day.weekday(), 1.0)
    if (day + dt.timedelta(days=3)).month != day.month:
        factor *= 1.3
    if calendar.is_holiday(day - dt.timedelta(days=1)):
        factor *= 1.4
    return factor


def arrival_offsets(rng: random.Random, volume: float) -> list[float]:
    """Poisson arrivals over the opening hours following HOURLY, as seconds after 09:00, in order."""
    out: list[float] = []
    for hour, share in HOURLY.items():
        start = (hour - 9) * 3600.0
        rate = volume * share / 3600.0
        t = 0.0
        while rate > 0:
            t += rng.expovariate(rate)
            if t >= 3600:
                break
            out.append(start + t)
    return out


def arrival_times(rng: random.Random, day: dt.date, volume: float) -> list[dt.datetime]:
    """Poisson arrivals over the opening hours following HOURLY."""
    opening = dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI)
    return [opening + dt.timedelta(seconds=offset) for offset in arrival_offsets(rng, volume)]


def true_service_seconds(rng: random.Random, mean: float) -> float:
    """Service times are right-skewed: lognormal with the given mean."""
    sigma = 0.5
    return max(45.0, rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma))


@dataclass
class Observation:
    ticket_id: int
    service: str
    estimate: int | None
    naive: int
    actual: float | None = None


@dataclass
class DayResult:
    issued: int = 0
    finished: int = 0
    diverted: int = 0
    no_show: int = 0
    transferred: int = 0
    referred: int = 0
    observations: dict[int, Observation] = field(default_factory=dict)

    def wait_errors(self) -> tuple[float, float, int]:
        """Mean absolute error (s) of our estimate and of the naive one, over tickets that were called."""
        rows = [
            (float(o.estimate), float(o.naive), o.actual)
            for o in self.observations.values()
            if o.actual is not None and o.estimate is not None
        ]
        if not rows:
            return 0.0, 0.0, 0
        ours = sum(abs(est - actual) for est, _, actual in rows) / len(rows)
        naive = sum(abs(nv - actual) for _, nv, actual in rows) / len(rows)
        return ours, naive, len(rows)


class _Clock:
    """Either jump the frozen clock to each event, or wait for the real clock to reach it."""

    def __init__(self, live: bool, stop: Callable[[], bool]) -> None:
        self.live, self.stop = live, stop

    def reach(self, at: dt.datetime) -> bool:
        if not self.live:
            clock.set_clock(at, speed=0)
            return True
        while clock.now() < at:
            if self.stop():
                return False
            time.sleep(min(0.5, max(0.01, (at - clock.now()).total_seconds())))
        return True


def live_opening(now: dt.datetime) -> dt.datetime:
    """Where the live day's profile starts: today's 09:00 inside opening hours, else now (a demo after hours
    still plays a whole day's shape, on the real clock)."""
    local = now.astimezone(clock.SHANGHAI)
    if min(HOURLY) <= local.hour <= max(HOURLY):
        return dt.datetime.combine(local.date(), dt.time(9), tzinfo=clock.SHANGHAI)
    return now.replace(microsecond=0)


# The simulation's own windows are numbered from here, clear of an outlet's real ones.
SIMULATED_NUMBERS = 91


def simulation_counters(outlet: OrgUnit) -> list[Counter]:
    """The live day's own counters at `outlet`, one for each of the outlet's real ones (same kind), made
    on first use: the simulation serves as many customers as the outlet's windows would."""
    mine = list(Counter.objects.filter(outlet=outlet, is_simulated=True).order_by("number"))
    if mine:
        return mine
    real = Counter.objects.filter(outlet=outlet, is_simulated=False).order_by("number")
    return [
        services.counter_save(
            actor=SYSTEM,
            outlet=outlet,
            code=f"{outlet.code}-SIM{i + 1:02d}",
            number=SIMULATED_NUMBERS + i,
            kind=c.kind,
            is_simulated=True,
        )
        for i, c in enumerate(real)
    ]


def simulate_day(
    *,
    outlet: OrgUnit,
    day: dt.date,
    rng: random.Random,
    volume: float | None = None,
    live: bool = False,
    stop: Callable[[], bool] = lambda: False,
    measure: bool = False,
    log: Callable[[str], None] | None = None,
) -> DayResult:
    """Run one business day at `outlet` through the services: clock jumps (`day`), or live on the real clock
    from now (`day` is then today), on its own counters and line."""
    catalogue = {s.code: s for s in ServiceType.objects.filter(outlet=outlet, is_active=True)}
    counters = (
        simulation_counters(outlet)
        if live
        else list(Counter.objects.filter(outlet=outlet, is_simulated=False).order_by("number"))
    )
    if not catalogue or not counters:
        return DayResult()
    size_volume = volume if volume is not None else 150.0
    started = clock.now()
    opening = live_opening(started) if live else dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI)
    arrivals = [
        opening + dt.timedelta(seconds=offset)
        for offset in arrival_offsets(rng, size_volume * day_factor(clock.business_date(opening)))
    ]
    if live:
        arrivals = [at for at in arrivals if at >= started]
    codes = list(catalogue)
    weights = [MIX.get(c, 0.03) for c in codes]
    true_mean = {c: s.mean_service_seconds * rng.uniform(0.85, 1.25) for c, s in catalogue.items()}
    rms = list(
        User.objects.filter(org_unit=outlet, staff_code__isnull=False, groups__name="relationship_manager")
    )
    tellers = list(
        User.objects.filter(org_unit=outlet, groups__name__in=["teller", "relationship_manager"])
        .distinct()
        .order_by("pk")
    )
    result = DayResult()
    seq = itertools.count()
    events: list[tuple[dt.datetime, int, str, Any]] = []

    def push(at: dt.datetime, kind: str, payload: Any) -> None:
        heapq.heappush(events, (at, next(seq), kind, payload))

    runner = _Clock(live, stop)
    idle: list[Counter] = []

    def wake(at: dt.datetime) -> None:
        for counter in idle:
            push(at, "free", counter)
        idle.clear()

    for at in arrivals:
        push(at, "arrive", None)
    first = max(opening, started) if live else opening
    for i, counter in enumerate(counters):
        # Live, its counters open with no one on duty: no person's day is credited with simulated customers.
        teller = None if live or i >= len(tellers) else tellers[i]
        push(first + dt.timedelta(seconds=i * 7), "open", (counter, teller))

    while events:
        at, _, kind, payload = heapq.heappop(events)
        if not runner.reach(at):
            break
        now = clock.now()
        if kind == "open":
            counter, teller = payload
            held = selectors.counter_current(
                fetched_by=SYSTEM, counter=counter
            )  # left over from an interrupted run
            if held is not None:
                step = (
                    services.ticket_no_show if held.status == Ticket.Status.CALLED else services.ticket_finish
                )
                step(actor=SYSTEM, ticket=held)
            services.counter_set_open(actor=teller or SYSTEM, counter=counter, is_open=True)
            push(now, "free", counter)
        elif kind == "arrive":
            code = rng.choices(codes, weights)[0]
            t = services.ticket_issue(actor=SYSTEM, outlet=outlet, service_code=code, simulated=live)
            result.issued += 1
            wake(now)
            if measure:
                result.observations[t.pk] = Observation(
                    t.pk, code, t.estimated_wait_seconds, estimates.naive_wait(outlet, t, now=now)
                )
            if code in DIVERTIBLE and rng.random() < 0.07:
                push(now + dt.timedelta(seconds=rng.uniform(60, 300)), "divert", t)
        elif kind == "divert":
            ticket = Ticket.objects.get(pk=payload.pk)
            if ticket.status == Ticket.Status.WAITING:
                services.ticket_divert(
                    actor=SYSTEM, ticket=ticket, channel=rng.choice(list(services.DIVERT_CHANNELS))
                )
                result.diverted += 1
                result.observations.pop(ticket.pk, None)
        elif kind == "free":
            counter = payload
            called = services.ticket_call_next(actor=SYSTEM, counter=counter)
            if called is None:
                idle.append(counter)  # woken by the next arrival or transfer
                continue
            obs = result.observations.get(called.pk)
            if obs is not None and called.called_at is not None:
                obs.actual = (called.called_at - called.issued_at).total_seconds()
            if rng.random() < 0.03:
                push(now + dt.timedelta(seconds=45), "recall", called)
            else:
                push(now + dt.timedelta(seconds=rng.uniform(15, 60)), "start", called)
        elif kind == "recall":
            services.ticket_recall(actor=SYSTEM, ticket=payload)
            if rng.random() < 0.5:
                push(now + dt.timedelta(seconds=60), "no_show", payload)
            else:
                push(now + dt.timedelta(seconds=30), "start", payload)
        elif kind == "no_show":
            t = services.ticket_no_show(actor=SYSTEM, ticket=payload)
            result.no_show += 1
            push(now, "free", t.counter)
        elif kind == "start":
            t = services.ticket_start(actor=SYSTEM, ticket=payload)
            duration = true_service_seconds(rng, true_mean[t.service.code])
            roll = rng.random()
            if roll < 0.03 and len(catalogue) > 1:
                push(now + dt.timedelta(seconds=duration * 0.3), "transfer", t)
            else:
                if roll < 0.06 and rms:
                    push(now + dt.timedelta(seconds=duration * 0.8), "refer", t)
                push(now + dt.timedelta(seconds=duration), "finish", t)
        elif kind == "refer":
            services.ticket_refer(actor=SYSTEM, ticket=payload, staff_code=rng.choice(rms).staff_code or "")
            result.referred += 1
        elif kind == "transfer":
            t = payload
            target = rng.choice([c for c in codes if c != t.service.code])
            try:
                onward = services.ticket_transfer(actor=SYSTEM, ticket=t, service_code=target)
            except ValidationFailed:
                push(now, "finish", t)
                continue
            result.transferred += 1
            wake(now)
            push(now, "free", t.counter)
            if onward.service.code not in true_mean:
                true_mean[onward.service.code] = onward.service.mean_service_seconds
        elif kind == "finish":
            t = services.ticket_finish(actor=SYSTEM, ticket=payload)
            result.finished += 1
            push(now, "free", t.counter)
            if log is not None:
                log(f"{now.astimezone(clock.SHANGHAI):%H:%M} {t.number} finished at {t.counter}")
    if not live:
        clock.reset()
    return result
