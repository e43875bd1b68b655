"""The measures app's side of `core.figures`: catalogue figures for pages of the apps below it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.measures import catalogue, selectors


def unit_figures(
    *,
    fetched_by: Principal,
    units: Sequence[OrgUnit],
    start: dt.date,
    end: dt.date,
    measure_ids: Sequence[str],
) -> dict[int, dict[str, float | None]]:
    """Each unit's figures from the rollups under it: one read of the visible units, folded per unit."""
    for measure_id in measure_ids:
        catalogue.get(measure_id)
    if not units:
        return {}
    parts = catalogue.parts_read(measure_ids)
    per_unit = selectors.parts_by(None, start, end, by=["unit"], parts=parts, fetched_by=fetched_by)
    paths = dict(OrgUnit.objects.filter(pk__in=[u for (u,) in per_unit]).values_list("pk", "path"))
    out: dict[int, dict[str, float | None]] = {}
    # Units may nest (an outlet and its branch): fold per unit, not into the one group above a row.
    for unit in units:
        sums = selectors.group_parts(
            ((paths[u], p) for (u,), p in per_unit.items() if paths[u].startswith(unit.path)), [unit]
        )
        out[unit.pk] = catalogue.evaluate(sums[unit.pk], measure_ids)
    return out


def keyed_figures(
    *,
    fetched_by: Principal,
    start: dt.date,
    end: dt.date,
    cut: str,
    measure_ids: Sequence[str],
    per_unit: bool = True,
) -> dict[tuple[int, str], dict[str, float | None]]:
    """Figures per (rollup unit, key) of one cut — or per key over every unit (unit 0) — for the reader."""
    for measure_id in measure_ids:
        catalogue.get(measure_id)
    parts = catalogue.parts_read(measure_ids)
    if per_unit:
        found = selectors.parts_by(
            None, start, end, by=["unit", "key"], cut=cut, parts=parts, fetched_by=fetched_by
        )
        return {(unit, str(key)): catalogue.evaluate(p, measure_ids) for (unit, key), p in found.items()}
    summed = selectors.parts_by(None, start, end, by=["key"], cut=cut, parts=parts, fetched_by=fetched_by)
    return {(0, str(key)): catalogue.evaluate(p, measure_ids) for (key,), p in summed.items()}


def measure_label(measure_id: str) -> dict[str, Any]:
    m = catalogue.get(measure_id)
    return {
        "name": str(m.name),
        "unit": m.unit_label,
        "decimals": m.decimals,
        "definition": str(m.definition),
    }
