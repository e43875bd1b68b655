from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.complaints import services
from fuwu.core import scheduler
from fuwu.core.principals import SYSTEM


@task(queue_name="sweeps")
def complaint_deadlines_sweep() -> dict[str, int]:
    """SOP step warnings at 80%, breach escalation, and the statutory clock's warning and breach."""
    return services.deadlines_sweep(actor=SYSTEM)


scheduler.register(complaint_deadlines_sweep, every=dt.timedelta(minutes=5))
