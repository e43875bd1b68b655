"""The two state machines of the app: an inspection's visit and a rectification task's life (core.transitions)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuwu.core import calendar, clock
from fuwu.core.access import home_unit
from fuwu.core.errors import Conflict, Forbidden
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.core.transitions import Machine, action
from fuwu.inspections.models import Inspection, RectificationTask

# An outlet may appeal a task within this many business days of its opening (申诉期).
APPEAL_DAYS = 5

S = Inspection.Status
T = RectificationTask.Status

INSPECTION = Machine(
    model=Inspection,
    actions=[
        action(
            "start",
            [S.PLANNED],
            S.IN_PROGRESS,
            "inspections.conduct_inspection",
            gettext_lazy("Start the visit"),
            primary=True,
        ),
        action(
            "submit",
            [S.IN_PROGRESS],
            S.SUBMITTED,
            "inspections.conduct_inspection",
            gettext_lazy("Submit"),
            primary=True,
        ),
        action(
            "cancel",
            [S.PLANNED, S.IN_PROGRESS],
            S.CANCELLED,
            "inspections.plan_inspection",
            gettext_lazy("Cancel"),
        ),
    ],
    unit=lambda i: i.outlet,
    audit_prefix="inspections.inspection",
    select_related=("outlet",),
)


def _not_the_owner(task: RectificationTask, principal: Principal) -> None:
    """Whoever fixed it does not verify it."""
    if isinstance(principal, User) and task.owner_id is not None and task.owner_id == principal.pk:
        raise Forbidden(_("The owner of a rectification cannot verify it."))


def _verify_now(task: RectificationTask, principal: Principal) -> None:
    """Deferring is possible once: not the owner, and not already left to the next inspection."""
    _not_the_owner(task, principal)
    if task.recheck_at_next_inspection:
        raise Conflict(_("Verification is already left to the next inspection."), code="already_deferred")


def _within_appeal_window(task: RectificationTask, principal: Principal) -> None:
    opened = clock.business_date(task.opened_at)
    if calendar.business_days_between(opened, clock.today()) > APPEAL_DAYS:
        raise Conflict(
            _("The appeal period of %(days)s business days has ended.") % {"days": APPEAL_DAYS},
            code="appeal_period_over",
        )


def _branch_decides(task: RectificationTask, principal: Principal) -> None:
    """An appeal is decided above the outlet, and not by the supervisor who made the finding."""
    unit = home_unit(principal)
    if unit is not None and unit.path == task.unit.path:
        raise Forbidden(_("An appeal is decided by the branch, not by the outlet itself."))
    finding = task.finding
    if finding is not None and isinstance(principal, User) and finding.supervisor_id == principal.pk:
        raise Forbidden(_("The supervisor who made the finding cannot decide its appeal."))


TASK = Machine(
    model=RectificationTask,
    actions=[
        action(
            "submit_evidence",
            [T.OPEN, T.REOPENED],
            T.SUBMITTED,
            "inspections.rectify_task",
            gettext_lazy("Submit evidence"),
            primary=True,
        ),
        action(
            "verify",
            [T.SUBMITTED],
            T.VERIFIED,
            "inspections.verify_task",
            gettext_lazy("Verify"),
            guard=_not_the_owner,
            primary=True,
        ),
        action(
            "reopen",
            [T.SUBMITTED],
            T.REOPENED,
            "inspections.verify_task",
            gettext_lazy("Reopen"),
            guard=_not_the_owner,
        ),
        action(
            "defer",
            [T.SUBMITTED],
            None,
            "inspections.verify_task",
            gettext_lazy("Verify at the next inspection"),
            guard=_verify_now,
        ),
        action(
            "appeal",
            [T.OPEN, T.REOPENED],
            T.APPEALED,
            "inspections.rectify_task",
            gettext_lazy("Appeal"),
            guard=_within_appeal_window,
        ),
        action(
            "uphold_appeal",
            [T.APPEALED],
            T.WITHDRAWN,
            "inspections.decide_appeal",
            gettext_lazy("Uphold the appeal"),
            guard=_branch_decides,
        ),
        action(
            "reject_appeal",
            [T.APPEALED],
            T.OPEN,
            "inspections.decide_appeal",
            gettext_lazy("Reject the appeal"),
            guard=_branch_decides,
        ),
    ],
    unit=lambda t: t.unit,
    audit_prefix="inspections.task",
    select_related=("unit",),
)
