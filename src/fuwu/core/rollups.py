"""The "rollup is dirty" hook: apps whose facts feed the measures say which (unit, day) changed, without
importing the measures app.

Staffing (back-dated call imports), the floor, feedback and complaints call `mark_dirty(...)` inside their own
transaction; the app that keeps the rollups (measures) receives it through its `rollup_sink.py` hook module,
found at run time like the other per-app hooks (`core.discovery`). So the layering stays downward: core ←
domain apps ← measures.

A rollup sink module defines:
    mark_dirty(*, actor: Principal, pairs: set[tuple[int, date]]) -> int   # queue days for the next build
    rebuild(*, actor: Principal, start: date, end: date, units: list[OrgUnit] | None) -> int  # build now
    rebuild_all(*, actor: Principal) -> int   # every fact from the first to the last, watermark moved on
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from fuwu.core.discovery import app_modules

if TYPE_CHECKING:
    from fuwu.core.models import OrgUnit
    from fuwu.core.principals import Principal


def _sinks() -> list[ModuleType]:
    return [module for _app, module in app_modules("rollup_sink")]


def mark_dirty(*, actor: Principal, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (unit id, business date) pairs for the next incremental build; returns how many were queued.

    The caller has already checked its own permission for the write that changed the facts; this only
    tells the rollups to look again. With no measures app installed it does nothing.
    """
    wanted = set(pairs)
    for module in _sinks():
        module.mark_dirty(actor=actor, pairs=wanted)
    return len(wanted)


def rebuild(*, actor: Principal, start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None) -> int:
    """Build the rollups of start..end now (for `units`, or all); the demo uses it after back-dated facts."""
    unit_list = list(units) if units is not None else None
    return sum(int(module.rebuild(actor=actor, start=start, end=end, units=unit_list)) for module in _sinks())


def rebuild_all(*, actor: Principal) -> int:
    """Build every rollup from scratch (the demo, once every app has written its facts)."""
    return sum(int(module.rebuild_all(actor=actor)) for module in _sinks())
