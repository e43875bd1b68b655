"""Demo floor: every outlet's catalogue and counters, devices for the flagship outlet, and a year of tickets.

History is written in bulk into the same Ticket table the services write (no events: measures read the
ticket timestamps). Each outlet-day is a small queue simulation that behaves like a Chinese bank outlet,
so waits come out as real ones do (several minutes on average, longer at peaks), not as an empty hall:

- arrivals follow the weekday/hour profile of fuwu.floor.simulate, with a crowd at the door at 09:00 and
  busier days at month end, after holidays, before the Spring Festival and on Mondays;
- windows open per the outlet's staffing: the day's tellers (some on leave or training, a weekend rota)
  minus those kept for the back office, high (cash) counters first; one window opens late, lunch is
  taken in two shifts, the wealth room opens when a relationship manager is in;
- a free window calls by the real calling policy (fuwu.floor.policy route keys: appointments, VIP and
  special groups ahead within the bound), the customer walks up, service times are right-skewed and a bit
  slower at some outlets than the catalogue says; customers who waited past their patience are gone when
  called (no-show); lobby staff divert some to self-service; the line is served out after 17:00.

Everything is drawn from one seeded random.Random, so the same seed gives the same year.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from fuwu.core import calendar, clock, roles
from fuwu.core.models import User
from fuwu.core.principals import SYSTEM
from fuwu.core.services import device_token_issue
from fuwu.customers.models import Customer
from fuwu.floor import catalogue, policy, simulate
from fuwu.floor.models import Counter, CounterKind, ServiceType, Ticket

HISTORY_DAYS = 365
QUICK_DAYS = 5
# Counter customers on an ordinary weekday (before day factors): counter traffic of a 2026 outlet, well
# below the live demo day's, since most routine business has moved to mobile banking and machines.
HISTORY_VOLUME = {"large": 180, "medium": 88, "small": 62, "county": 48}
BATCH = 5000


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    for unit in bank.outlets:
        catalogue.install(actor=SYSTEM, outlet=unit, size=bank.outlet_size[unit.code])
    out.write(f"floor: catalogue and {Counter.objects.count()} counters for {len(bank.outlets)} outlets\n")
    days = QUICK_DAYS if options.get("quick") else HISTORY_DAYS
    count = build_history(bank, days=days)
    out.write(f"floor: {count} historical tickets over {days} days in {time.monotonic() - started:.1f}s\n")
    flagship = next((u for u in bank.outlets if bank.outlet_size[u.code] == "large"), bank.outlets[0])
    for kind in ("kiosk", "display"):
        _token, raw = device_token_issue(actor=SYSTEM, org_unit=flagship, kind=kind, name=f"demo {kind}")
        out.write(f"floor: {kind} for {flagship.name}: /floor/{kind}/#token={raw}\n")
    for line in book_demo_appointments(flagship):
        out.write(line + "\n")
    out.write(
        f"floor: live day: fuwu simulate-day --outlet {flagship.code} (real clock, its own windows from 91)\n"
    )


def book_demo_appointments(outlet: Any) -> list[str]:
    """Three appointments around the time the demo is built, to try the kiosk's check-in (#19)."""
    from fuwu.floor.services import appointment_book

    now = clock.now().replace(second=0, microsecond=0)
    lines = [f"floor: appointment codes to check in at the kiosk of {outlet.name} (预约签到):"]
    for offset, what in ((10, "valid now"), (180, "too early: says when to come"), (-120, "expired")):
        a = appointment_book(
            actor=SYSTEM,
            outlet=outlet,
            service_code="OPEN" if offset > 0 else "CASH",
            starts_at=now + dt.timedelta(minutes=offset),
            customer_name="预约客户",
        )
        lines.append(f"  {a.code}  {a.starts_at.astimezone(clock.SHANGHAI):%H:%M}  {what}")
    return lines


def build_history(bank: Any, *, days: int) -> int:
    """Bulk-write `days` of tickets (up to yesterday) for every demo outlet; returns how many."""
    rng = random.Random(bank.seed + 3)
    today = clock.today()
    total = 0
    rows: list[tuple[Any, ...]] = []
    for unit in bank.outlets:
        size = bank.outlet_size[unit.code]
        plan = _OutletPlan.of(unit, size, bank.staff, rng)
        for back in range(days, 0, -1):
            day = today - dt.timedelta(days=back)
            if calendar.is_holiday(day) and size in ("small", "county"):
                continue  # small outlets close on public holidays
            rows.extend(_outlet_day(rng, plan, day))
            if len(rows) >= BATCH:
                total += _flush(rows)
        total += _flush(rows)
    return total


# --- one outlet-day ----------------------------------------------------------------------------------

H, L, V, W = CounterKind.HIGH, CounterKind.LOW, CounterKind.VIP, CounterKind.WEALTH
# Which window a teller takes first when few are on the floor: cash first, then non-cash, then the VIP
# window (it serves everyone, VIPs first), then more of each.
OPENING_ORDER = (H, L, V, H, L, H, L, V, H, L)
# Share of the tellers present who sit at a window; the rest do back office, cash centre and authorisation.
WINDOW_SHARE = 0.5
ABSENT = 0.08  # leave, training, sick on a business day
WEEKEND_ROTA = 0.5  # share of tellers working a weekend or holiday
RUSH = 0.08  # share of the day's customers already at the door at 09:00
PATIENCE_MEAN = 60 * 60.0  # beyond this (exponential, after a first 10 minutes) a customer may give up
DIVERT_SHARE = 0.07
FLEX_QUEUE = 6  # customers in line before a flexible window calls
FLEX_CHECK = 300.0  # seconds between a flexible window's looks at the line
NO_SHOW_SHARE = 0.02  # gone for other reasons (stepped out, wrong business)
DIVERT_TO = ("self_service", "smart_counter", "mobile_banking", "online_banking")


def history_day_factor(day: dt.date) -> float:
    """Arrivals relative to an ordinary weekday: simulate.day_factor, plus a quarter's last days, the day
    after a long holiday and the fortnight before the Spring Festival (cash for red envelopes, wages)."""
    factor = simulate.day_factor(day)
    if not calendar.is_business_day(day):
        return factor
    if day.month in (3, 6, 9, 12) and (day + dt.timedelta(days=3)).month != day.month:
        factor *= 1.1
    if calendar.is_holiday(day - dt.timedelta(days=1)) and calendar.is_holiday(day - dt.timedelta(days=3)):
        factor *= 1.15  # after a long break the backlog is larger than after a single day off
    if any(_is_spring_festival(day + dt.timedelta(days=ahead)) for ahead in (7, 14)):
        factor *= 1.2
    return factor


def _is_spring_festival(day: dt.date) -> bool:
    return "春节" in calendar.holiday_name(day)


@dataclass
class _Window:
    kind: str
    counter_id: int
    staff_id: int | None
    shifts: list[tuple[float, float]]  # open stretches, seconds from 09:00; the last one runs until idle
    # A flexible window (弹性窗口): its teller works the back office and calls only while the line is long.
    flex: bool = False


@dataclass
class _OutletPlan:
    """What does not change from day to day at one outlet: catalogue, counters, crew, known customers."""

    unit_id: int
    size: str
    services: list[ServiceType]
    cum_weights: list[float]
    # Per counter kind: indexes into `services` it may serve.
    eligible: dict[str, tuple[int, ...]]
    counters: dict[str, list[int]]
    vip_only: frozenset[int]  # businesses only VIP counters or the wealth room serve
    tellers: list[int]
    rms: list[int]
    known: list[tuple[Any, ...]]
    # Each outlet is slower than the catalogue's typical times by its own factor: what is left at the
    # counter in 2026 is the business machines and apps cannot do, for older customers.
    pace: float
    lead: tuple[float, ...] = ()  # seconds of priority lead per class (fuwu.floor.policy)

    @classmethod
    def of(cls, unit: Any, size: str, staff: Sequence[Any], rng: random.Random) -> _OutletPlan:
        services = list(ServiceType.objects.filter(outlet=unit, is_active=True).order_by("sort_order", "pk"))
        counters: dict[str, list[int]] = {}
        for c in Counter.objects.filter(outlet=unit).order_by("number"):
            counters.setdefault(c.kind, []).append(c.pk)
        eligible = {
            kind: tuple(i for i, s in enumerate(services) if kind in s.counter_kind_list) for kind in counters
        }
        mine = [u.pk for u in staff if u.org_unit_id == unit.pk]
        by_role: dict[str, list[int]] = {}
        for pk, role in (
            User.objects.filter(pk__in=mine, groups__name__in=[roles.TELLER, roles.RM])
            .order_by("pk")
            .values_list("pk", "groups__name")
        ):
            by_role.setdefault(role, []).append(pk)
        weights = [simulate.MIX.get(s.code, 0.03) for s in services]
        total = sum(weights) or 1.0
        cum, acc = [], 0.0
        for w in weights:
            acc += w / total
            cum.append(acc)
        known = list(
            Customer.objects.filter(home_outlet=unit)
            .order_by("pk")
            .values_list("pk", "tier", "is_elderly", "is_disabled", "is_pregnant", "is_military")[:3000]
        )
        return cls(
            unit_id=unit.pk,
            size=size,
            services=services,
            cum_weights=cum,
            eligible=eligible,
            counters=counters,
            vip_only=frozenset(
                i for i, s in enumerate(services) if set(s.counter_kind_list) <= {str(V), str(W)}
            ),
            tellers=by_role.get(roles.TELLER) or mine,
            rms=by_role.get(roles.RM, []),
            known=known,
            pace=rng.uniform(1.15, 1.45),
            lead=tuple(policy.lead(c).total_seconds() for c in range(policy.NORMAL + 1)),
        )


def _windows(rng: random.Random, plan: _OutletPlan, business_day: bool) -> list[_Window]:
    """Which windows open today, who sits there and when (09:00 = 0 s)."""
    if business_day:
        present = [t for t in plan.tellers if rng.random() >= ABSENT]
    else:
        present = [t for t in plan.tellers if rng.random() < WEEKEND_ROTA]
    present = present or plan.tellers[:1]  # someone always opens the outlet
    # At least one window of each kind the outlet has among high, low and VIP, so every business is served.
    core = sum(1 for k in (H, L, V) if plan.counters.get(k))
    crew = max(core, round(len(present) * WINDOW_SHARE))
    free = {kind: list(ids) for kind, ids in plan.counters.items()}
    windows: list[_Window] = []
    for kind in OPENING_ORDER:
        if len(windows) == crew:
            break
        if free.get(kind):
            staff = present[len(windows) % len(present)] if present else None
            windows.append(_Window(kind, free[kind].pop(0), staff, [], flex=len(windows) >= core))
    for i, w in enumerate(windows):
        start = rng.uniform(0, 180)
        if i == len(windows) - 1 and len(windows) >= 3:
            start = rng.uniform(1200, 2700)  # cash box and vouchers first: this window opens late
        if len(windows) >= 2:
            # Two lunch shifts from 11:45 and 12:30, so about half the windows stay open.
            lunch = 2.75 * 3600 + (i % 2) * 2700 + rng.uniform(0, 600)
            w.shifts = [(start, lunch), (lunch + rng.uniform(1800, 2400), math.inf)]
        else:
            w.shifts = [(start, math.inf)]
    rms = [r for r in plan.rms if rng.random() >= ABSENT]
    if business_day and rms and plan.counters.get(W) and rng.random() < 0.85:
        lunch = 3 * 3600 + rng.uniform(0, 900)
        windows.append(
            _Window(
                W,
                plan.counters[W][0],
                rms[0],
                [(rng.uniform(600, 1800), lunch), (lunch + 3600, 7.5 * 3600)],
            )
        )
    return windows


def _arrivals(rng: random.Random, volume: float) -> list[float]:
    """Seconds after 09:00: a crowd at the door, then Poisson arrivals following simulate.HOURLY."""
    out = [rng.uniform(0, 300) for _ in range(int(volume * RUSH + rng.random()))]
    out += simulate.arrival_offsets(rng, volume * (1 - RUSH))
    out.sort()
    return out


def _outlet_day(rng: random.Random, plan: _OutletPlan, day: dt.date) -> list[tuple[Any, ...]]:
    """One day at one outlet as rows in TICKET_COLUMNS order."""
    business_day = calendar.is_business_day(day)
    volume = HISTORY_VOLUME[plan.size] * history_day_factor(day) * rng.lognormvariate(0, 0.12)
    arrivals = _arrivals(rng, volume)
    windows = _windows(rng, plan, business_day)
    services = plan.services
    nserv = len(services)
    lead = plan.lead
    seqs: dict[str, int] = {}
    tickets: list[list[Any]] = []
    # Per business: heap of (route key, arrival order, ticket index) of customers in line.
    lines: list[list[tuple[float, int, int]]] = [[] for _ in range(nserv)]
    patience: list[float] = []
    for at in arrivals:
        si = min(bisect.bisect_left(plan.cum_weights, rng.random()), nserv - 1)
        service = services[si]
        seqs[service.prefix] = seqs.get(service.prefix, 0) + 1
        customer = rng.choice(plan.known) if plan.known and rng.random() < 0.35 else None
        tier = customer[1] if customer else ""
        special = bool(customer and any(customer[2:]))
        pclass = policy.priority_class(appointment_due=rng.random() < 0.03, tier=tier, special_group=special)
        # [arrival, service index, seq, class, customer, status, window, called, started, finished, diverted]
        ticket: list[Any] = [at, si, seqs[service.prefix], pclass, customer, Ticket.Status.WAITING]
        ticket += [None, None, None, None, ""]
        tickets.append(ticket)
        patience.append(600 + rng.expovariate(1 / PATIENCE_MEAN))
        if service.code in simulate.DIVERTIBLE and rng.random() < DIVERT_SHARE:
            ticket[5] = Ticket.Status.DIVERTED  # lobby staff send them to a machine or the app
            ticket[10] = rng.choice(DIVERT_TO)

    # Event loop: each window, when free, takes the waiting ticket with the smallest route key among the
    # businesses it may serve, as ticket_call_next does.
    free: list[tuple[float, int]] = [(w.shifts[0][0], i) for i, w in enumerate(windows)]
    heapq.heapify(free)
    nxt = 0  # next arrival not yet in line
    in_line = 0
    total = len(tickets)
    while free:
        now, wi = heapq.heappop(free)
        window = windows[wi]
        # Breaks: a window that comes free outside its shifts waits for the next one, or closes.
        shift = next(((a, b) for a, b in window.shifts if now < b), None)
        if shift is None:
            continue
        if now < shift[0]:
            heapq.heappush(free, (shift[0], wi))
            continue
        while nxt < total and tickets[nxt][0] <= now:
            t = tickets[nxt]
            if t[5] == Ticket.Status.WAITING:
                heapq.heappush(lines[t[1]], (t[0] - lead[t[3]], nxt, nxt))
                in_line += 1
            nxt += 1
        if window.flex and in_line < FLEX_QUEUE and nxt < total:
            heapq.heappush(free, (now + FLEX_CHECK, wi))  # back office until the line grows
            continue
        # The VIP window keeps itself for priority customers unless the line is long (or only it may serve).
        reserved = window.kind == V and in_line < FLEX_QUEUE
        best: tuple[float, int, int] | None = None
        for si in plan.eligible.get(window.kind, ()):
            if not lines[si] or (best is not None and lines[si][0] >= best):
                continue
            if reserved and si not in plan.vip_only and tickets[lines[si][0][2]][3] == policy.NORMAL:
                continue
            best = lines[si][0]
        if best is None:
            if nxt < total:
                heapq.heappush(free, (max(now, tickets[nxt][0]), wi))
            continue  # nothing left for this window today
        ti = best[2]
        heapq.heappop(lines[tickets[ti][1]])
        in_line -= 1
        t = tickets[ti]
        called = now + rng.uniform(3, 20)
        t[6], t[7] = wi, called
        if called - t[0] > patience[ti] or rng.random() < NO_SHOW_SHARE:
            t[5] = Ticket.Status.NO_SHOW  # called, recalled, nobody came
            heapq.heappush(free, (called + rng.uniform(60, 120), wi))
            continue
        mean = services[t[1]].mean_service_seconds * plan.pace
        duration = max(45.0, rng.lognormvariate(math.log(mean) - 0.125, 0.5))
        t[5] = Ticket.Status.FINISHED
        t[8] = called + rng.uniform(15, 60)
        t[9] = t[8] + duration
        heapq.heappush(free, (t[9] + rng.uniform(5, 30), wi))
    return _rows(plan, day, tickets, windows)


def _rows(
    plan: _OutletPlan, day: dt.date, tickets: list[list[Any]], windows: list[_Window]
) -> list[tuple[Any, ...]]:
    """The day's tickets as insert rows (a year is ~350,000: built from a template, times formatted once)."""
    opening = dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI)
    sqlite = connection.vendor == "sqlite"
    # Django keeps SQLite datetimes as naive UTC text; PostgreSQL takes aware datetimes as they are.
    base = opening.astimezone(dt.UTC).replace(tzinfo=None) if sqlite else opening
    second = dt.timedelta(seconds=1)

    def at(offset: float) -> Any:
        moment = base + offset * second
        return moment.isoformat(" ", "microseconds") if sqlite else moment

    template = list(_TEMPLATE)
    template[_COL["outlet_id"]] = plan.unit_id
    template[_COL["business_date"]] = day.isoformat() if sqlite else day
    lead = plan.lead
    out = []
    for arrival, si, seq, pclass, customer, status, wi, called, started, finished, diverted in tickets:
        service = plan.services[si]
        row = template.copy()
        issued = at(arrival)
        row[_NUMBER] = f"{service.prefix}{seq:03d}"
        row[_SEQ] = seq
        row[_SERVICE] = service.pk
        row[_PRIORITY] = pclass
        row[_ISSUED] = row[_QUEUED] = issued
        row[_ROUTE] = at(arrival - lead[pclass])
        if pclass == policy.APPOINTMENT_DUE:
            row[_CHANNEL] = Ticket.Channel.APPOINTMENT
        if customer is not None:
            row[_CUSTOMER], row[_TIER] = customer[0], customer[1]
            row[_SPECIAL] = any(customer[2:])
        # Still in line when the last window closed: the day's close cancels it, as tickets_close_day does.
        row[_STATUS] = Ticket.Status.CANCELLED if status == Ticket.Status.WAITING else status
        if wi is not None:
            window = windows[wi]
            row[_COUNTER], row[_STAFF] = window.counter_id, window.staff_id
            row[_CALLED] = row[_LAST_CALLED] = at(called)
        if finished is not None:
            row[_STARTED], row[_FINISHED] = at(started), at(finished)
        if diverted:
            row[_DIVERTED] = diverted
        out.append(tuple(row))
    return out


DEFAULTS: dict[str, Any] = {
    "status": Ticket.Status.FINISHED,
    "priority_class": policy.NORMAL,
    "customer_id": None,
    "customer_tier": "",
    "is_special_group": False,
    "counter_id": None,
    "staff_id": None,
    "called_at": None,
    "last_called_at": None,
    "started_at": None,
    "finished_at": None,
    "recall_count": 0,
    "transferred_from_id": None,
    "referred_to_id": None,
    "diverted_channel": "",
    "appointment_code": "",
    "external_id": None,
    "required_counter_kind": "",
    "estimated_wait_seconds": None,
    "channel": Ticket.Channel.KIOSK,
    "is_simulated": False,
}
TICKET_COLUMNS = [str(f.column) for f in Ticket._meta.concrete_fields if not f.primary_key]
_COL = {c: i for i, c in enumerate(TICKET_COLUMNS)}
_TEMPLATE = tuple(DEFAULTS.get(c) for c in TICKET_COLUMNS)
(_NUMBER, _SEQ, _SERVICE, _PRIORITY, _ISSUED, _QUEUED, _ROUTE, _CHANNEL, _CUSTOMER, _TIER, _SPECIAL) = (
    _COL[c]
    for c in (
        "number",
        "seq",
        "service_id",
        "priority_class",
        "issued_at",
        "queued_at",
        "route_key",
        "channel",
        "customer_id",
        "customer_tier",
        "is_special_group",
    )
)
(_STATUS, _COUNTER, _STAFF, _CALLED, _LAST_CALLED, _STARTED, _FINISHED, _DIVERTED) = (
    _COL[c]
    for c in (
        "status",
        "counter_id",
        "staff_id",
        "called_at",
        "last_called_at",
        "started_at",
        "finished_at",
        "diverted_channel",
    )
)


@transaction.atomic
def _flush(rows: list[tuple[Any, ...]]) -> int:
    """Insert plain rows with one executemany: a year of tickets is too many for model instances."""
    if not rows:
        return 0
    table = connection.ops.quote_name(Ticket._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in TICKET_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(TICKET_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    n = len(rows)
    rows.clear()
    return n
