"""T3: a service defect reported to the ledger (core.defects) also assigns the course its rule maps to.

`core.defects.report` hands every defect to each app's `ledger.py`; the inspections app opens the
rectification task, this module assigns training. The reporter (a supervisor, a complaint handler) seldom
holds the training right itself: the rule table decides, so the assignment is made as the platform.
"""

from __future__ import annotations

from fuwu.core.defects import Defect, TaskView
from fuwu.core.principals import Principal, system
from fuwu.training import services
from fuwu.training.models import Assignment

_TRAINING = system("training.rules")


def receive(*, actor: Principal, defect: Defect) -> Assignment | None:
    """The mapped course assigned to the staff member concerned; None without a rule or a person."""
    return services.assign_for_defect(actor=_TRAINING, defect=defect)


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    # Training is not a rectification task: the ledger shows it through training.selectors.completion_for.
    return []
