from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler
from fuwu.core.principals import system
from fuwu.training import services


@task(queue_name="sweeps")
def training_sweep() -> dict[str, int]:
    """Reminders before the due date, overdue ones to the manager, timed-out attempts, lapsed certificates back onto the assignment list."""
    return {
        "reminded": services.reminders_sweep(actor=system("training-sweep")),
        "overdue": services.overdue_sweep(actor=system("training-sweep")),
        "timed_out": services.attempts_timeout_sweep(actor=system("training-sweep")),
        "lapsed": services.certificates_expiry_sweep(actor=system("training-sweep")),
    }


scheduler.register(training_sweep, every=dt.timedelta(minutes=15))
