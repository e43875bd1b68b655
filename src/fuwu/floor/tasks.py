from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import clock, scheduler
from fuwu.core.principals import SYSTEM
from fuwu.floor import services


@task(queue_name="sweeps")
def floor_close_day_sweep() -> int:
    """Cancel tickets left open from earlier business days, so yesterday's line never reaches today's counters."""
    return services.tickets_close_day(actor=SYSTEM, before=clock.today())


scheduler.register(floor_close_day_sweep, every=dt.timedelta(hours=1))
