"""The measures app's side of `core.rollups`: other apps mark days dirty or rebuild without importing us."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.measures.models import DirtyDay


def mark_dirty(*, actor: Principal, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Queue (unit id, business date) pairs for the next incremental build (back-dated imports, corrections)."""
    wanted = set(pairs)
    DirtyDay.objects.bulk_create([DirtyDay(unit_id=u, date=d) for u, d in wanted], ignore_conflicts=True)
    return len(wanted)


def rebuild(*, actor: Principal, start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None) -> int:
    from fuwu.measures import services

    return services.rollup_rebuild(actor=actor, start=start, end=end, units=units)


def rebuild_all(*, actor: Principal) -> int:
    """Every rollup from the first fact to the last, and the incremental build's watermark set to now."""
    from fuwu.core import clock
    from fuwu.measures import services
    from fuwu.measures.models import RollupState

    rows = services.rollup_rebuild_all(actor=actor)
    RollupState.objects.update_or_create(name="default", defaults={"watermark": clock.now()})
    return rows
