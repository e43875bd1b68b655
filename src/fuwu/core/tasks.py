from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import idempotency, scheduler


@task(queue_name="sweeps")
def prune_idempotency_records() -> int:
    return idempotency.prune()


scheduler.register(prune_idempotency_records, every=dt.timedelta(hours=6))


@task()
def send_notification_email(notification_id: int) -> bool:
    """Mail one in-app notification (queued by core.notifications when the sender asked for e-mail)."""
    from fuwu.core.notifications import send_email

    return send_email(notification_id)
