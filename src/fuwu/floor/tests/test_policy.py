"""The calling policy's fairness property (hypothesis), and that the database query applies the same policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.floor import policy, services
from fuwu.floor.models import Ticket
from fuwu.floor.tests.factories import floor

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
BOUND = dt.timedelta(minutes=15)
KINDS = {1: frozenset({"high"}), 2: frozenset({"low"}), 3: frozenset({"high", "low"})}

arrivals = st.lists(
    st.tuples(st.integers(0, 3600), st.sampled_from([0, 1, 2, 3]), st.sampled_from([1, 2, 3])),
    min_size=1,
    max_size=60,
)
services_times = st.lists(st.integers(30, 900), min_size=1, max_size=20)


def simulate(
    tickets: list[policy.Waiting], counter_kinds: list[str], durations: list[int]
) -> list[tuple[dt.datetime, policy.Waiting, list[policy.Waiting]]]:
    """Run counters over the arrivals; return (call time, called ticket, tickets it was eligible against)."""
    free = [T0 for _ in counter_kinds]
    pending = sorted(tickets, key=lambda w: (w.queued_at, w.id))
    served: list[tuple[dt.datetime, policy.Waiting, list[policy.Waiting]]] = []
    step = 0
    while pending:
        i = min(range(len(free)), key=lambda k: free[k])
        now = max(free[i], min(w.queued_at for w in pending))
        waiting = [w for w in pending if w.queued_at <= now]
        pick = policy.next_for(waiting, counter_kinds[i], KINDS, BOUND)
        if pick is None:
            # nothing for this counter yet: it waits for the next arrival it may serve
            later = [
                w.queued_at
                for w in pending
                if w.queued_at > now and policy.eligible(w, counter_kinds[i], KINDS)
            ]
            if not later:
                free.pop(i)
                counter_kinds = counter_kinds[:i] + counter_kinds[i + 1 :]
                if not free:
                    break
                continue
            free[i] = min(later)
            continue
        rivals = [w for w in waiting if w is not pick and policy.eligible(w, counter_kinds[i], KINDS)]
        served.append((now, pick, rivals))
        pending.remove(pick)
        free[i] = now + dt.timedelta(seconds=durations[step % len(durations)])
        step += 1
    return served


def to_waiting(raw: list[tuple[int, int, int]]) -> list[policy.Waiting]:
    return [
        policy.Waiting(id=i, queued_at=T0 + dt.timedelta(seconds=s), priority_class=c, service_id=svc)
        for i, (s, c, svc) in enumerate(raw)
    ]


@settings(max_examples=300, deadline=None)
@given(arrivals, services_times, st.lists(st.sampled_from(["high", "low"]), min_size=1, max_size=4))
def test_no_ticket_is_overtaken_by_one_that_arrived_more_than_the_bound_later(
    raw: list[tuple[int, int, int]],
    durations: list[int],
    counter_kinds: list[str],
) -> None:
    for _, called, rivals in simulate(to_waiting(raw), list(counter_kinds), durations):
        for other in rivals:
            assert called.queued_at <= other.queued_at + BOUND


@settings(max_examples=300, deadline=None)
@given(arrivals, services_times)
def test_priority_tickets_are_never_overtaken_by_later_lower_classes(
    raw: list[tuple[int, int, int]],
    durations: list[int],
) -> None:
    for _, called, rivals in simulate(to_waiting(raw), ["high"], durations):
        for other in rivals:
            if other.priority_class < called.priority_class:
                assert other.queued_at > called.queued_at


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 1800), st.sampled_from(["CASH", "OPEN", "XFER"]), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_database_calls_in_the_policy_order(world: Any, raw: list[tuple[int, str, bool]]) -> None:
    if not hasattr(world, "_floor"):
        world._floor = floor(world.outlet_a, size="small")
    Ticket.objects.all().delete()
    counters = world._floor
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    issued = []
    try:
        for offset, code, appointment in sorted(raw):
            clock.set_clock(start + dt.timedelta(seconds=offset), speed=0)
            booked = (
                services.appointment_book(
                    actor=SYSTEM, outlet=world.outlet_a, service_code=code, starts_at=clock.now()
                ).code
                if appointment
                else None
            )
            t = services.ticket_issue(
                actor=SYSTEM, outlet=world.outlet_a, service_code=code, appointment_code=booked
            )
            issued.append(t)
        clock.advance(dt.timedelta(hours=1))
        kinds = {t.service_id: frozenset(t.service.counter_kind_list) for t in issued}
        line = [
            policy.Waiting(
                id=t.pk, queued_at=t.issued_at, priority_class=t.priority_class, service_id=t.service_id
            )
            for t in issued
        ]
        for counter in [counters["low1"], counters["high1"], counters["vip1"]] * len(issued):
            expected = policy.next_for(line, counter.kind, kinds)
            got = services.ticket_call_next(actor=SYSTEM, counter=counter)
            assert (got.pk if got else None) == (expected.id if expected else None)
            if got is not None:
                line = [w for w in line if w.id != got.pk]
                services.ticket_no_show(actor=SYSTEM, ticket=got)
    finally:
        clock.reset()
