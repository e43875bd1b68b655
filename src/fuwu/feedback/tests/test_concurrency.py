"""Real threads against PostgreSQL: a pad tapped twice at once records exactly one rating."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fuwu.core.errors import Conflict
from fuwu.core.principals import DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.feedback import services
from fuwu.feedback.models import Evaluation, FollowUp
from fuwu.feedback.tests import factories as f

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

TAPS = 6


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def test_simultaneous_ratings_of_one_ticket_record_one(world: Any) -> None:
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    pad = DevicePrincipal(device_token_authenticate(f.pad_token(world.outlet_a, counter.code)))
    ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    start = threading.Barrier(TAPS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def tap() -> None:
        try:
            start.wait()
            services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])
            result = "ok"
        except Conflict:
            result = "conflict"
        except BaseException as exc:  # surfaced by the assertion below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=tap) for _ in range(TAPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (TAPS - 1) + ["ok"]
    assert Evaluation.objects.filter(ticket=ticket).count() == 1
    assert FollowUp.objects.count() == 1
