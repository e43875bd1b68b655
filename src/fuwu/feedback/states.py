"""The feedback app's state machines: the follow-up (F5 closed loop) and the feedback box message (F3).

Every state change of these two models goes through `FOLLOW_UP.apply` / `FEEDBACK_ITEM.apply`; screens ask
`allowed_actions` for their buttons. Escalation keeps the state (target None) and is refused on a row that
was touched, answered or already escalated since the sweep read it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from fuwu.core import clock
from fuwu.core.errors import Conflict
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.core.transitions import Machine, action
from fuwu.feedback.models import FeedbackItem, FollowUp

F = FollowUp.Status
I = FeedbackItem.Status  # noqa: E741 - the item's states, next to F for the follow-up's

WORK_FOLLOW_UP = "feedback.change_followup"
ANSWER_FEEDBACK = "feedback.change_feedbackitem"


def _follow_up_overdue_untouched(follow_up: Any, _principal: Principal) -> None:
    if follow_up.touched_at is not None or follow_up.due_at >= clock.now():
        raise Conflict(_("This follow-up is not overdue."), code="not_overdue")


def _feedback_overdue_unescalated(item: Any, _principal: Principal) -> None:
    if item.escalated_at is not None or item.reply_due_at >= clock.now():
        raise Conflict(_("This message is not overdue."), code="not_overdue")


def _follow_up_unit(follow_up: FollowUp) -> OrgUnit:
    return follow_up.outlet


def _item_unit(item: FeedbackItem) -> OrgUnit:
    return item.outlet


FOLLOW_UP: Machine[FollowUp] = Machine(
    model=FollowUp,
    actions=[
        action("start", [F.OPEN], F.IN_PROGRESS, WORK_FOLLOW_UP, _l("Take it in hand")),
        action(
            "close",
            [F.OPEN, F.IN_PROGRESS],
            F.CLOSED,
            WORK_FOLLOW_UP,
            _l("Record outcome and close"),
            primary=True,
        ),
        action(
            "escalate", [F.OPEN], None, WORK_FOLLOW_UP, _l("Escalate"), guard=_follow_up_overdue_untouched
        ),
    ],
    unit=_follow_up_unit,
    audit_prefix="follow_up",
    select_related=("outlet", "escalated_to"),
)

FEEDBACK_ITEM: Machine[FeedbackItem] = Machine(
    model=FeedbackItem,
    actions=[
        action("reply", [I.OPEN], I.REPLIED, ANSWER_FEEDBACK, _l("Send reply"), primary=True),
        action(
            "escalate", [I.OPEN], None, ANSWER_FEEDBACK, _l("Escalate"), guard=_feedback_overdue_unescalated
        ),
    ],
    unit=_item_unit,
    audit_prefix="feedback",
    select_related=("outlet",),
)
