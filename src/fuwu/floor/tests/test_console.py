"""The counter console: its waiting line is the server's (floor.policy, transfers included), its buttons are the
allowed actions of its ticket, and what the console shows next is what call-next calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.floor import services
from fuwu.floor.models import Ticket
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def oa(world: Any, frozen_clock: Any) -> dict[str, Any]:
    return floor(world.outlet_a, size="small")  # high1 W01, high2 W02, low1 W03, vip1 W04


def issue(world: Any, code: str) -> Ticket:
    t = services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code=code)
    clock.advance(dt.timedelta(minutes=1))
    return t


def console(client: Client, code: str, **headers: Any) -> dict[str, Any]:
    res = client.get(f"/api/v1/counters/{code}/console", **headers)
    assert res.status_code == 200, res.content
    body: dict[str, Any] = res.json()
    return body


def numbers(view: dict[str, Any]) -> list[int]:
    return [w["id"] for w in view["waiting"]]


def test_a_ticket_transferred_to_a_counter_kind_waits_in_that_kinds_console_only(
    client: Client, world: Any, oa: Any
) -> None:
    cash = issue(world, "CASH")  # served at high and VIP counters, never at the low counter
    called = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert called is not None and called.pk == cash.pk
    onward = services.ticket_transfer(actor=world.teller_a, ticket=called, counter_kind="low")
    other_cash = issue(world, "CASH")
    client.force_login(world.teller_a)

    low = console(client, "OA-W03")
    high = console(client, "OA-W02")
    # A script filtering the queue by the counter's business types (the old console) showed the reverse.
    assert numbers(low) == [onward.pk] and low["waiting_count"] == 1
    assert numbers(high) == [other_cash.pk]
    assert low["waiting"][0]["number"] == cash.number and low["waiting"][0]["required_counter_kind"] == "low"


def test_the_consoles_head_of_line_is_what_call_next_calls_at_every_counter(
    client: Client, world: Any, oa: Any
) -> None:
    for code in ("CASH", "XFER", "OPEN", "CASH", "XFER"):
        issue(world, code)
    first = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert first is not None
    services.ticket_transfer(actor=world.teller_a, ticket=first, counter_kind="vip")
    client.force_login(world.head_a)
    for name in ("high2", "low1", "vip1"):
        counter = oa[name]
        shown = numbers(console(client, counter.code))
        called = services.ticket_call_next(actor=world.head_a, counter=counter)
        assert called is not None and called.pk == shown[0], name


def test_the_console_offers_the_allowed_actions_of_its_ticket(client: Client, world: Any, oa: Any) -> None:
    issue(world, "CASH")
    terminal = bearer(device(world.outlet_a, "counter", oa["high1"]))
    empty = console(client, "OA-W01", **terminal)
    assert empty["current"] is None and empty["actions"] == []

    t = services.ticket_call_next(actor=world.teller_a, counter=oa["high1"])
    assert t is not None
    called = console(client, "OA-W01", **terminal)
    assert called["current"]["id"] == t.pk
    assert [a["name"] for a in called["actions"]] == ["recall", "start", "no_show", "transfer", "refer"]
    assert all(a["label"] for a in called["actions"])

    services.ticket_start(actor=world.teller_a, ticket=t)
    serving = console(client, "OA-W01", **terminal)
    assert [a["name"] for a in serving["actions"]] == ["finish", "transfer", "refer"]


def test_another_counters_terminal_and_other_outlets_cannot_read_a_console(
    client: Client, world: Any, oa: Any
) -> None:
    floor(world.outlet_b, size="county")
    assert (
        client.get("/api/v1/counters/OA-W01/console", **bearer(device(world.outlet_b, "kiosk"))).status_code
        == 404
    )
    client.force_login(world.teller_b)
    assert client.get("/api/v1/counters/OA-W01/console").status_code == 404


def test_the_console_page_renders_the_step_buttons_hidden_until_the_server_allows_them(
    client: Client, world: Any, oa: Any
) -> None:
    client.force_login(world.teller_a)
    page = client.get("/floor/counter/?counter=OA-W01").content.decode()
    for name in ("recall", "start", "finish", "no_show", "transfer", "refer"):
        assert f'data-action="{name}"' in page
    assert "叫号" in page or "呼叫" in page


def test_the_lobby_queue_offers_divert_only_to_who_may_divert(client: Client, world: Any, oa: Any) -> None:
    t = issue(world, "CASH")
    client.force_login(world.head_a)
    [row] = client.get("/api/v1/outlets/OA/queue").json()["waiting"]
    assert row["id"] == t.pk and "divert" in row["actions"]
    client.force_login(world.teller_a)
    [row] = client.get("/api/v1/outlets/OA/queue").json()["waiting"]
    assert "divert" not in row["actions"]
    kiosk = bearer(device(world.outlet_a, "kiosk"))
    [row] = client.get("/api/v1/outlets/OA/queue", **kiosk).json()["waiting"]
    assert row["actions"] is None and row["is_vip"] is None
