"""Estimated waits (Q6): learned occupancy and the projection over counters that may serve each business."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.floor import estimates, services
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def oa(world: Any, frozen_clock: Any) -> dict[str, Any]:
    counters = floor(world.outlet_a, size="small")
    for name in ("high1", "low1"):
        services.counter_set_open(actor=world.teller_a, counter=counters[name], is_open=True)
    return counters


def test_occupancy_blends_catalogue_time_with_what_counters_really_took(world: Any, oa: Any) -> None:
    for _ in range(5):
        services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
        t = services.ticket_call_next(actor=SYSTEM, counter=oa["high1"])
        assert t is not None
        services.ticket_start(actor=SYSTEM, ticket=t)
        clock.advance(dt.timedelta(minutes=10))
        services.ticket_finish(actor=SYSTEM, ticket=t)
    learned = estimates.occupancy_seconds(world.outlet_a, clock.now())
    cash = next(s for s in t.outlet.service_types.all() if s.code == "CASH")
    # five real services of 600 s against a prior of five catalogue services of 240 s
    assert learned[cash.pk] == pytest.approx((5 * 600 + 5 * 240) / 10)


def test_projection_knows_which_counters_serve_which_business(world: Any, oa: Any) -> None:
    cash = [services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH") for _ in range(4)]
    opening = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="OPEN")
    waits = estimates.waits(world.outlet_a)
    # Only the open high counter serves cash (240 s each); the low counter is free for the account opening.
    assert [waits[t.pk] for t in cash] == [0, 240, 480, 720]
    assert waits[opening.pk] == 0
    assert estimates.naive_wait(world.outlet_a, cash[3]) == 720


def test_customer_at_the_counter_delays_the_line_by_what_is_left(world: Any, oa: Any) -> None:
    services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    t = services.ticket_call_next(actor=SYSTEM, counter=oa["high1"])
    assert t is not None
    services.ticket_start(actor=SYSTEM, ticket=t)
    clock.advance(dt.timedelta(seconds=100))
    nxt = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    assert estimates.waits(world.outlet_a)[nxt.pk] == 140
    assert nxt.estimated_wait_seconds == 140
