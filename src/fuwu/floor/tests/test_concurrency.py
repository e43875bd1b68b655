"""Real threads against PostgreSQL: counters racing for the same line never share a ticket, none is lost."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from typing import Any

import pytest
from django.db import connection

from fuwu.floor import services
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.floor.tests.factories import floor

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
                t = services.ticket_issue(actor=None, outlet=world.outlet_a, service_code=codes[(n + i) % 2])
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
                t = services.ticket_call_next(actor=None, counter=counter)
                if t is None:
                    if issuing_done.is_set() and not Ticket.objects.filter(status="waiting").exists():
                        return
                    continue
                with lock:
                    called.append(t.pk)
                services.ticket_start(actor=None, ticket=t)
                services.ticket_finish(actor=None, ticket=t)
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
