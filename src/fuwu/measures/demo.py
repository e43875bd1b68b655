"""Demo measures: roll up every fact the other demo steps wrote, and seed the targets of seed 003.

Seed 003 (服务改进方案) starts from average service 15 min, satisfaction 65% and complaint cycle 7 days, and
aims at 10 min, 85% and 3 days; the bank sets them for itself and for each tier-1 branch, over one year.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.measures import facts, services
from fuwu.measures.models import RollupState

# (measure, baseline, target) from seed 003; the wait target follows the same plan's queueing goal.
SEED_TARGETS = (
    ("avg_service", 15.0, 10.0),
    ("complaint_cycle_days", 7.0, 3.0),
    ("satisfaction", 65.0, 85.0),
    ("avg_wait", 15.0, 10.0),
    ("served_within_target", 70.0, 90.0),
)


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    rows = services.rollup_rebuild_all(actor=SYSTEM)
    RollupState.objects.update_or_create(name="default", defaults={"watermark": clock.now()})
    span = facts.fact_dates()
    out.write(
        f"measures: {rows} rollup rows over {span[0]} – {span[1]} in {time.monotonic() - started:.1f}s\n"
        if span
        else "measures: no facts to roll up\n"
    )
    today = clock.today()
    start = (span[0] if span else today).replace(day=1)
    due = dt.date(today.year + 1, 6, 30)
    count = 0
    for unit in [bank.head_office, *bank.tier1]:
        for measure, baseline, value in SEED_TARGETS:
            services.target_set(
                actor=SYSTEM,
                measure=measure,
                unit=unit,
                baseline=baseline,
                value=value,
                start_date=start,
                due_date=due,
                note="seed 003",
            )
            count += 1
    out.write(f"measures: {count} targets (seed 003) due {due}\n")
