"""A demo that tells the truth (#19): the live day runs on the server's clock, keeps off counters a person
holds, and neither the kiosk's estimate nor the pad is fooled by simulated or future-stamped tickets."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.feedback.tests import factories as feedback_factories
from fuwu.floor import services
from fuwu.floor.models import Ticket
from fuwu.floor.simulate import live_opening, simulate_day
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


def test_live_day_stamps_nothing_ahead_of_the_clock_and_keeps_off_a_persons_counter(
    world: Any, seeded_calendar: Any
) -> None:
    counters = floor(world.outlet_a, size="small")
    mine = counters["high1"]
    services.counter_set_open(actor=world.teller_a, counter=mine, is_open=True)
    # The server's clock, here running an hour per real second so the day takes seconds; the simulation
    # must follow it, not set its own.
    start = dt.datetime(2026, 3, 3, 15, 30, tzinfo=clock.SHANGHAI)
    clock.set_clock(start, speed=3600)
    try:
        result = simulate_day(
            outlet=world.outlet_a, day=start.date(), rng=random.Random(5), volume=60, live=True
        )
        end = clock.now()
    finally:
        clock.reset()
    tickets = Ticket.objects.filter(outlet=world.outlet_a)
    assert result.issued > 3 and tickets.count() >= result.issued
    assert all(t.is_simulated for t in tickets)
    # Customers arrive from now on, never back-dated to 09:00 nor stamped after the clock.
    assert min(t.issued_at for t in tickets) >= start
    stamps = [s for t in tickets for s in (t.issued_at, t.called_at, t.started_at, t.finished_at) if s]
    assert max(stamps) <= end
    assert not tickets.filter(counter=mine).exists()
    mine.refresh_from_db()
    assert mine.staff_id == world.teller_a.pk


def test_live_day_after_hours_plays_the_day_from_now() -> None:
    evening = dt.datetime(2026, 3, 3, 20, 15, 7, tzinfo=clock.SHANGHAI)
    assert live_opening(evening) == evening
    morning = dt.datetime(2026, 3, 3, 10, 20, tzinfo=clock.SHANGHAI)
    assert live_opening(morning) == dt.datetime(2026, 3, 3, 9, 0, tzinfo=clock.SHANGHAI)


def test_kiosk_estimate_ignores_a_call_stamped_hours_ahead(world: Any, seeded_calendar: Any) -> None:
    counters = floor(world.outlet_a, size="small")
    high = [counters["high1"]]  # the only open counter once it has called
    now = dt.datetime(2026, 3, 3, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(now + dt.timedelta(hours=3)):  # a clock three hours ahead called this one
        ahead = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
        services.ticket_call_next(actor=SYSTEM, counter=high[0])
    with clock.frozen(now):
        t = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    assert Ticket.objects.get(pk=ahead.pk).status == "called"
    assert t.position_at_issue == 1
    # One customer at the only counter: the wait is at most one service, not three hours more.
    assert t.estimated_wait_seconds is not None and t.estimated_wait_seconds <= 20 * 60


def test_pad_never_offers_a_simulated_or_future_finished_ticket(world: Any, seeded_calendar: Any) -> None:
    counters = floor(world.outlet_a, size="small")
    counter = counters["high1"]
    token = feedback_factories.pad_token(world.outlet_a, counter.code)
    client = Client()
    now = dt.datetime(2026, 3, 3, 10, 0, tzinfo=clock.SHANGHAI)

    def serve(at: dt.datetime, *, simulated: bool) -> Ticket:
        with clock.frozen(at):
            t = services.ticket_issue(
                actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=simulated
            )
            called = services.ticket_call_next(actor=SYSTEM, counter=counter)
            assert called is not None and called.pk == t.pk
            services.ticket_start(actor=SYSTEM, ticket=called)
            return services.ticket_finish(actor=SYSTEM, ticket=called)

    real = serve(now - dt.timedelta(seconds=20), simulated=False)
    serve(now - dt.timedelta(seconds=10), simulated=True)
    with clock.frozen(now):
        state = client.get("/api/v1/pad/current", **feedback_factories.bearer(token)).json()
    assert state["ticket"]["id"] == real.pk  # the person's, not the simulation's later one
    serve(now + dt.timedelta(hours=4), simulated=False)  # "finished" by a clock hours ahead
    with clock.frozen(now):
        state = client.get("/api/v1/pad/current", **feedback_factories.bearer(token)).json()
    assert state["ticket"]["id"] == real.pk
