"""The rectification ledger's hook for core.defects: every app's service defects arrive here (S3, S6)."""

from __future__ import annotations

from fuwu.core import access, scoping
from fuwu.core.defects import Defect, TaskView
from fuwu.core.principals import Principal
from fuwu.inspections import services
from fuwu.inspections.models import RectificationTask


def receive(*, actor: Principal, defect: Defect) -> RectificationTask:
    """Open (or return the existing) rectification task for `defect`, in the reporter's transaction.

    The reporter has already checked its own action; a defect report is that action's consequence, so the
    ledger asks no further permission of the reporter.
    """
    return services.task_open(actor=actor, defect=defect)


def _owner_name(task: RectificationTask) -> str:
    if task.owner is None:
        return ""
    return str(task.owner.display_name or task.owner.username)


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    """The tasks opened for one source that `fetched_by` may see (their own unit's subtree)."""
    if not access.has(fetched_by, "inspections.view_rectificationtask"):
        return []
    rows = scoping.visible(
        RectificationTask.objects.filter(source_kind=source_kind, source_id=source_id).select_related(
            "owner"
        ),
        fetched_by,
    )
    return [
        TaskView(
            id=t.pk,
            state=t.status,
            state_label=str(t.get_status_display()),
            owner=_owner_name(t),
            due=t.due,
            url=f"/inspections/ledger/{t.pk}/",
        )
        for t in rows
    ]
