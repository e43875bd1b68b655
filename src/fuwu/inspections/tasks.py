from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler
from fuwu.core.principals import system
from fuwu.inspections import services


@task(queue_name="sweeps")
def rectification_escalation_sweep() -> int:
    """Escalate overdue rectification tasks up the org tree, one task per transaction."""
    return services.tasks_escalate(actor=system("rectification-escalation"))


scheduler.register(rectification_escalation_sweep, every=dt.timedelta(hours=1))
