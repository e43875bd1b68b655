"""T3: a service defect reported to the ledger (core.defects) also assigns the course its rule maps to.

`core.defects.report` hands every defect to each app's `ledger.py`; the inspections app opens the
rectification task, this module assigns training. The reporter (a supervisor, a complaint handler) seldom
holds the training right itself: the rule table decides, so the assignment is made as the platform.
"""

from __future__ import annotations

from fuwu.core.access import has
from fuwu.core.defects import Defect, FollowOn, TaskView
from fuwu.core.principals import Principal, system
from fuwu.training import selectors, services
from fuwu.training.models import Assignment

_TRAINING = system("training.rules")


def receive(*, actor: Principal, defect: Defect) -> Assignment | None:
    """The mapped course assigned to the staff member concerned; None without a rule or a person."""
    return services.assign_for_defect(actor=_TRAINING, defect=defect)


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    # Training is not a rectification task: the ledger shows it beside the task (follow_ons_for).
    return []


def follow_ons_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[FollowOn]:
    """The training assigned from one defect and whether it is done, for the rectification page (T3)."""
    if not has(fetched_by, "training.view_assignment"):
        return []
    return [
        FollowOn(
            label=f"{c.course} · {c.person}",
            state_label=c.status_label,
            due=c.due,
            done=c.completed_at is not None,
        )
        for c in selectors.completion_for(fetched_by=fetched_by, source_kind=source_kind, source_id=source_id)
    ]
