from __future__ import annotations

import datetime as dt

from django_tasks import task

from fuwu.core import scheduler
from fuwu.core.principals import SYSTEM
from fuwu.customers import services


@task(queue_name="sweeps")
def customers_tiers_recompute() -> int:
    """Recompute AUM, tiers and age groups from holdings; tier changes are kept as history (P2)."""
    return services.tiers_recompute(actor=SYSTEM)


@task(queue_name="sweeps")
def customers_rules_train() -> int:
    """Retrain the next-product association rules on all holdings (P3)."""
    return services.rules_train(actor=SYSTEM)


scheduler.register(customers_tiers_recompute, every=dt.timedelta(hours=24))
scheduler.register(customers_rules_train, every=dt.timedelta(hours=24))
