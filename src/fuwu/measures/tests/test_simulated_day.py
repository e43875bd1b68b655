"""The demo's live simulated day (#19) is in no measure: not in the facts, the exported tables, the rollups
built from them, nor the incremental sweep that rebuilds the days they touch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.floor.models import Ticket
from fuwu.measures import facts, selectors, services
from fuwu.measures.models import Rollup
from fuwu.measures.tasks import refresh_rollups
from fuwu.measures.tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 30)


def simulated(ticket: Ticket) -> Ticket:
    """Mark a ticket as the live simulated day's (floor.services.ticket_issue(simulated=True) sets it)."""
    Ticket.objects.filter(pk=ticket.pk).update(is_simulated=True)
    return ticket


def test_the_live_simulated_day_counts_in_no_measure_nor_rollup(world: Any) -> None:
    f.ticket(world.outlet_a, f.at(DAY, 9), wait=60, service_seconds=120, rating="satisfied")
    window = f.counter(world.outlet_a, 91)
    simulated(
        f.ticket(
            world.outlet_a,
            f.at(DAY, 10),
            wait=3600,
            service_seconds=300,
            counter_=window,
            tier="wealth",
            rating="dissatisfied",
        )
    )
    simulated(f.ticket(world.outlet_a, f.at(DAY, 11), status="diverted"))
    earlier = DAY - dt.timedelta(days=10)
    simulated(f.ticket(world.outlet_b, f.at(earlier, 9), wait=30))
    # The facts: one ticket, one evaluation; the span of the facts is the real day's.
    rows = list(facts.ticket_rows(earlier, DAY))
    assert len(rows) == 1 and rows[0]["rating"] == "satisfied"
    assert facts.fact_dates() == (DAY, DAY)
    tables = facts.arrow_tables(earlier, DAY)
    assert tables["tickets"].num_rows == 1 and tables["evaluations"].num_rows == 1
    # The rollups, however built.
    services.rollup_rebuild_all(actor=SYSTEM)
    services.rollup_rebuild(actor=SYSTEM, start=earlier, end=DAY)
    total = selectors.total(world.ho, earlier, DAY, fetched_by=world.hq_manager)
    assert total["issued"] == 1 and total["called"] == 1 and total["wait_sum"] == 60
    assert total["diverted"] == 0 and total["evaluated"] == 1 and total["satisfied"] == 1
    assert not Rollup.objects.filter(date=earlier).exists()
    assert not Rollup.objects.filter(cut="counter", key=window.code).exists()
    assert not Rollup.objects.filter(cut="tier", key="wealth").exists()


def test_the_sweep_rebuilds_no_day_for_the_simulations_tickets(world: Any, frozen_clock: Any) -> None:
    today = clock.today()
    f.ticket(world.outlet_a, f.at(today, 8, 30), wait=60)
    assert refresh_rollups.call() > 0  # the first run builds everything
    frozen_clock.advance(dt.timedelta(hours=1))
    simulated(f.ticket(world.outlet_b, clock.now(), wait=30, service_seconds=60))
    assert services.rollup_refresh(actor=SYSTEM) == 0
    assert selectors.total(world.ho, today, today, fetched_by=world.hq_manager)["issued"] == 1
    assert not Rollup.objects.filter(unit=world.outlet_b).exists()
