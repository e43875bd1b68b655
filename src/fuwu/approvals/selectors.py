"""Approval reads: cases and their timeline, the decider's inbox, and bottleneck figures (the measure catalogue's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from fuwu.approvals import hours
from fuwu.approvals.models import Case, CaseEvent, CaseStep, Escalation, Process, StepDef, StepStatus
from fuwu.core import access, clock, figures
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible


def processes(*, fetched_by: Principal) -> list[Process]:
    access.require(fetched_by, "approvals.view_case")
    return list(Process.objects.filter(is_active=True))


def cases(*, fetched_by: Principal, status: str | None = None) -> list[Case]:
    return list(case_rows(fetched_by=fetched_by, status=status)[:300])


def case_rows(*, fetched_by: Principal, status: str | None = None) -> QuerySet[Case]:
    """The cases of the viewer's units as a query, for the paged list (#19)."""
    access.require(fetched_by, "approvals.view_case")
    qs = visible(Case.objects.select_related("version__process", "org_unit"), fetched_by)
    if status:
        qs = qs.filter(status=status)
    return qs


def case(*, fetched_by: Principal, pk: int) -> Case:
    access.require(fetched_by, "approvals.view_case")
    return get_visible(Case.objects.select_related("version__process", "org_unit"), fetched_by, pk=pk)


def step(*, fetched_by: Principal, pk: int) -> CaseStep:
    access.require(fetched_by, "approvals.view_case")
    return get_visible(CaseStep.objects.select_related("case", "step_def", "owner_unit"), fetched_by, pk=pk)


def timeline(*, fetched_by: Principal, case: Case) -> list[CaseEvent]:
    """Every event of the case in order: start, decisions with comments, skips, pauses, escalations."""
    access.require(fetched_by, "approvals.view_case", unit=case.org_unit)
    return list(CaseEvent.objects.filter(case=case).select_related("step__step_def"))


def inbox(*, fetched_by: Principal) -> QuerySet[CaseStep]:
    """The open steps `fetched_by` may decide now (own role and unit, assigned, or by delegation), due first."""
    access.require(fetched_by, "approvals.decide_step")
    from fuwu.approvals.services import decidable_by

    if not isinstance(fetched_by, User):
        return CaseStep.objects.none()
    qs = visible(CaseStep.objects.filter(status=StepStatus.ACTIVE), fetched_by).select_related(
        "case__version__process", "step_def", "owner_unit"
    )
    return qs.filter(decidable_by(fetched_by)).order_by("due_at", "pk")


@dataclass(frozen=True)
class InboxSummary:
    """The home panel's view of the inbox: how many steps wait, how many are late, and the first few."""

    waiting: int
    overdue: int
    first: list[CaseStep]


def inbox_summary(*, fetched_by: Principal, first: int) -> InboxSummary:
    """Both counts in one aggregate query and the `first` steps due soonest in another: never the whole inbox
    read into memory (a decider with hundreds of steps opens the home page many times a day)."""
    steps = inbox(fetched_by=fetched_by)
    counted = steps.aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=CaseStep.overdue_at(clock.now()))
    )
    return InboxSummary(
        waiting=counted["waiting"] or 0, overdue=counted["overdue"] or 0, first=list(steps[:first])
    )


def escalations(*, fetched_by: Principal) -> list[Escalation]:
    """Escalations sent to the viewer's units for steps still open (leads see what is late under them)."""
    access.require(fetched_by, "approvals.reassign_step")
    return list(
        visible(
            Escalation.objects.select_related("step__case", "step__step_def", "notified_unit"), fetched_by
        )
        .filter(step__status=StepStatus.ACTIVE)
        .order_by("-at")[:200]
    )


def eligible_assignees(*, fetched_by: Principal, step: CaseStep) -> list[User]:
    """Who a step can be reassigned to: the owner role's holders in the owner unit."""
    access.require(fetched_by, "approvals.reassign_step", unit=step.owner_unit)
    return list(
        User.objects.filter(
            org_unit=step.owner_unit, groups__name=step.step_def.owner_role, is_active=True
        ).order_by("username")
    )


@dataclass(frozen=True)
class StepFigures:
    process: str
    step: str
    step_name: str
    position: int
    finished: int
    median_hours: float | None  # business hours
    p90_hours: float | None  # business hours
    waiting_hours: float | None  # mean business hours waiting for the customer's documents
    working_hours: float | None  # mean business hours elapsed minus waiting
    breach_rate: float | None  # share finished after the (pause-adjusted) due time
    wip: int  # open now
    per_week: float  # finished per week over the window
    calendar_mean_hours: float | None = None  # mean wall-clock hours, what the customer waits


def _step_rows(
    fetched_by: Principal, process_code: str, start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    lo = dt.datetime.combine(start, dt.time(0), clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), clock.SHANGHAI)
    qs = visible(CaseStep.objects.all(), fetched_by).filter(case__version__process__code=process_code)
    finished = qs.filter(
        status__in=[StepStatus.APPROVED, StepStatus.RETURNED, StepStatus.REJECTED],
        finished_at__gte=lo,
        finished_at__lt=hi,
    )
    return list(
        finished.values_list(
            "step_def__code",
            "step_def__name",
            "step_def__position",
            "started_at",
            "finished_at",
            "paused_business_seconds",
            "due_at",
        )
    )


def _business_hours(rows: list[tuple[Any, ...]]) -> list[float]:
    """Each row's elapsed business hours, activation to decision (the unit the step limits are set in)."""
    return [hours.business_seconds_between(r[3], r[4]) / 3600 for r in rows]


STEP_MEASURES = (
    "approval_steps_decided",
    "approval_step_median_hours",
    "approval_step_p90_hours",
    "approval_waiting_hours",
    "approval_working_hours",
    "approval_breach_rate",
    "approval_steps_open",
    "approval_calendar_hours",
)


def bottlenecks(
    *, fetched_by: Principal, process_code: str, start: dt.date, end: dt.date
) -> list[StepFigures]:
    """Per step of a process: median and p90 elapsed hours, waiting vs working, breach rate, WIP, throughput.

    Every figure is the measure catalogue's (`approval_*`, the rollups' "step" cut), read through
    `core.figures`, so this page, the dashboards and appraisal compute them one way (#17): elapsed is business
    hours from activation to decision on this app's calendar, median and p90 are the upper edges of fixed
    histogram buckets, waiting is the time paused for the customer's documents, working the rest, breach a
    decision after the pause-adjusted due time, WIP the steps waiting at the end of the window (or now), and
    `calendar_mean_hours` the catalogue's mean wall-clock hours (what the customer waits).
    """
    access.require(fetched_by, "approvals.view_bottlenecks")
    found = figures.keyed_figures(
        fetched_by=fetched_by, start=start, end=end, cut="step", measure_ids=STEP_MEASURES, per_unit=False
    )
    prefix = f"{process_code}:"
    names: dict[str, tuple[str, int]] = {}
    for code, name, position in (
        StepDef.objects.filter(version__process__code=process_code)
        .order_by("version__number")
        .values_list("code", "name", "position")
    ):
        names[code] = (name, position)
    weeks = max(1.0, ((end - start).days + 1) / 7)
    rows = []
    for (_unit, key), v in found.items():
        if not key.startswith(prefix):
            continue
        code = key[len(prefix) :]
        decided = int(v["approval_steps_decided"] or 0)
        wip = int(v["approval_steps_open"] or 0)
        if not decided and not wip:
            continue
        name, position = names.get(code, (code, 0))
        rows.append(
            StepFigures(
                process_code,
                code,
                name,
                position,
                decided,
                v["approval_step_median_hours"],
                v["approval_step_p90_hours"],
                v["approval_waiting_hours"],
                v["approval_working_hours"],
                None if v["approval_breach_rate"] is None else v["approval_breach_rate"] / 100,
                wip,
                decided / weeks,
                v["approval_calendar_hours"],
            )
        )
    return sorted(rows, key=lambda f: (f.position, f.step))


def bottleneck_heatmap(
    *, fetched_by: Principal, process_code: str, start: dt.date, end: dt.date
) -> list[tuple[int, int, int, float]]:
    """(weekday 0=Mon, hour, steps started then, mean elapsed business hours) over the finished steps, Shanghai time."""
    access.require(fetched_by, "approvals.view_bottlenecks")
    import duckdb
    import pyarrow as pa

    rows = _step_rows(fetched_by, process_code, start, end)
    if not rows:
        return []
    local = [r[3].astimezone(clock.SHANGHAI) for r in rows]
    table = pa.table(
        {
            "weekday": [t.weekday() for t in local],
            "hour": [t.hour for t in local],
            "elapsed": _business_hours(rows),
        }
    )
    con = duckdb.connect()
    con.register("steps", table)
    out = con.execute(
        "SELECT weekday, hour, count(*), avg(elapsed) FROM steps GROUP BY weekday, hour ORDER BY weekday, hour"
    ).fetchall()
    con.close()
    return [(int(w), int(h), int(n), float(e)) for w, h, n, e in out]
