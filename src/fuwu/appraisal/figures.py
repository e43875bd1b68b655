"""The one adapter between appraisal and the measures app: every figure appraisal shows is read here.

Only the measures app's public catalogue and selectors are called, so a score, a briefing and
`fuwu measures` read the same numbers the same way. When the measures app changes its API, this module is
the one place to follow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.measures import catalogue, selectors

Measure = catalogue.Measure
Period = selectors.Period
Values = dict[str, float | None]

# The org level of each unit kind, as `fuwu measures --level` names it.
LEVEL_OF_KIND = {"outlet": "outlet", "tier2": "tier2", "tier1": "tier1", "head_office": "bank"}
# Measures that count as "satisfaction" for the bank's weight cap (seed 002).
SATISFACTION = frozenset({"satisfaction", "satisfaction_broad"})
KEY_MEASURES: tuple[str, ...] = tuple(selectors.KEY_MEASURES)
STAFF_MEASURES: tuple[str, ...] = tuple(selectors.STAFF_MEASURES)


def unit_label(unit: str) -> str:
    """The catalogue's on-screen name of a unit code."""
    return str(catalogue.UNIT_LABELS.get(unit, unit))


def measures() -> tuple[Measure, ...]:
    return catalogue.MEASURES


def measure(measure_id: str) -> Measure:
    """The catalogue's measure (NotFound for an unknown id)."""
    return catalogue.get(measure_id)


def per_staff(measure_id: str) -> bool:
    """Whether the catalogue has this measure per staff member (the rollups' staff cut)."""
    return "staff" in measure(measure_id).grains


def period(label: str) -> Period:
    return selectors.parse_period(label)


def previous(p: Period) -> Period:
    return p.previous()


def shift(label: str, step: int) -> str:
    return selectors.shift_label(label, step)


def current_month() -> str:
    return selectors.current_month()


def level_values(
    principal: Principal, level: str, p: Period, ids: Sequence[str], *, within: OrgUnit | None = None
) -> list[tuple[OrgUnit, Values]]:
    """Each visible unit of `level` (under `within`) with its figures: exactly `fuwu measures --level`."""
    rows = selectors.level_table(level, p, list(ids), fetched_by=principal)
    return [
        (row["unit"], row["values"])
        for row in rows
        if within is None or row["unit"].path.startswith(within.path)
    ]


def unit_values(principal: Principal, unit: OrgUnit, p: Period, ids: Sequence[str]) -> Values:
    """One unit's own figures for the period, read as its level's row of `fuwu measures`."""
    for found, values in level_values(principal, LEVEL_OF_KIND[unit.kind], p, ids, within=unit):
        if found.pk == unit.pk:
            return values
    return dict.fromkeys(ids)


def staff_values(principal: Principal, within: OrgUnit, p: Period, ids: Sequence[str]) -> dict[int, Values]:
    """Each staff member's figures (their tickets at units under `within`), keyed by user id."""
    found = selectors.parts_by(
        within, p.start, p.end, fetched_by=principal, by=["key"], cut="staff", parts=catalogue.parts_read(ids)
    )
    out: dict[int, Values] = {}
    for (key,), parts in found.items():
        if str(key).isdigit():
            out[int(key)] = catalogue.evaluate(parts, ids)
    return out


def month_staff_parts(
    principal: Principal, outlet: OrgUnit, start: dt.date, end: dt.date
) -> dict[int, dict[str, float]]:
    """The staff cut's parts per member at one outlet (evaluations counted for the stars' floor, and the
    catalogue's compliments naming each member)."""
    found = selectors.parts_by(outlet, start, end, fetched_by=principal, by=["key"], cut="staff")
    return {int(key): parts for (key,), parts in found.items() if str(key).isdigit()}


def evaluate(parts: dict[str, float], ids: Iterable[str]) -> Values:
    return catalogue.evaluate(parts, list(ids))


@dataclass(frozen=True)
class TargetRow:
    measure: Measure
    unit: OrgUnit
    baseline: float
    value: float
    due: dt.date


def targets(principal: Principal, unit: OrgUnit) -> dict[str, TargetRow]:
    """The targets that apply at `unit` (its own, else the nearest above), one per measure."""
    found: dict[str, TargetRow] = {}
    for t in selectors.targets(unit, fetched_by=principal).order_by("unit__depth", "due_date"):
        found[t.measure] = TargetRow(measure(t.measure), t.unit, t.baseline, t.value, t.due_date)
    return found


def dashboard_url(
    *, period_label: str, measure_id: str, unit: OrgUnit | None = None, staff: User | None = None
) -> str:
    """The measures dashboard, drilled down to the unit (or staff member), period and measure."""
    query = {"period": period_label, "measure": measure_id}
    if staff is not None:
        query["staff"] = str(staff.pk)
    elif unit is not None:
        query["unit"] = str(unit.pk)
    return reverse("measures:dashboard") + "?" + urlencode(query)


def definition(measure_id: str) -> str:
    return str(measure(measure_id).definition)


# --- benchmarking (K7) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerMeasure:
    """A figure banks publish and compare: a catalogue measure, or one of the bank's structure counts."""

    id: str
    name_zh: str
    unit: str
    higher_is_better: bool
    decimals: int


# Structure figures (seed 004 §一): counts of the org tree and staff by role, as of today — not service
# measures, so they are not in the catalogue; kept here, the one place appraisal reads figures.
STRUCTURE: dict[str, PeerMeasure] = {
    "outlets": PeerMeasure("outlets", "网点数量", "个", True, 0),
    "tellers_per_outlet": PeerMeasure("tellers_per_outlet", "网点柜员点均人数", "人", False, 2),
    "lobby_staff_per_outlet": PeerMeasure(
        "lobby_staff_per_outlet", "网点大堂服务人员点均人数", "人", True, 2
    ),
}


def peer_measure(measure_id: str) -> PeerMeasure:
    """A structure figure or a catalogue measure (NotFound for anything else)."""
    if measure_id in STRUCTURE:
        return STRUCTURE[measure_id]
    m = measure(measure_id)
    return PeerMeasure(m.id, m.name_zh, m.unit, m.higher_is_better, m.decimals)


def peer_measures() -> list[PeerMeasure]:
    return [*STRUCTURE.values(), *(peer_measure(m.id) for m in catalogue.MEASURES)]


def our_figure(principal: Principal, measure_id: str, year: int) -> float | None:
    """Our own figure for a benchmark: the catalogue's value for the whole bank and year, or a structure count."""
    from fuwu.core import roles
    from fuwu.core.scoping import visible

    if measure_id in STRUCTURE:
        outlets = visible(OrgUnit.objects.filter(kind="outlet"), principal).count()
        if measure_id == "outlets":
            return float(outlets)
        role = roles.TELLER if measure_id == "tellers_per_outlet" else roles.LOBBY
        staff = visible(
            User.objects.filter(is_active=True, groups__name=role, org_unit__kind="outlet"), principal
        ).distinct()
        return round(staff.count() / outlets, 2) if outlets else None
    root = OrgUnit.objects.get_root_nodes().first()
    if root is None:
        return None
    return unit_values(principal, root, period(str(year)), [measure_id])[measure_id]
