"""Real threads against PostgreSQL: concurrent marks of one inbox neither lose nor double a notification."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.utils.translation import gettext_noop

from fuwu.core import notifications, selectors, services
from fuwu.core.models import AuditEvent, Notification
from fuwu.core.principals import system

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROWS = 40
MESSAGE = gettext_noop("Marked all notifications read")


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent marks need PostgreSQL; SQLite serializes every write transaction")


def _inbox(world: Any) -> list[int]:
    # No transaction around this: each notify writes at once, as after a sender's commit.
    for i in range(ROWS):
        notifications.notify(
            actor=system("test"),
            recipients=[world.teller_a],
            kind="test",
            obj=None,
            message=MESSAGE,
            key=str(i),
        )
    return list(Notification.objects.filter(recipient=world.teller_a).values_list("pk", flat=True))


def test_racing_mark_all_and_single_marks_count_each_notification_exactly_once(world: Any) -> None:
    ids = _inbox(world)
    assert len(ids) == ROWS
    start = threading.Barrier(6)

    def mark_all() -> int:
        try:
            start.wait()
            return services.notifications_mark_all_read(actor=world.teller_a)
        finally:
            connection.close()

    def mark_each(chunk: list[int]) -> int:
        try:
            start.wait()
            for pk in chunk:
                services.notification_mark_read(actor=world.teller_a, notification_id=pk)
            return 0
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        alls = [pool.submit(mark_all) for _ in range(3)]
        singles = [pool.submit(mark_each, ids[i::3]) for i in range(3)]
        marked = [f.result() for f in alls]
        for f in singles:
            f.result()
    # Every row read, none lost; the mark-all calls counted only rows nobody else had marked, so their
    # counts plus the rows marked singly before them never exceed the inbox (no row counted twice).
    assert selectors.notifications_unread_count(fetched_by=world.teller_a) == 0
    assert Notification.objects.filter(recipient=world.teller_a, read_at__isnull=True).count() == 0
    assert sum(marked) <= ROWS
    audited = sum(e.data["count"] for e in AuditEvent.objects.filter(action="notifications.read_all"))
    assert audited == sum(marked)


def test_racing_mark_all_calls_split_the_inbox_between_them(world: Any) -> None:
    _inbox(world)
    start = threading.Barrier(4)

    def mark_all() -> int:
        try:
            start.wait()
            return services.notifications_mark_all_read(actor=world.teller_a)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        marked = [f.result() for f in [pool.submit(mark_all) for _ in range(4)]]
    assert sum(marked) == ROWS  # each row counted by exactly one caller: none lost, none doubled
    assert selectors.notifications_unread_count(fetched_by=world.teller_a) == 0


def test_racing_senders_with_one_key_write_one_row(world: Any) -> None:
    start = threading.Barrier(4)

    def send() -> None:
        try:
            start.wait()
            notifications.notify(
                actor=system("sweep"),
                recipients=[world.head_a],
                kind="test",
                obj=None,
                message=MESSAGE,
                key="once",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for f in [pool.submit(send) for _ in range(4)]:
            f.result()
    assert Notification.objects.filter(recipient=world.head_a, key="once").count() == 1
