"""A simulated business day through the real services leaves a consistent floor and measurable estimates."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from fuwu.core.principals import SYSTEM
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.floor.simulate import simulate_day
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


def test_a_simulated_day_ends_with_every_ticket_closed(world: Any, seeded_calendar: Any) -> None:
    floor(world.outlet_a, size="small")
    result = simulate_day(
        outlet=world.outlet_a, day=dt.date(2026, 3, 3), rng=random.Random(7), volume=60, measure=True
    )
    tickets = Ticket.objects.filter(outlet=world.outlet_a)
    assert result.issued == tickets.filter(transferred_from__isnull=True).count() > 20
    assert not tickets.filter(status__in=["waiting", "called", "serving"]).exists()
    assert result.finished == tickets.filter(status="finished").count()
    assert result.diverted == tickets.filter(status="diverted").count()
    finished = tickets.filter(status="finished")
    assert all(t.counter_id and t.called_at and t.started_at and t.finished_at for t in finished)
    assert TicketEvent.objects.filter(kind="called").count() == tickets.exclude(called_at=None).count()
    ours, naive, n = result.wait_errors()
    assert n > 0 and ours >= 0 and naive >= 0


def test_a_day_resumes_after_an_interrupted_run_left_customers_at_counters(
    world: Any, seeded_calendar: Any
) -> None:
    from fuwu.core import clock
    from fuwu.floor import services

    counters = floor(world.outlet_a, size="small")
    day = dt.date(2026, 3, 4)
    clock.set_clock(dt.datetime(2026, 3, 4, 8, 30, tzinfo=clock.SHANGHAI), speed=0)
    try:
        services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
        services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
        called = services.ticket_call_next(actor=SYSTEM, counter=counters["high1"])
        serving = services.ticket_call_next(actor=SYSTEM, counter=counters["high2"])
        assert called is not None and serving is not None
        services.ticket_start(actor=SYSTEM, ticket=serving)
    finally:
        clock.reset()
    simulate_day(outlet=world.outlet_a, day=day, rng=random.Random(1), volume=20)
    assert Ticket.objects.get(pk=called.pk).status == "no_show"
    assert Ticket.objects.get(pk=serving.pk).status == "finished"
    assert not Ticket.objects.filter(status__in=["waiting", "called", "serving"]).exists()
