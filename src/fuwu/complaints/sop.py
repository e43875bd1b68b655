"""The bank's own SOP clock per step (seed 003: complaints handled within 1–3 business days).

Targets are wall-clock hours (acknowledge) or business days of the core calendar; the warning falls when
80% of the step's wall-clock span has elapsed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fuwu.core import calendar
from fuwu.core.clock import SHANGHAI

Unit = Literal["hours", "business_days"]

# (unit, normal target, fast-track target)
TARGETS: dict[str, tuple[Unit, int, int]] = {
    "acknowledge": ("hours", 4, 1),
    "investigate": ("business_days", 1, 1),
    "decide": ("business_days", 1, 1),
    "reply": ("business_days", 1, 1),
    "revisit": ("business_days", 3, 2),
}
WARN_FRACTION = 0.8


def step_due(
    step: str, started_at: dt.datetime, *, fast_track: bool = False
) -> tuple[dt.datetime, dt.datetime]:
    """(due, warn-at) for a step started at `started_at`."""
    unit, normal, fast = TARGETS[step]
    amount = fast if fast_track else normal
    if unit == "hours":
        due = started_at + dt.timedelta(hours=amount)
    else:
        local = started_at.astimezone(SHANGHAI)
        day = calendar.add_business_days(local.date(), amount)
        due = dt.datetime.combine(day, local.time(), tzinfo=SHANGHAI)
    warn = started_at + (due - started_at) * WARN_FRACTION
    return due, warn
