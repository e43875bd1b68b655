"""Real threads against PostgreSQL: the same Idempotency-Key sent several times at once has one effect.

The middleware runs the effect before it stores the key; the duplicates' inserts wait on the unique key,
fail once the first commits, and roll their own effects back.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fuwu.core.models import DeviceToken, IdempotencyRecord

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

SENDS = 4


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent duplicates need PostgreSQL; SQLite serializes every write transaction")


def test_simultaneous_duplicates_have_one_effect_and_one_answer(world: Any) -> None:
    start = threading.Barrier(SENDS)
    answers: list[Any] = []
    lock = threading.Lock()

    def send() -> None:
        client = Client()
        client.force_login(world.head_a)
        try:
            start.wait()
            response = client.post(
                "/api/v1/devices",
                {"outlet_code": "OA", "kind": "kiosk"},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="burst",
            )
            result: Any = (response.status_code, response.json())
        except BaseException as exc:  # surfaced by the assertion below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(a, tuple) for a in answers), answers
    assert {a[0] for a in answers} == {201}
    assert len({a[1]["id"] for a in answers}) == 1
    assert DeviceToken.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
