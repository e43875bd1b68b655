"""Real threads against PostgreSQL: one rating per ticket, one closure per follow-up, the box limit holds."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fuwu.core import roles
from fuwu.core.errors import Conflict, DomainError
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.feedback import rules, services
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp
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


def _race(n: int, work: Any) -> list[str]:
    """Run `work(i)` in n threads released together; each outcome is "ok", an error code, or a repr."""
    start = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        except BaseException as exc:  # surfaced by the callers' assertions
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


POSTS = 20


def test_twenty_simultaneous_box_posts_from_one_address_let_exactly_the_limit_through(world: Any) -> None:
    assert rules.FEEDBACK_PER_HOUR == 5
    outcomes = _race(
        POSTS,
        lambda i: services.feedback_submit(
            actor=SYSTEM, outlet=world.outlet_a, text=f"第{i}条留言，排队时间太长了", client="203.0.113.7"
        ),
    )
    assert outcomes == ["ok"] * 5 + ["throttled"] * (POSTS - 5)
    assert FeedbackItem.objects.count() == 5


def test_two_staff_closing_one_follow_up_close_it_once(world: Any) -> None:
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    pad = DevicePrincipal(device_token_authenticate(f.pad_token(world.outlet_a, counter.code)))
    ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])
    follow_up = FollowUp.objects.get()
    deputy = world.person("deputy_a", world.outlet_a, roles.OUTLET_HEAD)
    closers = [world.head_a, deputy]
    outcomes = _race(
        2,
        lambda i: services.follow_up_close(
            actor=closers[i], follow_up=follow_up, outcome="resolved", note=f"第{i}位主任已电话致歉"
        ),
    )
    assert outcomes == ["illegal_transition", "ok"]
    assert AuditEvent.objects.filter(action="follow_up.close", target_id=str(follow_up.pk)).count() == 1
    assert follow_up.history.filter(status="closed").count() == 1


def test_two_staff_answering_one_message_answer_it_once(world: Any) -> None:
    item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="请问周六营业吗？", client="q"
    )
    deputy = world.person("deputy_a", world.outlet_a, roles.OUTLET_HEAD)
    answerers = [world.head_a, deputy]
    outcomes = _race(
        2, lambda i: services.feedback_reply(actor=answerers[i], item=item, text=f"周六营业（回复{i}）")
    )
    assert outcomes == ["illegal_transition", "ok"]
    item.refresh_from_db()
    assert item.replied_by in answerers and item.reply.startswith("周六营业")
    assert AuditEvent.objects.filter(action="feedback.reply", target_id=str(item.pk)).count() == 1


def test_the_escalation_sweep_commits_each_follow_up_on_its_own(world: Any) -> None:
    """While one follow-up is locked by a colleague, those before it are already escalated and visible."""
    import datetime as dt
    import time

    from django.db import transaction

    from fuwu.core import clock

    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    pad = DevicePrincipal(device_token_authenticate(f.pad_token(world.outlet_a, counter.code)))
    for _ in range(2):
        ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
        services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])
    first, second = FollowUp.objects.order_by("pk")
    past = clock.now() - dt.timedelta(days=3)
    FollowUp.objects.filter(pk=first.pk).update(due_at=past)
    FollowUp.objects.filter(pk=second.pk).update(due_at=past + dt.timedelta(minutes=1))
    locked, release = threading.Event(), threading.Event()
    result: list[Any] = []

    def colleague() -> None:
        try:
            with transaction.atomic():
                FollowUp.objects.select_for_update().get(pk=second.pk)
                locked.set()
                release.wait(30)  # longer than the poll below
        finally:
            connection.close()

    def sweep() -> None:
        try:
            result.append(services.follow_ups_escalate(actor=SYSTEM))
        except BaseException as exc:
            result.append(repr(exc))
        finally:
            connection.close()

    holder = threading.Thread(target=colleague)
    holder.start()
    assert locked.wait(10)
    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    deadline = time.monotonic() + 8
    while FollowUp.objects.get(pk=first.pk).escalation_level == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    seen_first = FollowUp.objects.get(pk=first.pk).escalation_level
    seen_second = FollowUp.objects.get(pk=second.pk).escalation_level
    release.set()
    holder.join()
    sweeper.join()
    assert (seen_first, seen_second) == (1, 0)  # the first committed while the sweep waited on the second
    assert result == [2]
    assert FollowUp.objects.get(pk=second.pk).escalation_level == 1
