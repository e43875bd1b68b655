from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem
from fuwu.feedback.selectors import OWN_FEEDBACK

_MANAGERS = frozenset({roles.OUTLET_HEAD, roles.SUPERVISOR, roles.HQ_MANAGER})
_READERS = _MANAGERS | {roles.AUDITOR}  # the roles with the app's view_* permissions (roles.py)

SECTION = _("Feedback")  # the menu section these items form

NAV = [
    NavItem(
        _("Follow-ups"),
        "feedback:follow_ups",
        _MANAGERS,
        _("Dissatisfied customers to call back, with deadlines"),
        order=300,
        permission="feedback.view_followup",
    ),
    NavItem(
        _("Feedback box"),
        "feedback:inbox",
        _READERS,
        _("Messages from customers and their replies"),
        order=310,
        permission="feedback.view_feedbackitem",
    ),
    NavItem(
        _("Evaluation figures"),
        "feedback:figures",
        _READERS,
        _("Evaluation rate and satisfaction by counter, staff and outlet"),
        order=320,
        permission="feedback.view_evaluation",
    ),
    NavItem(
        _("Surveys"),
        "feedback:surveys",
        _READERS,
        _("NPS and CSAT against targets; import survey results"),
        order=330,
        permission="feedback.view_surveyresponse",
    ),
    NavItem(
        _("What customers say"),
        "feedback:insights",
        _READERS,
        _("Topics, sentiment and trending terms"),
        order=340,
        permission="feedback.view_feedbackitem",
    ),
    NavItem(
        _("My feedback"),
        "feedback:mine",
        frozenset({roles.TELLER, roles.LOBBY, roles.RM}),
        _("Ratings and messages about your own service"),
        order=350,
        permission=OWN_FEEDBACK,
    ),
]

# The audit trail's words for this app's actions and where its objects open (read by core.links on main).
AUDIT_ACTIONS = {
    "evaluation.record": _("Recorded a rating"),
    "feedback.submit": _("Left a message in the feedback box"),
    "feedback.reply": _("Answered a feedback message"),
    "feedback.escalate": _("Escalated an unanswered message"),
    "follow_up.start": _("Took a follow-up in hand"),
    "follow_up.close": _("Closed a follow-up"),
    "follow_up.escalate": _("Escalated an overdue follow-up"),
    "pad_config.set": _("Changed the evaluation pad settings"),
    "survey.import": _("Imported survey results"),
    "survey_target.set": _("Set a survey target"),
}

OBJECT_URLS = {
    "feedback.followup": "feedback:follow_up",
    "feedback.feedbackitem": "feedback:item",
}
