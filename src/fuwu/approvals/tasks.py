from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.approvals import services
from fuwu.core import scheduler
from fuwu.core.principals import system


@task(queue_name="sweeps")
def approvals_escalation_sweep() -> dict[str, int]:
    """Escalate running steps at 50%, 100% and 150% of their business-hour limit, once per rung."""
    return {"fired": services.escalation_sweep(actor=system("approvals-escalation"))}


scheduler.register(approvals_escalation_sweep, every=dt.timedelta(minutes=5))
