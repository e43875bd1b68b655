from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler
from fuwu.core.principals import SYSTEM
from fuwu.feedback import services


@task(queue_name="sweeps")
def escalate_follow_ups() -> int:
    """Move untouched follow-ups and unanswered feedback past their deadlines one level up the org tree."""
    return services.follow_ups_escalate(actor=SYSTEM) + services.feedback_escalate_overdue(actor=SYSTEM)


scheduler.register(escalate_follow_ups, every=dt.timedelta(minutes=15))
