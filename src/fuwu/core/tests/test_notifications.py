"""In-app notifications: written after commit, once per key, scoped to the recipient, e-mailed in the background."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_noop

from fuwu.core import notifications, selectors, services
from fuwu.core.errors import NotFound
from fuwu.core.models import AuditEvent, Notification
from fuwu.core.principals import system
from fuwu.core.tasks import send_notification_email

MESSAGE = gettext_noop("Marked all notifications read")


def _send(world: Any, *recipients: Any, key: str = "", email: bool = False, capture: Any) -> None:
    with capture(execute=True):
        notifications.notify(
            actor=system("test"),
            recipients=recipients,
            kind="test",
            obj=world.outlet_a,
            message=MESSAGE,
            key=key,
            email=email,
        )


def test_rows_are_written_only_when_the_senders_transaction_commits(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(
            actor=system("test"), recipients=[world.teller_a], kind="test", obj=None, message=MESSAGE
        )
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert Notification.objects.get().recipient == world.teller_a


def test_a_rolled_back_action_notifies_nobody(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notifications.notify(
                    actor=system("test"), recipients=[world.teller_a], kind="test", obj=None, message=MESSAGE
                )
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_acting_person_is_not_told_of_their_own_act(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            actor=world.head_a,
            recipients=[world.head_a, world.teller_a, world.teller_a, None],
            kind="test",
            obj=None,
            message=MESSAGE,
        )
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["teller_a"]


def test_the_same_key_notifies_each_recipient_once(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(2):
        _send(world, world.teller_a, world.head_a, key="sweep:1", capture=django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 2
    _send(world, world.teller_a, key="sweep:2", capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=world.teller_a).count() == 2


def test_the_message_is_read_in_the_readers_language(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import translation

    _send(world, world.teller_a, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    with translation.override("zh-hans"):
        assert notifications.text(row) == "将全部通知标为已读"
    with translation.override("en"):
        assert notifications.text(row) == "Marked all notifications read"


def test_email_is_queued_for_a_worker_and_sent_once_in_chinese(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    world.teller_a.email = "teller@example.com"
    world.teller_a.save()
    _send(world, world.teller_a, world.teller_b, email=True, capture=django_capture_on_commit_callbacks)
    jobs = DBTaskResult.objects.filter(task_path=send_notification_email.module_path)
    assert jobs.count() == 2  # queued, not sent in the sender's request
    assert mail.outbox == []
    for job in jobs:
        send_notification_email.call(*job.args_kwargs["args"])
    assert len(mail.outbox) == 1  # teller_b has no address
    assert mail.outbox[0].to == ["teller@example.com"]
    assert mail.outbox[0].subject == "服务平台通知"
    assert "将全部通知标为已读" in mail.outbox[0].body
    row = Notification.objects.get(recipient=world.teller_a)
    assert send_notification_email.call(row.pk) is False  # a retried job mails nobody twice
    assert len(mail.outbox) == 1


def test_each_person_reads_only_their_own_head_office_included(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _send(world, world.teller_a, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert list(selectors.notifications(fetched_by=world.teller_a)) == [row]
    assert not selectors.notifications(fetched_by=world.hq_manager).exists()
    assert selectors.notifications_unread_count(fetched_by=world.teller_b) == 0
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=world.hq_manager, notification_id=row.pk)
    assert Notification.objects.get().read_at is None


def test_marking_read_keeps_the_first_time_and_mark_all_is_audited(
    world: Any, frozen_clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    for key in ("a", "b", "c"):
        _send(world, world.teller_a, key=key, capture=django_capture_on_commit_callbacks)
    first = Notification.objects.order_by("pk").first()
    assert first is not None
    services.notification_mark_read(actor=world.teller_a, notification_id=first.pk)
    when = Notification.objects.get(pk=first.pk).read_at
    frozen_clock.advance(dt.timedelta(minutes=5))
    services.notification_mark_read(actor=world.teller_a, notification_id=first.pk)
    assert Notification.objects.get(pk=first.pk).read_at == when
    assert selectors.notifications_unread_count(fetched_by=world.teller_a) == 2
    assert services.notifications_mark_all_read(actor=world.teller_a) == 2
    assert services.notifications_mark_all_read(actor=world.teller_a) == 0
    events = AuditEvent.objects.filter(action="notifications.read_all")
    assert [e.data for e in events] == [{"count": 2}]


def test_inbox_is_paged_counted_linked_and_the_bell_shows_the_unread_count(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from fuwu.core import audit

    event = audit.record(actor=system("test"), action="test")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(35):
            notifications.notify(
                actor=system("test"),
                recipients=[world.head_a],
                kind="test",
                obj=event,
                message=MESSAGE,
                key=str(i),
            )
    client = Client()
    client.force_login(world.head_a)
    page = client.get("/notifications/").content.decode()
    assert "共 35 条" in page and "第 1 页，共 2 页" in page
    assert page.count('data-testid="open"') == 30
    assert re.search(r'data-testid="bell-count">35<', page)
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count('data-testid="open"') == 5
    newest = Notification.objects.order_by("-created_at", "-pk").first()
    assert newest is not None
    opened = client.post(f"/notifications/{newest.pk}/read/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == f"/audit/{event.pk}/"
    assert Notification.objects.get(pk=newest.pk).read_at is not None
    assert client.post("/notifications/read-all/").status_code == 302
    home = client.get("/").content.decode()
    assert 'data-testid="bell"' in home and 'data-testid="bell-count"' not in home
    assert client.get("/notifications/?unread=1").content.decode().count('data-testid="open"') == 0
    # Someone else's notification: the same answer as a missing one.
    other = Client()
    other.force_login(world.teller_a)
    assert other.post(f"/notifications/{newest.pk}/read/").status_code == 404


def test_unit_managers_are_the_outlet_head_and_above_them_the_branchs(world: Any) -> None:
    from fuwu.core import roles

    assert notifications.unit_managers(world.outlet_a) == [world.head_a]
    assert notifications.unit_managers(world.outlet_b) == []
    supervisor = world.person("sup", world.t2, roles.SUPERVISOR)
    assert notifications.managers_above(world.outlet_b) == [supervisor]
    # The head's own manager is above the head.
    assert notifications.managers_above(world.outlet_a, exclude=[world.head_a.pk]) == [supervisor]
    branch_manager = world.person("bm", world.t2, roles.HQ_MANAGER)
    assert notifications.unit_managers(world.t2) == [branch_manager]


def test_notification_text_is_scrubbed_and_a_reference_survives(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Whatever a sender passes, no personal number is stored or mailed; our own reference reads as typed (#18)."""
    from fuwu.approvals.tests import factories as approval_factories

    approval_factories.small_loan()
    reference = approval_factories.start(world, "50000").reference
    world.teller_a.email = "teller@example.com"
    world.teller_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            actor=system("客服 +86 139 1234 5678"),
            recipients=[world.teller_a],
            kind="test",
            obj=world.outlet_a,
            message=gettext_noop(
                "Approval %(case)s, step %(step)s is 50%% past its time limit; escalated to %(unit)s."
            ),
            params={
                "case": reference,
                "step": "客户13912345678来电",
                "unit": "身份证110108 19850612 3015",
                "more": [{"note": "卡号6222021234567890123"}, 7],
            },
            email=True,
        )
    row = Notification.objects.get()
    assert row.params == {
        "case": reference,
        "step": "客户139****5678来电",
        "unit": "身份证110***********3015",
        "more": [{"note": "卡号622202*********0123"}, 7],
    }
    assert row.actor_label == "system:客服 139****5678"
    with translation.override("zh-hans"):
        shown = notifications.text(row)
    assert reference in shown and "139****5678" in shown and "110***********3015" in shown
    send_notification_email.call(row.pk)
    body = mail.outbox[0].body
    assert reference in body and "13912345678" not in body and "19850612" not in body


def test_a_message_that_is_not_a_msgid_is_scrubbed_too(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            actor=system("test"),
            recipients=[world.teller_a],
            kind="test",
            obj=None,
            message="Call 139-1234-5678 about SP20260302000001",
        )
    assert Notification.objects.get().message == "Call 139****5678 about SP20260302000001"
