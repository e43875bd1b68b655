from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import idempotency, scheduler


@task(queue_name="sweeps")
def prune_idempotency_records() -> int:
    return idempotency.prune()


scheduler.register(prune_idempotency_records, every=dt.timedelta(hours=6))
