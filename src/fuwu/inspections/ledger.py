"""The rectification ledger's hook for core.defects: every app's service defects arrive here (S3, S6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Model, Q
from django.urls import reverse

from fuwu.core import access, clock, scoping
from fuwu.core.defects import Defect, TaskView
from fuwu.core.models import ImportBatch
from fuwu.core.principals import Principal
from fuwu.inspections import services
from fuwu.inspections.models import RectificationTask


def receive(*, actor: Principal, defect: Defect) -> RectificationTask:
    """Open (or return the existing) rectification task for `defect`, in the reporter's transaction.

    The reporter has already checked its own action; a defect report is that action's consequence, so the
    ledger asks no further permission of the reporter.
    """
    return services.task_open(actor=actor, defect=defect)


def receive_batch(
    *, actor: Principal, defects: Sequence[Defect], batch: ImportBatch
) -> set[tuple[int, dt.date]]:
    """The tasks for an import's findings, opened hidden with its unpublished `batch` in one of its chunk
    transactions, nobody told yet; returns the (unit, business date) pairs of the ledger's facts they fall
    on (their opening, the day after their due date: fact_tables), for the publish to mark for the rollups."""
    tasks = services.tasks_open_many(actor=actor, defects=defects, batch=batch)
    pairs: set[tuple[int, dt.date]] = set()
    for task in tasks:
        pairs.add((task.unit_id, clock.business_date(task.opened_at)))
        pairs.add((task.unit_id, task.due + dt.timedelta(days=1)))
    return pairs


def batch_published(*, actor: Principal, batch: ImportBatch) -> None:
    """After the batch's publish committed: the owners of its tasks are told, in short transactions."""
    services.tasks_published(actor=actor, batch=batch)


def batch_tables() -> tuple[type[Model], ...]:
    """What `receive_batch` writes, in the order a discarded batch is deleted (a deleted task's own history
    row is tagged with the batch too, so the history goes after it)."""
    return (RectificationTask, RectificationTask.history.model)


def _owner_name(task: RectificationTask) -> str:
    if task.owner is None:
        return ""
    return str(task.owner.display_name or task.owner.username)


def view(task: object) -> TaskView | None:
    """A task this ledger opened, as other apps show it beside their own object; None for anything else."""
    if not isinstance(task, RectificationTask):
        return None
    return TaskView(
        id=task.pk,
        state=task.status,
        state_label=str(task.get_status_display()),
        owner=_owner_name(task),
        due=task.due,
        url=reverse("inspections:task", args=[task.pk]),
        label=task.label,
        description=task.description,
    )


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    """The tasks opened for one source (and its numbered further tasks `<id>/<n>`) that `fetched_by` may see."""
    if not access.has(fetched_by, "inspections.view_rectificationtask"):
        return []
    rows = scoping.visible(
        RectificationTask.objects.filter(
            Q(source_id=source_id) | Q(source_id__startswith=f"{source_id}/"), source_kind=source_kind
        )
        .select_related("owner")
        .order_by("opened_at", "pk"),
        fetched_by,
    )
    return [found for t in rows if (found := view(t)) is not None]
