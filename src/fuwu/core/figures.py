"""Catalogue figures for the apps below the measures app, without importing it (K1: one way to compute).

A domain app's page that shows a catalogue measure (the inspections trends page's mystery-shopper score and
satisfaction) asks here; the measures app answers through its `figure_source.py` hook module, found at run
time like the other per-app hooks (`core.discovery`), reading the same daily rollups as the dashboards. So
a figure is computed one way whichever screen shows it, and the layering stays downward.

A figure source module defines:
    unit_figures(*, fetched_by, units, start, end, measure_ids) -> {unit id: {measure id: value | None}}
    keyed_figures(*, fetched_by, start, end, cut, measure_ids) -> {(unit id, key): {measure id: value}}
    measure_label(measure_id) -> {"name": …, "unit": …, "decimals": …, "definition": …}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fuwu.core.discovery import app_modules

if TYPE_CHECKING:
    from fuwu.core.models import OrgUnit
    from fuwu.core.principals import Principal

Values = dict[str, float | None]


def _source() -> ModuleType | None:
    found = app_modules("figure_source")
    return found[0][1] if found else None


def unit_figures(
    *,
    fetched_by: Principal,
    units: Iterable[OrgUnit],
    start: dt.date,
    end: dt.date,
    measure_ids: Sequence[str],
) -> dict[int, Values]:
    """Each unit's catalogue figures for business dates start..end (everything under it summed).

    Without a measures app every figure is "no data" (None), never 0.
    """
    unit_list = list(units)
    source = _source()
    if source is None:
        return {u.pk: dict.fromkeys(measure_ids) for u in unit_list}
    found: dict[int, Values] = source.unit_figures(
        fetched_by=fetched_by, units=unit_list, start=start, end=end, measure_ids=list(measure_ids)
    )
    return found


def keyed_figures(
    *,
    fetched_by: Principal,
    start: dt.date,
    end: dt.date,
    cut: str,
    measure_ids: Sequence[str],
    per_unit: bool = True,
) -> dict[tuple[int, str], Values]:
    """Figures per (unit, key) of one rollup cut (a course, an agent…) for business dates start..end, over
    every unit the reader sees; with `per_unit` False, per key over all those units (unit 0). Nothing
    without a measures app."""
    source = _source()
    if source is None:
        return {}
    found: dict[tuple[int, str], Values] = source.keyed_figures(
        fetched_by=fetched_by, start=start, end=end, cut=cut, measure_ids=list(measure_ids), per_unit=per_unit
    )
    return found


def measure_label(measure_id: str) -> dict[str, Any]:
    """The measure's name, unit and definition as screens show them (the id itself without a source)."""
    source = _source()
    if source is None:
        return {"name": measure_id, "unit": "", "decimals": 1, "definition": ""}
    label: dict[str, Any] = source.measure_label(measure_id)
    return label
