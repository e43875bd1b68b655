"""The staffing plan's transitions: the one declaration of what may happen to a plan in which state.

A plan is a draft while it is forecast, rostered and edited; publishing freezes it. Every change goes
through `PLAN.apply`, which locks the plan row, checks access and state, and runs the change in one
transaction; each change also increments `plan.version` so slow work computed outside a transaction (the
roster solve, the forecast) can tell whether the plan moved on meanwhile.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core.transitions import Machine, action
from fuwu.staffing.models import StaffingPlan

DRAFT, PUBLISHED = StaffingPlan.Status.DRAFT, StaffingPlan.Status.PUBLISHED
PLAN_PERMISSION = "staffing.change_staffingplan"

PLAN: Machine[StaffingPlan] = Machine(
    model=StaffingPlan,
    actions=[
        action("build", [DRAFT], None, PLAN_PERMISSION, _("Forecast again")),
        action("roster", [DRAFT], None, PLAN_PERMISSION, _("Roster automatically"), primary=True),
        action("edit_shifts", [DRAFT], None, PLAN_PERMISSION, _("Edit shifts")),
        action("publish", [DRAFT], PUBLISHED, PLAN_PERMISSION, _("Publish")),
    ],
    unit=lambda plan: plan.unit,
    audit_prefix="staffing.plan",
    select_related=("unit",),
    # Each action's effect writes its own audit row (the shift edits name the shift and its times).
    audit=False,
)
