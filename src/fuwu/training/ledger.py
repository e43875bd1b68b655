"""T3: a service defect reported to the ledger (core.defects) also assigns the course its rule maps to.

`core.defects.report` hands every defect to each app's `ledger.py`; the inspections app opens the
rectification task, this module assigns training. The reporter (a supervisor, a complaint handler) seldom
holds the training right itself: the rule table decides, so the assignment is made as the platform.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from fuwu.core import access
from fuwu.core.defects import Defect, FollowUpView, TaskView
from fuwu.core.principals import Principal, system
from fuwu.training import selectors, services
from fuwu.training.models import Assignment, AssignmentStatus, DefectRule

_TRAINING = system("training.rules")


def receive(*, actor: Principal, defect: Defect) -> Assignment | None:
    """The mapped course assigned to the staff member concerned; None without a rule or a person."""
    return services.assign_for_defect(actor=_TRAINING, defect=defect)


def receive_many(*, actor: Principal, defects: Sequence[Defect]) -> list[Assignment | None]:
    """`receive` for many defects: one query finds which reasons have a rule, only those assign (an import's
    findings, in its short closing transaction)."""
    mapped = set(
        DefectRule.objects.filter(
            source_kind__in={d.source_kind for d in defects}, reason_code__in={d.reason_code for d in defects}
        ).values_list("source_kind", "reason_code")
    )
    return [
        receive(actor=actor, defect=d)
        for d in defects
        if d.staff is not None and (d.source_kind, d.reason_code) in mapped
    ]


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    # Training is not a rectification task: the ledger shows it as a follow-up (below).
    return []


def follow_ups_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[FollowUpView]:
    """The course assigned from the finding and its completion (T3), for who may read assignments."""
    if not access.has(fetched_by, "training.view_assignment"):
        return []
    return [
        FollowUpView(
            kind=_("Training"),
            title=c.course,
            person=c.person,
            state_label=c.status_label,
            due=c.due,
            done=c.status == AssignmentStatus.COMPLETED,
            done_at=c.completed_at,
        )
        for c in selectors.completion_for(fetched_by=fetched_by, source_kind=source_kind, source_id=source_id)
    ]
