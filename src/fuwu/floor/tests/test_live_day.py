"""A demo that tells the truth (#19): the live day runs on the server's clock, on its own counters and line
(a person's call-next never takes its customers, nor it a person's), and neither the kiosk's estimate nor the
pad is fooled by simulated or future-stamped tickets."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.errors import Forbidden
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.feedback.tests import factories as feedback_factories
from fuwu.floor import selectors, services
from fuwu.floor.models import Counter, Ticket
from fuwu.floor.simulate import live_opening, simulate_day, simulation_counters
from fuwu.floor.tests.factories import device, floor

pytestmark = pytest.mark.django_db


def test_live_day_stamps_nothing_ahead_of_the_clock_and_works_only_its_own_counters(
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
    # Its own windows, one per real one, numbered apart; never a real window.
    own = simulation_counters(world.outlet_a)
    assert [c.kind for c in own] == [c.kind for c in counters.values()]
    assert all(c.is_simulated and c.number >= 91 for c in own)
    served_at = set(tickets.exclude(counter=None).values_list("counter_id", flat=True))
    assert served_at and served_at <= {c.pk for c in own}
    mine.refresh_from_db()
    assert mine.staff_id == world.teller_a.pk


def test_a_persons_call_next_never_takes_a_simulated_ticket_nor_the_simulation_a_persons(
    world: Any, seeded_calendar: Any, frozen_clock: Any
) -> None:
    counters = floor(world.outlet_a, size="small")
    mine = counters["high1"]
    simulated_high = next(c for c in simulation_counters(world.outlet_a) if c.kind == "high")
    services.counter_set_open(actor=world.teller_a, counter=mine, is_open=True)
    # The simulation's customer is first in line for the same business, the person second.
    sim = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
    frozen_clock.advance(dt.timedelta(seconds=30))
    person = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    # The person's place in line and estimate count only people: nobody ahead of them.
    assert person.position_at_issue == 1
    assert selectors.position_in_line(fetched_by=SYSTEM, ticket=person) == 1
    # The teller's console lists only the person; call-next takes the person, then finds nobody.
    waiting = selectors.counter_waiting(fetched_by=world.teller_a, counter=mine)
    assert [row["id"] for row in waiting] == [person.pk]
    called = services.ticket_call_next(actor=world.teller_a, counter=mine)
    assert called is not None and called.pk == person.pk
    services.ticket_no_show(actor=world.teller_a, ticket=called)
    assert services.ticket_call_next(actor=world.teller_a, counter=mine) is None
    assert Ticket.objects.get(pk=sim.pk).status == Ticket.Status.WAITING
    # A counter terminal at the person's window is held to the same line.
    terminal = DevicePrincipal(device_token_authenticate(device(world.outlet_a, "counter", mine)))
    assert services.ticket_call_next(actor=terminal, counter=mine) is None
    # The simulation's window takes its own customer and, once that is done, never the person's next one.
    taken = services.ticket_call_next(actor=SYSTEM, counter=simulated_high)
    assert taken is not None and taken.pk == sim.pk
    services.ticket_no_show(actor=SYSTEM, ticket=taken)
    later = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    assert services.ticket_call_next(actor=SYSTEM, counter=simulated_high) is None
    assert Ticket.objects.get(pk=later.pk).status == Ticket.Status.WAITING
    # A transfer keeps the simulated customer in the simulation's line.
    sim2 = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
    at_sim = services.ticket_call_next(actor=SYSTEM, counter=simulated_high)
    assert at_sim is not None and at_sim.pk == sim2.pk
    onward = services.ticket_transfer(actor=SYSTEM, ticket=at_sim, service_code="XFER")
    assert onward.is_simulated
    low = counters["low1"]
    services.counter_set_open(actor=world.head_a, counter=low, is_open=True)
    assert services.ticket_call_next(actor=world.head_a, counter=low) is None


def test_no_person_works_a_simulated_counter(world: Any, seeded_calendar: Any) -> None:
    floor(world.outlet_a, size="small")
    [own, *_rest] = simulation_counters(world.outlet_a)
    services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
    for step in (
        lambda: services.counter_set_open(actor=world.teller_a, counter=own, is_open=True),
        lambda: services.ticket_call_next(actor=world.teller_a, counter=own),
    ):
        with pytest.raises(Forbidden):
            step()
    # The counter console does not offer it, and its API call-next answers 403.
    client = Client()
    client.force_login(world.teller_a)
    page = client.get("/floor/counter/").content.decode()
    assert own.code not in page
    answer = client.post(f"/api/v1/counters/{own.code}/call-next")
    assert answer.status_code == 403, answer.content


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
    own = next(c for c in simulation_counters(world.outlet_a) if c.kind == "high")
    client = Client()
    now = dt.datetime(2026, 3, 3, 10, 0, tzinfo=clock.SHANGHAI)

    def serve(at: dt.datetime, *, at_counter: Any) -> Ticket:
        with clock.frozen(at):
            t = services.ticket_issue(
                actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=at_counter.is_simulated
            )
            called = services.ticket_call_next(actor=SYSTEM, counter=at_counter)
            assert called is not None and called.pk == t.pk
            services.ticket_start(actor=SYSTEM, ticket=called)
            return services.ticket_finish(actor=SYSTEM, ticket=called)

    def offered(pad_at: Any) -> Any:
        token = feedback_factories.pad_token(world.outlet_a, pad_at.code)
        with clock.frozen(now):
            return client.get("/api/v1/pad/current", **feedback_factories.bearer(token)).json()["ticket"]

    real = serve(now - dt.timedelta(seconds=20), at_counter=counter)
    serve(now - dt.timedelta(seconds=10), at_counter=own)
    assert offered(counter)["id"] == real.pk
    assert (
        offered(own) is None
    )  # a pad put at the simulation's window never asks anyone to rate its customers
    serve(now + dt.timedelta(hours=4), at_counter=counter)  # "finished" by a clock hours ahead
    assert offered(counter)["id"] == real.pk


def _live_floor(world: Any, frozen_clock: Any) -> tuple[Ticket, Ticket]:
    """A real customer waiting, and the live simulated day at work beside them: two of its customers
    served at its own open window, one waiting, one diverted by the simulation itself."""
    counters = floor(world.outlet_a, size="small")
    services.counter_set_open(actor=world.teller_a, counter=counters["high1"], is_open=True)
    own = next(c for c in simulation_counters(world.outlet_a) if c.kind == "high")
    services.counter_set_open(actor=SYSTEM, counter=own, is_open=True)
    for _ in range(2):
        services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
        frozen_clock.advance(dt.timedelta(minutes=20))  # past any business type's target wait
        taken = services.ticket_call_next(actor=SYSTEM, counter=own)
        assert taken is not None
        services.ticket_start(actor=SYSTEM, ticket=taken)
        services.ticket_finish(actor=SYSTEM, ticket=taken)
    gone = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
    services.ticket_divert(actor=SYSTEM, ticket=gone, channel="self_service")  # the simulation may
    sim = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", simulated=True)
    frozen_clock.advance(dt.timedelta(minutes=1))
    person = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH")
    frozen_clock.advance(dt.timedelta(minutes=20))  # the simulated customer has now waited over 15 minutes
    return sim, person


def test_the_outlets_day_on_the_home_page_counts_only_the_real_floor(
    world: Any, seeded_calendar: Any, frozen_clock: Any
) -> None:
    from fuwu.core import roles
    from fuwu.core.worklists import panels_for

    _live_floor(world, frozen_clock)
    lobby = world.person("lobby_a", world.outlet_a, roles.LOBBY)
    for who in (world.head_a, lobby):
        day = selectors.outlet_day(fetched_by=who, outlet=world.outlet_a)
        assert (day.waiting, day.served, day.over_target) == (1, 0, 0)
        assert day.average_wait_seconds is None  # nobody real has been called yet
        assert day.longest_wait_seconds == 20 * 60  # the person's wait, not the simulated customer's 21 min
        real_windows = Counter.objects.filter(outlet=world.outlet_a, is_simulated=False).count()
        assert (day.counters_open, day.counters) == (1, real_windows)
        panel = next(p for p in panels_for(who) if str(p.title) == "中关村支行今日排队")
        counts = {str(c.label): c.value for c in panel.counts}
        assert counts["等候中"] == 1 and counts["今日已服务"] == 0
        assert counts["开放窗口"] == f"1/{real_windows}"
    # The lobby's own figures: one real customer issued, none diverted.
    stats = selectors.diversion_stats(fetched_by=lobby, outlet=world.outlet_a, day=clock.today())
    assert stats == {"issued": 1, "diverted": 0}


def test_lobby_staff_cannot_divert_a_simulated_customer_nor_see_it_offered(
    world: Any, seeded_calendar: Any, frozen_clock: Any
) -> None:
    from fuwu.core import roles

    sim, person = _live_floor(world, frozen_clock)
    lobby = world.person("lobby_a", world.outlet_a, roles.LOBBY)
    for step in (
        lambda: services.ticket_divert(actor=lobby, ticket=sim, channel="self_service"),
        lambda: services.ticket_leave(actor=lobby, ticket=sim),
    ):
        with pytest.raises(Forbidden) as refused:
            step()
        assert refused.value.code == "simulated_ticket"
    assert Ticket.objects.get(pk=sim.pk).status == Ticket.Status.WAITING
    # The lobby console's line offers the divert by the person only (its script shows what the server allows).
    line = selectors.queue(fetched_by=lobby, outlet=world.outlet_a, with_customers=True).waiting
    actions = {row["id"]: row["actions"] for row in line}
    assert "divert" not in actions[sim.pk] and "leave" not in actions[sim.pk]
    assert "divert" in actions[person.pk]
    client = Client()
    client.force_login(lobby)
    answer = client.post(
        f"/api/v1/tickets/{sim.pk}/divert", {"channel": "self_service"}, content_type="application/json"
    )
    assert answer.status_code == 403, answer.content
    assert answer.json()["error"]["code"] == "simulated_ticket"
    # A real customer is diverted as before.
    diverted = services.ticket_divert(actor=lobby, ticket=person, channel="mobile_banking")
    assert diverted.status == Ticket.Status.DIVERTED
