"""#18: a double-submitted complaint form (or a browser retry) registers one complaint, not two.

The intake form renders a one-time token ({% once_token %}); core.idempotency keeps the first post's
redirect under it, so the same post again lands on the same complaint. On PostgreSQL real threads post
the same form at once: the duplicates wait on the token's unique key and get the first answer.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fuwu.complaints.models import Complaint
from fuwu.complaints.tests import factories as f
from fuwu.complaints.tests.test_views import FORM

SENDS = 6


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def _token(page: str) -> str:
    found = re.search(r'name="once_token" value="([^"]+)"', page)
    assert found is not None, "the intake form carries no one-time token"
    return found.group(1)


@pytest.mark.django_db
def test_the_same_intake_form_posted_twice_registers_one_complaint(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    form = {**FORM, "once_token": _token(client.get("/complaints/new/").content.decode())}
    first = client.post("/complaints/new/", form)
    second = client.post("/complaints/new/", form)
    complaint = Complaint.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/complaints/{complaint.pk}/"
    assert second["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_form_refused_for_its_errors_can_be_corrected_and_sent(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    token = _token(client.get("/complaints/new/").content.decode())
    refused = client.post("/complaints/new/", {**FORM, "content": "", "once_token": token})
    assert refused.status_code == 422 and not Complaint.objects.exists()
    assert _token(refused.content.decode()) != token  # the re-rendered form has a fresh token
    assert client.post("/complaints/new/", {**FORM, "once_token": token}).status_code == 302
    assert Complaint.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_intake_posts_register_one_complaint(ctx: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent duplicates need PostgreSQL; SQLite serializes every write transaction")
    # A transactional test flushes the tables afterwards, migration data included: the codes the form
    # names come back here, whichever test ran before on this worker.
    from fuwu.complaints.codes import seed_codes
    from fuwu.complaints.models import ClassificationCode

    seed_codes(ClassificationCode)
    start = threading.Barrier(SENDS)
    answers: list[Any] = []
    lock = threading.Lock()
    form = {**FORM, "once_token": "burst-token-0123456789"}

    def send() -> None:
        client = Client(raise_request_exception=False)
        client.force_login(ctx.teller_a)
        try:
            start.wait()
            response = client.post("/complaints/new/", form)
            result: Any = (response.status_code, response.get("Location"))
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
    assert Complaint.objects.count() == 1
    assert answers == [(302, f"/complaints/{Complaint.objects.get().pk}/")] * SENDS
