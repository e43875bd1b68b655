from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

_MANAGERS = frozenset({roles.OUTLET_HEAD, roles.SUPERVISOR, roles.TRAINER, roles.HQ_MANAGER})

SECTION = _("Training")

NAV = [
    NavItem(
        _("My training"),
        "training:index",
        frozenset(),
        _("Courses, exams and certificates"),
        order=500,
        permission="training.view_course",
    ),
    NavItem(
        _("Manage training"),
        "training:manage",
        _MANAGERS,
        _("Assign courses, grade, question bank"),
        order=501,
        permission="training.assign_course",
    ),
    NavItem(
        _("Training completion"),
        "training:completion",
        _MANAGERS | {roles.AUDITOR},
        _("Completion by unit and course"),
        order=502,
        permission="training.view_assignment",
    ),
]

# Where the audit trail and notifications open these objects (core.links): an assignment is shown on the
# learner's training page.
OBJECT_URLS = {"training.assignment": "training:index"}

AUDIT_ACTIONS = {
    "training.reminder": _("Reminded a learner of a training due soon"),
    "training.overdue": _("Told the manager of an overdue training"),
}
