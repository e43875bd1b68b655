"""The counter terminal's one-statement steps leave what the staff's locked path leaves, and refuse what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.errors import Conflict
from fuwu.core.principals import SYSTEM
from fuwu.customers.services import customer_create
from fuwu.floor import services
from fuwu.floor.models import Counter, Ticket, TicketEvent
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = pytest.mark.django_db

S = Ticket.Status
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
# What differs between two tickets by construction, not by the path that drove them (the second one issued
# waits behind the first, so its estimate at issue is longer).
OWN = {"id", "number", "seq", "counter_id", "estimated_wait_seconds"}


@pytest.fixture
def setup(world: Any, frozen_clock: Any) -> dict[str, Any]:
    counters = floor(world.outlet_a, size="small")
    counters_b = floor(world.outlet_b, size="county")
    return {
        "counters": counters,
        "kiosk": bearer(device(world.outlet_a, "kiosk")),
        "high1": bearer(device(world.outlet_a, "counter", counters["high1"])),
        "high2": bearer(device(world.outlet_a, "counter", counters["high2"])),
        "kiosk_b": bearer(device(world.outlet_b, "kiosk")),
        "high1_b": bearer(device(world.outlet_b, "counter", counters_b["high1"])),
    }


def post(client: Client, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def at(minutes: int) -> None:
    clock.set_clock(NINE + dt.timedelta(minutes=minutes), speed=0)


@contextmanager
def fast_path_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if a terminal's step falls back to the locked path: the comparison must be of the fast one."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a counter terminal's step took the locked path")

    with monkeypatch.context() as m:
        m.setattr(services, "_locked", refuse)
        m.setattr(services, "_take_head_locked", refuse)
        yield


def issue(world: Any, code: str = "CASH") -> Ticket:
    return services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code=code)


def row(t: Ticket) -> dict[str, Any]:
    fresh = Ticket.objects.get(pk=t.pk)
    return {
        f.attname: getattr(fresh, f.attname) for f in Ticket._meta.concrete_fields if f.attname not in OWN
    }


def events(t: Ticket, counter: Counter) -> list[tuple[Any, ...]]:
    """Kind, time, data, and whether the event names the ticket's own counter (the two use different ones)."""
    return [
        (e.kind, e.at, e.data, None if e.counter_id is None else e.counter_id == counter.pk)
        for e in TicketEvent.objects.filter(ticket=t).order_by("pk")
    ]


def unchanged(t: Ticket, before: dict[str, Any], n_events: int) -> bool:
    return row(t) == before and TicketEvent.objects.filter(ticket=t).count() == n_events


def test_call_start_finish_leave_the_same_ticket_and_events_on_the_terminal_and_the_staff_path(
    client: Client, world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    high1, high2 = setup["counters"]["high1"], setup["counters"]["high2"]
    services.counter_set_open(actor=world.teller_a, counter=high1, is_open=True)  # high1's staff: teller_a
    fast, careful = issue(world), issue(world)

    with fast_path_only(monkeypatch):
        at(1)
        called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
        assert called.status_code == 200 and called.json()["id"] == fast.pk
        at(2)
        started = post(client, f"/api/v1/tickets/{fast.pk}/start", **setup["high1"])
        assert started.status_code == 200 and started.json()["status"] == S.SERVING
        at(5)
        finished = post(client, f"/api/v1/tickets/{fast.pk}/finish", **setup["high1"])
        assert finished.status_code == 200 and finished.json()["status"] == S.FINISHED

    at(1)
    assert services.ticket_call_next(actor=world.teller_a, counter=high2).pk == careful.pk  # type: ignore[union-attr]
    at(2)
    services.ticket_start(actor=world.teller_a, ticket=Ticket(pk=careful.pk))
    at(5)
    services.ticket_finish(actor=world.teller_a, ticket=Ticket(pk=careful.pk))

    assert row(fast) == row(careful)
    assert row(fast)["status"] == S.FINISHED and row(fast)["staff_id"] == world.teller_a.pk
    assert row(fast)["started_at"] == NINE + dt.timedelta(minutes=2)
    assert Ticket.objects.get(pk=fast.pk).counter_id == high1.pk
    assert Ticket.objects.get(pk=careful.pk).counter_id == high2.pk
    assert events(fast, high1) == events(careful, high2)
    assert [e[0] for e in events(fast, high1)] == ["issued", "called", "started", "finished"]
    # The answer of the terminal's steps is the stored row, not a guess.
    assert finished.json()["finished_at"] is not None and finished.json()["counter_number"] == 1
    # Only who did it differs: the terminal, or the teller.
    [device_label] = {e.actor_label for e in TicketEvent.objects.filter(ticket=fast).exclude(kind="issued")}
    assert device_label.startswith("device:counter:")
    assert {e.actor_label for e in TicketEvent.objects.filter(ticket=careful).exclude(kind="issued")} == {
        world.teller_a.username
    }


def test_recall_and_no_show_leave_the_same_ticket_and_events_on_the_terminal_and_the_staff_path(
    client: Client, world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    high1, high2 = setup["counters"]["high1"], setup["counters"]["high2"]
    services.counter_set_open(actor=world.teller_a, counter=high1, is_open=True)
    fast, careful = issue(world), issue(world)

    with fast_path_only(monkeypatch):
        at(1)
        assert post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"]).json()["id"] == fast.pk
        for minute in (2, 3):
            at(minute)
            assert post(client, f"/api/v1/tickets/{fast.pk}/recall", **setup["high1"]).status_code == 200
        at(4)
        gone = post(client, f"/api/v1/tickets/{fast.pk}/no-show", **setup["high1"])
        assert gone.status_code == 200 and gone.json()["status"] == S.NO_SHOW

    at(1)
    services.ticket_call_next(actor=world.teller_a, counter=high2)
    for minute in (2, 3):
        at(minute)
        services.ticket_recall(actor=world.teller_a, ticket=Ticket(pk=careful.pk))
    at(4)
    services.ticket_no_show(actor=world.teller_a, ticket=Ticket(pk=careful.pk))

    assert row(fast) == row(careful)
    assert row(fast)["recall_count"] == 2 and row(fast)["last_called_at"] == NINE + dt.timedelta(minutes=3)
    assert events(fast, high1) == events(careful, high2)
    assert [e[0] for e in events(fast, high1)] == ["issued", "called", "recalled", "recalled", "no_show"]


def test_finish_before_start_is_409_with_the_current_state_on_both_paths(
    client: Client, world: Any, setup: Any
) -> None:
    fast, careful = issue(world), issue(world)
    post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    services.ticket_call_next(actor=world.teller_a, counter=setup["counters"]["high2"])
    before, n = row(fast), TicketEvent.objects.filter(ticket=fast).count()

    res = post(client, f"/api/v1/tickets/{fast.pk}/finish", **setup["high1"])
    assert res.status_code == 409
    error = res.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["details"] == {"status": S.CALLED, "number": fast.number, "allowed_from": [S.SERVING]}
    assert unchanged(fast, before, n)

    with pytest.raises(Conflict) as refused:
        services.ticket_finish(actor=world.teller_a, ticket=Ticket(pk=careful.pk))
    assert refused.value.code == error["code"]
    assert refused.value.details == {**error["details"], "number": careful.number}


@pytest.mark.parametrize("step", ["start", "recall", "no-show", "finish"])
def test_a_terminal_cannot_step_the_ticket_of_another_counter(
    client: Client, world: Any, setup: Any, step: str
) -> None:
    t = issue(world)
    assert post(client, "/api/v1/counters/OA-W02/call-next", **setup["high2"]).json()["id"] == t.pk
    if step == "finish":
        post(client, f"/api/v1/tickets/{t.pk}/start", **setup["high2"])
    before, n = row(t), TicketEvent.objects.filter(ticket=t).count()

    # The locked path's answer for a device at the wrong counter of the right outlet: 403.
    res = post(client, f"/api/v1/tickets/{t.pk}/{step}", **setup["high1"])
    assert res.status_code == 403 and res.json()["error"]["code"] == "forbidden"
    assert unchanged(t, before, n)


@pytest.mark.parametrize("where", ["waiting", "called", "at_this_counter"])
def test_a_terminal_cannot_step_a_ticket_of_another_outlet(
    client: Client, world: Any, setup: Any, where: str
) -> None:
    t = post(client, "/api/v1/outlets/OB/tickets", {"service_code": "CASH"}, **setup["kiosk_b"]).json()
    if where != "waiting":
        assert post(client, "/api/v1/counters/OB-W01/call-next", **setup["high1_b"]).json()["id"] == t["id"]
    if where == "at_this_counter":
        # Never made by a service; the outlet is checked on its own, not only through the counter.
        Ticket.objects.filter(pk=t["id"]).update(counter=setup["counters"]["high1"])
    ticket = Ticket.objects.get(pk=t["id"])
    before, n = row(ticket), TicketEvent.objects.filter(ticket=ticket).count()

    for step in ("start", "recall", "no-show", "finish"):
        res = post(client, f"/api/v1/tickets/{ticket.pk}/{step}", **setup["high1"])
        assert res.status_code == 404, step
    assert unchanged(ticket, before, n)


def test_call_next_on_a_busy_counter_is_409_counter_busy_and_calls_nobody(
    client: Client, world: Any, setup: Any
) -> None:
    first, second = issue(world), issue(world)
    assert post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"]).json()["id"] == first.pk

    res = post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    assert res.status_code == 409
    error = res.json()["error"]
    assert error["code"] == "counter_busy"
    assert error["details"] == {"status": S.CALLED, "number": first.number, "ticket_id": first.pk}
    post(client, f"/api/v1/tickets/{first.pk}/start", **setup["high1"])
    res = post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    assert res.status_code == 409 and res.json()["error"]["details"]["status"] == S.SERVING
    assert Ticket.objects.get(pk=second.pk).status == S.WAITING

    with pytest.raises(Conflict) as refused:
        services.ticket_call_next(actor=world.teller_a, counter=setup["counters"]["high1"])
    assert refused.value.code == "counter_busy"
    assert Ticket.objects.get(pk=second.pk).status == S.WAITING


def test_call_next_with_nothing_it_may_serve_waiting_is_204(client: Client, world: Any, setup: Any) -> None:
    assert post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"]).status_code == 204
    issue(world, "OPEN")  # low and VIP counters only
    post(client, "/api/v1/outlets/OB/tickets", {"service_code": "CASH"}, **setup["kiosk_b"])  # other outlet
    res = post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    assert res.status_code == 204 and res.content == b""
    assert not Ticket.objects.filter(counter=setup["counters"]["high1"]).exists()
    assert not TicketEvent.objects.filter(kind="called").exists()


@pytest.mark.parametrize("finisher", ["terminal", "staff"])
def test_finish_credits_the_counters_staff_member_when_the_call_named_none(
    client: Client, world: Any, setup: Any, finisher: str
) -> None:
    high1 = setup["counters"]["high1"]
    t = issue(world)
    # A closed counter with nobody on duty: the terminal's call names no staff member.
    post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    post(client, f"/api/v1/tickets/{t.pk}/start", **setup["high1"])
    assert Ticket.objects.get(pk=t.pk).staff_id is None
    services.counter_set_open(actor=world.teller_a, counter=Counter.objects.get(pk=high1.pk), is_open=True)

    if finisher == "terminal":
        assert post(client, f"/api/v1/tickets/{t.pk}/finish", **setup["high1"]).status_code == 200
    else:
        services.ticket_finish(actor=world.head_a, ticket=Ticket(pk=t.pk))
    done = Ticket.objects.get(pk=t.pk)
    assert done.status == S.FINISHED and done.staff_id == world.teller_a.pk


def test_finish_keeps_the_staff_member_the_call_named(client: Client, world: Any, setup: Any) -> None:
    high1 = setup["counters"]["high1"]
    services.counter_set_open(actor=world.teller_a, counter=high1, is_open=True)
    t = issue(world)
    post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    post(client, f"/api/v1/tickets/{t.pk}/start", **setup["high1"])
    Counter.objects.filter(pk=high1.pk).update(staff=world.head_a)  # someone else took over the window
    post(client, f"/api/v1/tickets/{t.pk}/finish", **setup["high1"])
    assert Ticket.objects.get(pk=t.pk).staff_id == world.teller_a.pk


def test_recall_counts_up_and_each_event_carries_its_count(client: Client, world: Any, setup: Any) -> None:
    t = issue(world)
    at(1)
    post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"])
    answers = []
    for minute in (2, 4):
        at(minute)
        answers.append(post(client, f"/api/v1/tickets/{t.pk}/recall", **setup["high1"]).json())
    assert [a["recall_count"] for a in answers] == [1, 2]
    stored = Ticket.objects.get(pk=t.pk)
    assert stored.recall_count == 2 and stored.status == S.CALLED
    assert stored.called_at == NINE + dt.timedelta(minutes=1)
    assert stored.last_called_at == NINE + dt.timedelta(minutes=4)
    recalls = TicketEvent.objects.filter(ticket=t, kind="recalled").order_by("pk")
    assert [(e.data, e.counter_id) for e in recalls] == [
        ({"recall": 1}, setup["counters"]["high1"].pk),
        ({"recall": 2}, setup["counters"]["high1"].pk),
    ]


def test_issue_position_counts_only_waiting_tickets_of_the_same_business_ahead_in_calling_order(
    client: Client, world: Any, setup: Any
) -> None:
    def position(body: dict[str, Any], device_headers: dict[str, str] | None = None) -> int:
        res = post(client, "/api/v1/outlets/OA/tickets", body, **(device_headers or setup["kiosk"]))
        assert res.status_code == 201
        return int(res.json()["position"])

    customer_create(
        actor=SYSTEM,
        customer_no="E1",
        name="王大爷",
        home_outlet=world.outlet_a,
        tier="normal",
        card_number="6222020200112233445",
        special_groups=("elderly",),
    )
    assert position({"service_code": "CASH"}) == 1  # yesterday's, still waiting: not in today's line
    clock.advance(dt.timedelta(days=1))
    assert position({"service_code": "CASH"}) == 1
    clock.advance(dt.timedelta(minutes=1))
    assert position({"service_code": "XFER"}) == 1  # another business
    clock.advance(dt.timedelta(minutes=1))
    assert position({"service_code": "CASH"}) == 2
    called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["high1"]).json()
    assert called["service_code"] == "CASH"  # the first CASH is no longer waiting
    clock.advance(dt.timedelta(minutes=1))
    # An elderly customer stands ahead of who came a few minutes earlier (floor.policy's lead).
    assert position({"service_code": "CASH", "customer_card": "6222020200112233445"}) == 1
    clock.advance(dt.timedelta(minutes=1))
    assert position({"service_code": "CASH"}) == 3
    b = post(client, "/api/v1/outlets/OB/tickets", {"service_code": "CASH"}, **setup["kiosk_b"])
    assert b.json()["position"] == 1  # another outlet's line
