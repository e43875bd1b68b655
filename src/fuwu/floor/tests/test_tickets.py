"""Ticket life through the services: issue, recognition, routing order, every transition and illegal ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.customers.services import customer_create
from fuwu.floor import services
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db

S = Ticket.Status


@pytest.fixture
def oa(world: Any, frozen_clock: Any) -> dict[str, Any]:
    return floor(world.outlet_a, size="small")


def issue(world: Any, code: str = "CASH", **kw: Any) -> Ticket:
    return services.ticket_issue(actor=world.teller_a, outlet=world.outlet_a, service_code=code, **kw)


def test_numbers_follow_prefix_per_business_and_restart_next_business_day(world: Any, oa: Any) -> None:
    a1, a2, b1 = issue(world), issue(world), issue(world, "XFER")
    assert (a1.number, a2.number, b1.number) == ("A001", "A002", "B001")
    clock.advance(dt.timedelta(hours=15))  # past midnight Shanghai: a new business day
    a_next = issue(world)
    assert a_next.number == "A001"
    assert a_next.business_date == a1.business_date + dt.timedelta(days=1)
    assert Ticket.objects.filter(number="A001").count() == 2  # yesterday's is kept


def test_yesterdays_waiting_ticket_is_never_called_and_is_closed_by_the_day_sweep(
    world: Any, oa: Any
) -> None:
    old = issue(world)
    clock.advance(dt.timedelta(days=1))
    assert services.ticket_call_next(actor=world.teller_a, counter=oa["high1"]) is None
    assert services.tickets_close_day(actor=SYSTEM, before=clock.today()) == 1
    old.refresh_from_db()
    assert old.status == S.CANCELLED


def test_issue_recognises_customer_and_records_the_chain(world: Any, oa: Any) -> None:
    customer_create(
        actor=SYSTEM,
        customer_no="C1",
        name="王大爷",
        home_outlet=world.outlet_b,
        tier="normal",
        card_number="6222020200112233445",
        special_groups=("elderly",),
    )
    t = issue(world, customer_card="6222 0202 0011 2233 445")
    assert t.customer is not None and t.is_special_group and t.priority_class == 2
    assert list(t.events.values_list("kind", flat=True)) == ["issued", "recognized"]


def test_unknown_business_is_rejected_with_the_field(world: Any, oa: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        issue(world, "NOPE")
    assert err.value.details == [
        {"field": "service_code", "code": "unknown", "reason": "本网点不办理该业务。"}
    ]


def test_counter_calls_only_business_its_kind_may_serve(world: Any, oa: Any) -> None:
    opening = issue(world, "OPEN")  # low/VIP counters only
    cash = issue(world, "CASH")
    called = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert called is not None and called.pk == cash.pk
    services.ticket_start(actor=world.teller_a, ticket=called)
    services.ticket_finish(actor=world.teller_a, ticket=called)
    assert services.ticket_call_next(actor=world.teller_a, counter=oa["high1"]) is None
    low = services.ticket_call_next(actor=world.teller_a, counter=oa["low1"])
    assert low is not None and low.pk == opening.pk


def test_vip_goes_first_within_the_lead_but_not_past_it(world: Any, oa: Any, settings: Any) -> None:
    settings.FUWU_FLOOR_MAX_PRIORITY_LEAD_SECONDS = 600  # VIP lead = 0.8 × 600 s = 8 min
    customer_create(
        actor=SYSTEM,
        customer_no="V1",
        name="钱女士",
        home_outlet=world.outlet_a,
        tier="wealth",
        card_number="6222020200119999001",
    )
    early = issue(world)
    clock.advance(dt.timedelta(minutes=5))
    vip = issue(world, customer_card="6222020200119999001")
    first = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert first is not None and first.pk == vip.pk
    services.ticket_no_show(actor=world.teller_a, ticket=first)
    # A second VIP arriving 10 minutes after the normal ticket exceeds its lead and waits its turn.
    clock.advance(dt.timedelta(minutes=5))
    issue(world, customer_card="6222020200119999001")
    second = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert second is not None and second.pk == early.pk


def test_full_life_sets_counter_staff_and_timestamps(world: Any, oa: Any) -> None:
    t = issue(world)
    clock.advance(dt.timedelta(minutes=3))
    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None and t.status == S.CALLED and t.counter == oa["high1"] and t.staff == world.teller_a
    t = services.ticket_recall(actor=world.teller_a, ticket=t)
    assert t.recall_count == 1
    clock.advance(dt.timedelta(seconds=30))
    t = services.ticket_start(actor=world.teller_a, ticket=t)
    clock.advance(dt.timedelta(minutes=4))
    t = services.ticket_finish(actor=world.teller_a, ticket=t)
    t.refresh_from_db()
    assert t.status == S.FINISHED and t.counter == oa["high1"] and t.staff == world.teller_a
    assert t.called_at is not None and t.started_at is not None and t.finished_at is not None
    assert (t.called_at - t.issued_at) == dt.timedelta(minutes=3)
    assert (t.finished_at - t.started_at) == dt.timedelta(minutes=4)
    assert list(t.events.values_list("kind", flat=True)) == [
        "issued",
        "called",
        "recalled",
        "started",
        "finished",
    ]


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "start"),
        ([], "finish"),
        ([], "recall"),
        ([], "no_show"),
        (["call"], "finish"),
        (["call", "start"], "start"),
        (["call", "start"], "recall"),
        (["call", "start"], "no_show"),
        (["call", "start", "finish"], "finish"),
        (["call", "start", "finish"], "start"),
        (["call", "no_show"], "start"),
    ],
)
def test_illegal_transitions_conflict_with_current_state(
    world: Any, oa: Any, setup: list[str], action: str
) -> None:
    t = issue(world)
    for step in setup:
        if step == "call":
            called = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
            assert called is not None
            t = called
        else:
            t = getattr(services, f"ticket_{step}")(actor=world.teller_a, ticket=t)
    before = Ticket.objects.get(pk=t.pk).status
    with pytest.raises(Conflict) as err:
        getattr(services, f"ticket_{action}")(actor=world.teller_a, ticket=t)
    assert err.value.details["status"] == before
    assert Ticket.objects.get(pk=t.pk).status == before


def test_counter_must_finish_before_calling_again(world: Any, oa: Any) -> None:
    issue(world)
    issue(world)
    services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    with pytest.raises(Conflict) as err:
        services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert err.value.details["status"] == "called"


def test_transfer_keeps_number_and_place_in_line(world: Any, oa: Any) -> None:
    first = issue(world, "CASH")
    clock.advance(dt.timedelta(minutes=10))
    later = issue(world, "OPEN")
    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None and t.pk == first.pk
    services.ticket_start(actor=world.teller_a, ticket=t)
    onward = services.ticket_transfer(actor=world.teller_a, ticket=t, service_code="OPEN")
    t.refresh_from_db()
    assert t.status == S.TRANSFERRED and t.finished_at is not None
    assert onward.number == first.number and onward.status == S.WAITING and onward.transferred_from == t
    # Queued before the later OPEN ticket, so a low counter calls it first.
    nxt = services.ticket_call_next(actor=world.teller_a, counter=oa["low1"])
    assert nxt is not None and nxt.pk == onward.pk
    assert later.pk != nxt.pk


def test_transfer_to_counter_kind_only_that_kind_calls_it(world: Any, oa: Any) -> None:
    issue(world, "XFER")
    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None
    onward = services.ticket_transfer(actor=world.teller_a, ticket=t, counter_kind="vip")
    assert services.ticket_call_next(actor=world.teller_a, counter=oa["high2"]) is None
    got = services.ticket_call_next(actor=world.teller_a, counter=oa["vip1"])
    assert got is not None and got.pk == onward.pk


def test_transfer_needs_a_target_that_exists(world: Any, oa: Any) -> None:
    issue(world)
    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None
    with pytest.raises(ValidationFailed):
        services.ticket_transfer(actor=world.teller_a, ticket=t)
    with pytest.raises(ValidationFailed):
        services.ticket_transfer(
            actor=world.teller_a, ticket=t, counter_kind="wealth"
        )  # small outlet has none


def test_referral_credits_the_serving_teller(world: Any, oa: Any) -> None:
    issue(world)
    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None
    t = services.ticket_refer(actor=world.teller_a, ticket=t, staff_code="HEAD_A")
    assert t.referred_to == world.head_a
    ev = TicketEvent.objects.get(ticket=t, kind="referred")
    assert ev.data == {"to_staff": "HEAD_A", "credited_staff": "TELLER_A"}
    with pytest.raises(ValidationFailed):
        services.ticket_refer(actor=world.teller_a, ticket=t, staff_code="TELLER_X")


def test_lobby_diverts_waiting_ticket_and_tellers_may_not(world: Any, oa: Any) -> None:
    t = issue(world)
    with pytest.raises(Forbidden):
        services.ticket_divert(actor=world.teller_a, ticket=t, channel="self_service")
    t = services.ticket_divert(actor=world.head_a, ticket=t, channel="self_service")
    assert t.status == S.DIVERTED and t.diverted_channel == "self_service"
    with pytest.raises(Conflict):
        services.ticket_divert(actor=world.head_a, ticket=t, channel="mobile_banking")
    assert services.ticket_call_next(actor=world.teller_a, counter=oa["high1"]) is None


def test_outsiders_and_read_only_roles_cannot_work_the_floor(world: Any, oa: Any) -> None:
    t = issue(world)
    with pytest.raises(NotFound):
        services.ticket_call_next(actor=world.teller_b, counter=oa["high1"])
    with pytest.raises(NotFound):
        services.ticket_issue(actor=world.teller_b, outlet=world.outlet_a, service_code="CASH")
    with pytest.raises(Forbidden):
        services.ticket_call_next(actor=world.auditor, counter=oa["high1"])
    assert Ticket.objects.get(pk=t.pk).status == S.WAITING
