"""Demo floor: every outlet's catalogue and counters, devices for the flagship outlet, and a year of tickets.

History is written in bulk into the same Ticket table the services write (no events: measures read the
ticket timestamps). Each outlet-day is a small queue simulation: customers arrive by the weekday/hour profile
of fuwu.floor.simulate, each goes to the earliest-free counter allowed to serve its business, service times
are right-skewed; some customers are diverted to self-service, some do not answer their call.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from typing import Any

from django.db import connection, transaction

from fuwu.core import calendar, clock
from fuwu.core.services import device_token_issue
from fuwu.customers.models import Customer
from fuwu.floor import catalogue, policy, simulate
from fuwu.floor.models import Counter, ServiceType, Ticket

HISTORY_DAYS = 365
QUICK_DAYS = 5
# History volumes are a share of the live-day volumes so a year of 12 outlets stays quick to build.
HISTORY_SHARE = 0.3
BATCH = 5000


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    for unit in bank.outlets:
        catalogue.install(actor=None, outlet=unit, size=bank.outlet_size[unit.code])
    out.write(f"floor: catalogue and {Counter.objects.count()} counters for {len(bank.outlets)} outlets\n")
    days = QUICK_DAYS if options.get("quick") else HISTORY_DAYS
    count = build_history(bank, days=days)
    out.write(f"floor: {count} historical tickets over {days} days in {time.monotonic() - started:.1f}s\n")
    flagship = next((u for u in bank.outlets if bank.outlet_size[u.code] == "large"), bank.outlets[0])
    for kind in ("kiosk", "display"):
        _token, raw = device_token_issue(actor=None, org_unit=flagship, kind=kind, name=f"demo {kind}")
        out.write(f"floor: {kind} for {flagship.name}: /floor/{kind}/#token={raw}\n")
    out.write(f"floor: live day: fuwu simulate-day --outlet {flagship.code} --speed 30\n")


def build_history(bank: Any, *, days: int) -> int:
    """Bulk-write `days` of tickets (up to yesterday) for every demo outlet; returns how many."""
    rng = random.Random(bank.seed + 3)
    today = clock.today()
    total = 0
    for unit in bank.outlets:
        size = bank.outlet_size[unit.code]
        services = list(ServiceType.objects.filter(outlet=unit, is_active=True))
        counters = list(Counter.objects.filter(outlet=unit))
        tellers = [u for u in bank.staff if u.org_unit_id == unit.pk]
        known = list(
            Customer.objects.filter(home_outlet=unit).values_list(
                "pk", "tier", "is_elderly", "is_disabled", "is_pregnant", "is_military"
            )[:3000]
        )
        rows: list[dict[str, Any]] = []
        for back in range(days, 0, -1):
            day = today - dt.timedelta(days=back)
            if calendar.is_holiday(day) and size in ("small", "county"):
                continue  # small outlets close on public holidays
            rows.extend(_outlet_day(rng, unit, day, size, services, counters, tellers, known))
            if len(rows) >= BATCH:
                total += _flush(rows)
        total += _flush(rows)
    return total


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
}


@transaction.atomic
def _flush(rows: list[dict[str, Any]]) -> int:
    """Insert plain rows with one executemany: a year of tickets is too many for model instances."""
    if not rows:
        return 0
    columns = [str(f.column) for f in Ticket._meta.concrete_fields if not f.primary_key]
    sqlite = connection.vendor == "sqlite"

    def value(v: Any) -> Any:
        if sqlite and isinstance(v, dt.datetime):
            return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if sqlite and isinstance(v, dt.date):
            return v.isoformat()
        return v

    table = connection.ops.quote_name(Ticket._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(value(row.get(c, DEFAULTS.get(c))) for c in columns) for row in rows])
    n = len(rows)
    rows.clear()
    return n


def _outlet_day(
    rng: random.Random,
    unit: Any,
    day: dt.date,
    size: str,
    services: list[ServiceType],
    counters: list[Counter],
    tellers: list[Any],
    known: list[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    volume = simulate.DAILY_VOLUME[size] * HISTORY_SHARE * simulate.day_factor(day)
    arrivals = simulate.arrival_times(rng, day, volume)
    weights = [simulate.MIX.get(s.code, 0.03) for s in services]
    # Weekends and holidays run with fewer windows open.
    open_share = 1.0 if calendar.is_business_day(day) else 0.6
    working = [c for c in counters if rng.random() < open_share] or counters[:1]
    staff_of = {
        c.pk: (tellers[(i + day.toordinal()) % len(tellers)] if tellers else None)
        for i, c in enumerate(working)
    }
    free_at = {c.pk: dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI) for c in working}
    seqs: dict[str, int] = {}
    out = []
    for at in arrivals:
        service = rng.choices(services, weights)[0]
        seqs[service.prefix] = seqs.get(service.prefix, 0) + 1
        seq = seqs[service.prefix]
        customer = rng.choice(known) if known and rng.random() < 0.35 else None
        tier = customer[1] if customer else ""
        special = bool(customer and any(customer[2:]))
        pclass = policy.priority_class(appointment_due=rng.random() < 0.03, tier=tier, special_group=special)
        ticket: dict[str, Any] = {
            "outlet_id": unit.pk,
            "business_date": day,
            "number": f"{service.prefix}{seq:03d}",
            "seq": seq,
            "service_id": service.pk,
            "priority_class": pclass,
            "customer_id": customer[0] if customer else None,
            "customer_tier": tier,
            "is_special_group": special,
            "issued_at": at,
            "queued_at": at,
            "route_key": policy.route_key(at, pclass),
        }
        if pclass == policy.APPOINTMENT_DUE:
            ticket["channel"] = Ticket.Channel.APPOINTMENT
        out.append(ticket)
        if service.code in simulate.DIVERTIBLE and rng.random() < 0.07:
            ticket["status"] = Ticket.Status.DIVERTED
            ticket["diverted_channel"] = rng.choice(
                ["self_service", "smart_counter", "mobile_banking", "online_banking"]
            )
            continue
        allowed = [c for c in working if c.kind in service.counter_kind_list]
        if not allowed:
            ticket["status"] = Ticket.Status.CANCELLED
            continue
        counter = min(allowed, key=lambda c: free_at[c.pk])
        called = max(at, free_at[counter.pk]) + dt.timedelta(seconds=rng.uniform(5, 40))
        staff = staff_of[counter.pk]
        ticket.update(
            counter_id=counter.pk,
            staff_id=staff.pk if staff else None,
            called_at=called,
            last_called_at=called,
        )
        if rng.random() < 0.02:
            ticket["status"] = Ticket.Status.NO_SHOW
            free_at[counter.pk] = called + dt.timedelta(seconds=90)
            continue
        sigma = 0.5
        duration = max(
            45.0, rng.lognormvariate(math.log(service.mean_service_seconds) - sigma * sigma / 2, sigma)
        )
        started = called + dt.timedelta(seconds=rng.uniform(15, 60))
        ticket.update(started_at=started, finished_at=started + dt.timedelta(seconds=duration))
        free_at[counter.pk] = ticket["finished_at"]
    return out
