"""Staffing reads: plans and their per-interval grid, what-if simulation of a roster, call-centre KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import require
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible
from fuwu.floor import policy as floor_policy
from fuwu.floor.models import Ticket
from fuwu.measures.catalogue import call_parts
from fuwu.staffing.models import CallLine, CallRecord, Channel, Shift, StaffingPlan, StaffProfile

if TYPE_CHECKING:
    from fuwu.staffing import simulate

VIEW_PLAN = "staffing.view_staffingplan"
VIEW_CALLS = "staffing.view_callrecord"


def plans(*, fetched_by: Principal) -> QuerySet[StaffingPlan]:
    """The plans of the units `fetched_by` sees."""
    require(fetched_by, VIEW_PLAN)
    return visible(StaffingPlan.objects.select_related("unit"), fetched_by)


def plan(*, fetched_by: Principal, plan_id: int) -> StaffingPlan:
    require(fetched_by, VIEW_PLAN)
    found: StaffingPlan = get_visible(StaffingPlan.objects.select_related("unit"), fetched_by, pk=plan_id)
    return found


def shift(*, fetched_by: Principal, shift_id: int) -> Shift:
    require(fetched_by, "staffing.view_shift")
    found: Shift = get_visible(
        Shift.objects.select_related("plan", "plan__unit", "staff"), fetched_by, pk=shift_id
    )
    return found


def staff_member(*, fetched_by: Principal, staff_id: int) -> User:
    """A staff member `fetched_by` may roster (visible in their units)."""
    require(fetched_by, "staffing.view_staffprofile")
    found: User = get_visible(User.objects.all(), fetched_by, pk=staff_id)
    return found


def rosterable_staff(*, fetched_by: Principal, plan: StaffingPlan) -> QuerySet[StaffProfile]:
    """Active staff's profiles at the plan's unit that hold the plan's skill (whom the roster solver uses)."""
    require(fetched_by, "staffing.view_staffprofile", unit=plan.unit)
    profiles = visible(StaffProfile.objects.select_related("user"), fetched_by).filter(
        unit=plan.unit, user__is_active=True
    )
    return profiles.filter(skills__contains=plan.channel).order_by("user__username")


@dataclass
class Cell:
    slot: int
    label: str
    forecast: float
    required: int
    rostered: int

    @property
    def gap(self) -> int:
        return self.rostered - self.required


@dataclass
class DayGrid:
    date: dt.date
    cells: list[Cell]
    shifts: list[Shift] = field(default_factory=list)

    @property
    def short_intervals(self) -> int:
        return sum(1 for c in self.cells if c.gap < 0)

    @property
    def forecast_total(self) -> float:
        return sum(c.forecast for c in self.cells)


def _slot_label(the_plan: StaffingPlan, slot: int) -> str:
    return the_plan.slot_start(the_plan.week_start, slot).strftime("%H:%M")


def slot_labels(the_plan: StaffingPlan) -> list[tuple[int, str]]:
    """(slot, "HH:MM") for every boundary of the plan's day, for the shift forms."""
    return [(i, _slot_label(the_plan, i)) for i in range(the_plan.slots + 1)]


def plan_grid(*, fetched_by: Principal, plan: StaffingPlan) -> list[DayGrid]:
    """Requirement vs roster per day and 30-minute interval (gap < 0 = short)."""
    require(fetched_by, VIEW_PLAN, unit=plan.unit)
    return _grid(plan)


def _grid(the_plan: StaffingPlan) -> list[DayGrid]:
    shifts = list(the_plan.shifts.select_related("staff"))
    days = []
    rows = {(r.date, r.slot): r for r in the_plan.intervals.all()}
    for offset in range(7):
        day = the_plan.week_start + dt.timedelta(days=offset)
        todays = [s for s in shifts if s.date == day]
        cells = []
        for slot in range(the_plan.slots):
            row = rows.get((day, slot))
            cells.append(
                Cell(
                    slot,
                    _slot_label(the_plan, slot),
                    row.forecast if row else 0.0,
                    row.required if row else 0,
                    sum(1 for s in todays if s.covers(slot)),
                )
            )
        days.append(DayGrid(day, cells, todays))
    return days


def business_mix(
    *, fetched_by: Principal, plan: StaffingPlan, weeks: int = 8
) -> list[simulate.CustomerClass]:
    """Customer classes for a plan: at an outlet, the recent mix of businesses and floor priorities with each
    business's typical service time; on a call line, one class with the plan's handle time and patience."""
    require(fetched_by, VIEW_PLAN, unit=plan.unit)
    return _business_mix(plan, weeks)


def _business_mix(the_plan: StaffingPlan, weeks: int) -> list[simulate.CustomerClass]:
    from fuwu.staffing import simulate

    single = [
        simulate.CustomerClass(
            "all", mean_service=the_plan.aht_seconds, mean_patience=the_plan.patience_seconds
        )
    ]
    if the_plan.channel != Channel.BRANCH:
        return single
    since = dt.datetime.combine(
        the_plan.week_start - dt.timedelta(weeks=weeks), dt.time(0), tzinfo=clock.SHANGHAI
    )
    rows = (
        Ticket.objects.filter(
            floor_policy.real(), outlet__path__startswith=the_plan.unit.path, issued_at__gte=since
        )
        .values("service__code", "service__mean_service_seconds", "priority_class")
        .annotate(n=Count("id"))
    )
    mix = [
        simulate.CustomerClass(
            f"{r['service__code']}/{r['priority_class']}",
            share=float(r["n"]),
            mean_service=float(r["service__mean_service_seconds"] or the_plan.aht_seconds),
            service_cv=0.8,
            priority=int(r["priority_class"]),
        )
        for r in rows
    ]
    return mix or single


@dataclass
class DaySimulation:
    date: dt.date
    result: simulate.SimulationResult | None


def plan_simulation(
    *, fetched_by: Principal, plan: StaffingPlan, replications: int = 20, seed: int = 0
) -> list[DaySimulation]:
    """Simulate each planned day with its forecast arrivals and the roster's own shifts (W4)."""
    import numpy as np

    from fuwu.staffing import simulate

    require(fetched_by, VIEW_PLAN, unit=plan.unit)
    if not 2 <= replications <= 200:
        raise ValidationFailed(
            _("Give 2 to 200 replications."),
            details=[{"field": "replications", "reason": _("2 to 200.")}],
        )
    the_plan = plan
    out = []
    cls = _business_mix(the_plan, 8)
    for day in _grid(the_plan):
        arrivals = np.array([c.forecast for c in day.cells])
        if arrivals.sum() <= 0:
            out.append(DaySimulation(day.date, None))
            continue
        shifts = [
            (
                s.start_slot * 1800.0,
                s.end_slot * 1800.0,
                s.lunch_slot * 1800.0 if s.lunch_slot is not None else None,
                s.lunch_slots * 1800.0,
            )
            for s in day.shifts
        ]
        # customers still queued at closing are served by whoever is on the last shift
        windows = [
            [(a, b if b < arrivals.size * 1800.0 else np.inf) for a, b in w]
            for w in simulate.windows_from_shifts(shifts)
        ]
        result = simulate.simulate(
            arrivals=arrivals,
            interval=1800.0,
            classes=cls,
            servers=windows,
            target_time=the_plan.target_seconds,
            replications=replications,
            seed=seed,
        )
        out.append(DaySimulation(day.date, result))
    return out


@dataclass
class Kpi:
    """One line's calls over an interval or a day, counted as the measures catalogue's call parts (K1), so the
    per-call definitions (answered in target, short abandon, handled) live in one place: catalogue.call_parts."""

    label: str
    parts: dict[str, float] = field(default_factory=dict)
    agents: set[str] = field(default_factory=set)

    def add(self, call: dict[str, Any]) -> None:
        for name, value in call_parts(call).items():
            self.parts[name] = self.parts.get(name, 0) + value
        if call["answered_at"] is not None and call["agent"]:
            self.agents.add(call["agent"])

    def merge(self, other: Kpi) -> None:
        for name, value in other.parts.items():
            self.parts[name] = self.parts.get(name, 0) + value
        self.agents |= other.agents

    def _n(self, name: str) -> int:
        return int(self.parts.get(name, 0))

    @property
    def offered(self) -> int:
        return self._n("calls_offered")

    @property
    def answered(self) -> int:
        return self._n("calls_answered")

    @property
    def abandoned(self) -> int:
        return self._n("calls_abandoned")

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.offered if self.offered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def service_level(self) -> float | None:
        """Answered within 20 s ÷ (answered + abandoned after 5 s)."""
        base = self.answered + self.abandoned - self._n("calls_abandoned_short")
        return self._n("calls_answered_in_target") / base if base else None

    @property
    def aht(self) -> float | None:
        handled = self._n("calls_handled")
        return self.parts.get("handle_sum", 0) / handled if handled else None


@dataclass
class LineDay:
    line: str
    day: dt.date
    total: Kpi
    intervals: list[Kpi]


def _check_line(line: str) -> None:
    if line not in CallLine.values:
        raise ValidationFailed(_("Unknown line."), details=[{"field": "line", "reason": line}])


def line_days(
    *, fetched_by: Principal, line: str, first: dt.date, last: dt.date, centre: OrgUnit | None = None
) -> list[LineDay]:
    """Answer rate, 20 s service level, abandon rate and AHT for one line, per day from `first` to `last`,
    per 30 minutes and in total — one query for the whole range."""
    require(fetched_by, VIEW_CALLS, unit=centre)
    principal = fetched_by
    _check_line(line)
    count = max((last - first).days + 1, 0)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=clock.SHANGHAI)
    calls = visible(CallRecord.objects.all(), principal).filter(
        line=line, offered_at__gte=start, offered_at__lt=start + dt.timedelta(days=count)
    )
    if centre is not None:
        calls = calls.filter(centre__path__startswith=centre.path)
    labels = [f"{i // 2:02d}:{i % 2 * 30:02d}" for i in range(48)]
    days = [[Kpi(label) for label in labels] for _ in range(count)]
    fields = ("offered_at", "answered_at", "ended_at", "abandoned_at", "agent")
    # plain rows, as the rollup builder's call_parts reads them
    rows = cast("Iterator[dict[str, Any]]", calls.values(*fields).iterator())
    for call in rows:
        local = call["offered_at"].astimezone(clock.SHANGHAI)
        days[(local.date() - first).days][local.hour * 2 + local.minute // 30].add(call)
    out = []
    for offset, intervals in enumerate(days):
        day = first + dt.timedelta(days=offset)
        total = Kpi(day.isoformat())
        for kpi in intervals:
            total.merge(kpi)
        out.append(LineDay(line, day, total, intervals))
    return out


def call_kpis(*, fetched_by: Principal, line: str, day: dt.date, centre: OrgUnit | None = None) -> LineDay:
    """One line's KPIs for one day, per 30 minutes and in total."""
    return line_days(fetched_by=fetched_by, line=line, first=day, last=day, centre=centre)[0]


@dataclass
class IntradayRow:
    label: str
    actual: Kpi
    forecast: float | None
    required: int | None
    rostered: int | None


def intraday(
    *, fetched_by: Principal, line: str, day: dt.date, actual: LineDay | None = None
) -> tuple[StaffingPlan | None, list[IntradayRow]]:
    """Actual calls and agents per 30 minutes against the line's plan (forecast, required, rostered);
    `actual` is the line's day when the caller has it already."""
    if actual is None:
        actual = call_kpis(fetched_by=fetched_by, line=line, day=day)
    week_start = day - dt.timedelta(days=day.weekday())
    the_plan = plans(fetched_by=fetched_by).filter(channel=line, week_start=week_start).first()
    planned: dict[str, Cell] = {}
    if the_plan is not None:
        grid = _grid(the_plan)[(day - week_start).days]
        planned = {c.label: c for c in grid.cells}
    rows = []
    for kpi in actual.intervals:
        cell = planned.get(kpi.label)
        if cell is None and kpi.offered == 0:
            continue
        rows.append(
            IntradayRow(
                kpi.label,
                kpi,
                cell.forecast if cell else None,
                cell.required if cell else None,
                cell.rostered if cell else None,
            )
        )
    return the_plan, rows
