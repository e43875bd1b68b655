"""Real threads against PostgreSQL: counters racing for the same line never share a ticket, none is lost."""

from __future__ import annotations

import json
import threading
from collections import Counter as Tally
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fuwu.core.principals import SYSTEM
from fuwu.floor import services
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ISSUERS, PER_ISSUER = 3, 30


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def test_racing_counters_never_share_a_ticket_and_lose_none(world: Any) -> None:
    counters = list(floor(world.outlet_a, size="large").values())
    codes = ["CASH", "XFER"]
    start = threading.Barrier(ISSUERS + len(counters))
    issuing_done = threading.Event()
    called: list[int] = []
    issued: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issuer(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_ISSUER):
                t = services.ticket_issue(
                    actor=SYSTEM, outlet=world.outlet_a, service_code=codes[(n + i) % 2]
                )
                with lock:
                    issued.append(t.number)
        except BaseException as exc:  # surfaced by the main thread's assertion
            errors.append(exc)
        finally:
            connection.close()

    def worker(counter: Any) -> None:
        try:
            start.wait()
            while True:
                t = services.ticket_call_next(actor=SYSTEM, counter=counter)
                if t is None:
                    if issuing_done.is_set() and not Ticket.objects.filter(status="waiting").exists():
                        return
                    continue
                with lock:
                    called.append(t.pk)
                services.ticket_start(actor=SYSTEM, ticket=t)
                services.ticket_finish(actor=SYSTEM, ticket=t)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    issuers = [threading.Thread(target=issuer, args=(n,)) for n in range(ISSUERS)]
    workers = [
        threading.Thread(target=worker, args=(c,)) for c in counters if c.kind in ("high", "low", "vip")
    ]
    start = threading.Barrier(len(issuers) + len(workers))
    for th in issuers + workers:
        th.start()
    for th in issuers:
        th.join()
    issuing_done.set()
    for th in workers:
        th.join(timeout=120)
    assert not errors, errors
    total = ISSUERS * PER_ISSUER
    assert len(issued) == total and len(set(issued)) == total
    assert len(called) == total and len(set(called)) == total
    assert Ticket.objects.filter(status="finished").count() == total
    calls = Tally(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
    assert set(calls.values()) == {1}
    for prefix in ("A", "B"):
        seqs = sorted(Ticket.objects.filter(number__startswith=prefix).values_list("seq", flat=True))
        assert seqs == list(range(1, total // 2 + 1))


def test_duplicate_posts_in_flight_at_once_have_one_effect(world: Any) -> None:
    """The idempotency record is inserted after the effect: the duplicate waits on its unique key, fails, rolls
    its own effect back and answers with the first one's stored response (Q4)."""
    counters = floor(world.outlet_a, size="small")
    kiosk = bearer(device(world.outlet_a, "kiosk"))
    terminal = bearer(device(world.outlet_a, "counter", counters["high1"]))
    rounds = 8
    answers: list[tuple[str, int, dict[str, Any]]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send(url: str, body: dict[str, Any], key: str, auth: dict[str, str], gate: threading.Barrier) -> None:
        try:
            gate.wait()
            res = Client().post(
                url, data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth
            )
            with lock:
                answers.append((key, res.status_code, res.json()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def twice(url: str, body: dict[str, Any], key: str, auth: dict[str, str]) -> None:
        gate = threading.Barrier(2)
        pair = [threading.Thread(target=send, args=(url, body, key, auth, gate)) for _ in range(2)]
        for th in pair:
            th.start()
        for th in pair:
            th.join(timeout=60)

    for n in range(rounds):
        twice("/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, f"issue-{n}", kiosk)
    for n in range(rounds):
        twice("/api/v1/counters/OA-W01/call-next", {}, f"call-{n}", terminal)
        current = Ticket.objects.get(counter=counters["high1"], status="called")
        Ticket.objects.filter(pk=current.pk).update(status="finished")
    assert not errors, errors
    by_key: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for key, status, body in answers:
        by_key.setdefault(key, []).append((status, body))
    assert len(by_key) == 2 * rounds
    for key, pair in by_key.items():
        assert len(pair) == 2 and pair[0] == pair[1], (key, pair)
    assert Ticket.objects.count() == rounds
    assert sorted(Ticket.objects.values_list("seq", flat=True)) == list(range(1, rounds + 1))
    calls = Tally(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
    assert len(calls) == rounds and set(calls.values()) == {1}


def test_customers_leaving_while_counters_call_them_are_either_called_or_gone_never_both(world: Any) -> None:
    """ "I'm leaving" from the phone and call-next at the counters race for the same waiting tickets."""
    counters = [c for c in floor(world.outlet_a, size="large").values() if c.kind == "high"]
    tickets = [
        services.ticket_issue(actor=SYSTEM, outlet=world.outlet_a, service_code="CASH") for _ in range(12)
    ]
    start = threading.Barrier(len(counters) + len(tickets))
    called: list[int] = []
    left: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def counter_worker(counter: Any) -> None:
        try:
            start.wait()
            while (t := services.ticket_call_next(actor=SYSTEM, counter=counter)) is not None:
                with lock:
                    called.append(t.pk)
                services.ticket_no_show(actor=SYSTEM, ticket=t)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def customer(ticket: Ticket) -> None:
        from fuwu.core.errors import Conflict

        try:
            start.wait()
            services.ticket_leave(actor=SYSTEM, ticket=Ticket(pk=ticket.pk))
            with lock:
                left.append(ticket.pk)
        except Conflict:
            with lock:
                refused.append(ticket.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=counter_worker, args=(c,)) for c in counters]
    threads += [threading.Thread(target=customer, args=(t,)) for t in tickets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    ids = {t.pk for t in tickets}
    # Each ticket went exactly one way; a refused "leave" is one the counter called first.
    assert set(called) | set(left) == ids and not set(called) & set(left)
    assert set(refused) <= set(called) and len(called) == len(set(called))
    kinds = Tally(TicketEvent.objects.filter(ticket_id__in=ids).values_list("kind", flat=True))
    assert kinds["called"] == len(called) and kinds["cancelled"] == len(left)
