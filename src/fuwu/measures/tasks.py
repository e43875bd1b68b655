from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler
from fuwu.core.principals import SYSTEM
from fuwu.measures import services


@task(queue_name="sweeps")
def refresh_rollups() -> int:
    """Roll up every (unit, day) whose facts changed since the last run."""
    return services.rollup_refresh(actor=SYSTEM)


scheduler.register(refresh_rollups, every=dt.timedelta(minutes=5))
