"""The approval facts for the measure catalogue (K1; L1 bottlenecks), found through `core.discovery`.

One table, "approval_steps": each case step with its owner unit, its key ("PROCESS:step"), its activation and
end, and — for a step decided (approved, returned or rejected) — the business seconds it took on this app's
business calendar and those it was paused for the customer. Breach, waiting, working, medians and work in
progress are defined once, in the measures catalogue; the measures app never imports this app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q

from fuwu.approvals import hours
from fuwu.approvals.models import CaseStep, StepDef, StepStatus
from fuwu.core import clock
from fuwu.core.facts import FactTable
from fuwu.core.models import OrgUnit

DECIDED = (StepStatus.APPROVED, StepStatus.RETURNED, StepStatus.REJECTED)
FIELDS = (
    "id",
    "owner_unit_id",
    "step_def__version__process__code",
    "step_def__code",
    "status",
    "started_at",
    "finished_at",
    "due_at",
    "paused_business_seconds",
)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    started, finished = row["started_at"], row["finished_at"]
    decided = row["status"] in DECIDED and finished is not None
    active = row["status"] == StepStatus.ACTIVE
    return {
        "step_id": row["id"],
        "unit_id": row["owner_unit_id"],
        "key": f"{row['step_def__version__process__code']}:{row['step_def__code']}",
        "started_date": clock.business_date(started),
        # the date it stopped waiting for a decision (a step skipped or cancelled without an end: its start)
        "ended_date": None if active else clock.business_date(finished or started),
        "decided_date": clock.business_date(finished) if decided else None,
        "elapsed_seconds": hours.business_seconds_between(started, finished) if decided else None,
        "paused_seconds": float(row["paused_business_seconds"]),
        "started_at": started,
        "finished_at": finished if decided else None,
        "due_at": row["due_at"],
    }


def step_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Steps active at some moment of business dates start..end (activated by its end, not ended before it)."""
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)
    qs = CaseStep.objects.filter(started_at__lt=hi).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=lo)
    )
    if units is not None:
        qs = qs.filter(owner_unit_id__in=[u.pk for u in units])
    for row in qs.values(*FIELDS).order_by().iterator(chunk_size=5000):
        yield _row(row)


def touched_since(since: dt.datetime) -> set[tuple[int, dt.date]]:
    """(owner unit, business date) of each start and end of the steps changed since `since`, old and new."""
    changed = set(CaseStep.history.filter(history_date__gte=since).values_list("id", flat=True))
    touched: set[tuple[int, dt.date]] = set()
    for unit, started, finished in CaseStep.history.filter(id__in=changed).values_list(
        "owner_unit_id", "started_at", "finished_at"
    ):
        touched.add((unit, clock.business_date(started)))
        if finished is not None:
            touched.add((unit, clock.business_date(finished)))
    return touched


def span() -> list[dt.date]:
    days = []
    first = CaseStep.objects.order_by("started_at").values_list("started_at", flat=True).first()
    if first is not None:
        days.append(clock.business_date(first))
        last = CaseStep.objects.exclude(finished_at=None).order_by("-finished_at")
        moment = last.values_list("finished_at", flat=True).first()
        days.append(clock.business_date(moment or first))
    return days


def _step_labels() -> dict[str, str]:
    return {
        f"{process}:{code}": str(name)
        for process, code, name in StepDef.objects.values_list("version__process__code", "code", "name")
    }


TABLES = {
    "approval_steps": FactTable(
        rows=step_rows, touched_since=touched_since, span=span, labels={"step": _step_labels}
    )
}
