"""Real threads against PostgreSQL through the API: simultaneous intakes all get a complaint with its own
reference, simultaneous decisions on one case give exactly one decision (issue 12)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fuwu.complaints import services
from fuwu.complaints.models import Complaint, Decision
from fuwu.complaints.tests import factories as f
from fuwu.core.principals import SYSTEM

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

BODY = {
    "outlet_code": "OA",
    "source": "hotline",
    "complainant_name": "刘建华",
    "phone": "13812345678",
    "content": "信用卡没用过却被扣了年费，客服说不能退。",
    "channel_code": "0302",
    "category_code": "03",
    "reason_code": "07",
}


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")
    # A transactional test flushes the tables afterwards, migration data included: the codes come back here.
    from fuwu.complaints.codes import seed_codes
    from fuwu.complaints.models import ClassificationCode

    seed_codes(ClassificationCode)


def _at_once(n: int, call: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run `call(i)` in n threads released together; each thread closes its own connection."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = call(i)
        except BaseException as exc:  # surfaced by the main thread's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results, errors


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_eight_simultaneous_registrations_give_eight_complaints_with_distinct_references(world: Any) -> None:
    clients = [_client(world.teller_a) for _ in range(8)]

    def register(i: int) -> Any:
        body = {**BODY, "content": f"{BODY['content']}（第{i}位客户）"}
        return clients[i].post("/api/v1/complaints", json.dumps(body), content_type="application/json")

    responses, errors = _at_once(8, register)
    assert not errors
    assert [r.status_code for r in responses] == [201] * 8, [r.content[:200] for r in responses]
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 8
    assert set(Complaint.objects.values_list("reference", flat=True)) == references


def test_four_simultaneous_decides_on_one_case_give_one_decision_and_three_409s(world: Any) -> None:
    handler = f.handler(world)
    case = f.complaint(world)
    services.complaint_assign(actor=SYSTEM, complaint=case, handler=handler)
    services.complaint_investigate(actor=handler, complaint=case, root_cause="高峰期人手不足")
    clients = [_client(handler) for _ in range(4)]
    body = {"facts": "经调阅录像属实", "basis": "《柜面服务规范》第5条", "remedy": "当面致歉", "upheld": True}

    def decide(i: int) -> Any:
        return clients[i].post(
            f"/api/v1/complaints/{case.pk}/decide", json.dumps(body), content_type="application/json"
        )

    responses, errors = _at_once(4, decide)
    assert not errors
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert all(e["details"]["status"] == "decided" for e in refused)
    assert Decision.objects.filter(complaint=case).count() == 1


def test_the_deadline_sweep_commits_case_by_case(world: Any) -> None:
    """While one case is locked by someone working on it, the sweep's alerts for the other are already
    committed: one short transaction per case, not one over every open case."""
    import datetime as dt

    from django.db import transaction

    from fuwu.complaints.models import Alert
    from fuwu.core import clock

    start = clock.now() - dt.timedelta(days=20)
    other = f.complaint(world, received_at=start + dt.timedelta(days=1))
    busy = f.complaint(world, received_at=start)  # higher id and older: the sweep reaches it last
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def sweep() -> None:
        try:
            services.deadlines_sweep(actor=SYSTEM)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    try:
        seen = False
        for _ in range(100):  # up to 10 s for the other case's alert to be committed
            if Alert.objects.filter(complaint=other, kind="warning").exists():
                seen = True
                break
            threading.Event().wait(0.1)
        assert sweeper.is_alive(), "the sweep did not wait for the locked case"
        assert seen, "nothing was committed while one case was locked"
        assert not Alert.objects.filter(complaint=busy).exclude(kind="fast_track").exists()
    finally:
        release.set()
        holder.join()
        sweeper.join()
    assert Alert.objects.filter(complaint=busy, kind="breach").exists()


def test_four_simultaneous_turns_of_one_feedback_message_give_one_complaint(world: Any) -> None:
    """#19: "转为投诉" clicked by two colleagues (or twice) at once: the message's row lock gives one case."""
    from fuwu.feedback.services import feedback_submit

    item, _token = feedback_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        text="网点排队一个多小时，柜员态度冷淡，也没人解释原因。",
        client="1.2.3.4",
    )
    clients = [_client(world.head_a) for _ in range(4)]
    results, errors = _at_once(4, lambda i: clients[i].post(f"/complaints/from-feedback/{item.pk}/"))
    assert not errors
    assert {r.status_code for r in results} == {302}
    made = Complaint.objects.get(feedback_item=item)
    assert {r["Location"] for r in results} == {f"/complaints/{made.pk}/"}
