from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

_STAFF = frozenset(
    {
        roles.TELLER,
        roles.RM,
        roles.LOBBY,
        roles.OUTLET_HEAD,
        roles.SUPERVISOR,
        roles.HQ_MANAGER,
        roles.AUDITOR,
    }
)
_DECIDERS = frozenset({roles.RM, roles.OUTLET_HEAD, roles.SUPERVISOR, roles.HQ_MANAGER})
_LEADS = frozenset({roles.OUTLET_HEAD, roles.SUPERVISOR, roles.HQ_MANAGER, roles.AUDITOR})

SECTION = _("Approvals")

NAV = [
    NavItem(
        _("My approvals"),
        "approvals:inbox",
        _DECIDERS,
        _("Steps waiting for your decision"),
        order=600,
        permission="approvals.decide_step",
    ),
    NavItem(
        _("Approval cases"),
        "approvals:list",
        _STAFF,
        _("Loans, account openings and their steps"),
        order=601,
        permission="approvals.view_case",
    ),
    NavItem(
        _("Approval bottlenecks"),
        "approvals:bottlenecks",
        _LEADS,
        _("Elapsed time per step, breaches, heatmap"),
        order=602,
        permission="approvals.view_bottlenecks",
    ),
]

# Where the audit trail and notifications open these objects (core.links).
OBJECT_URLS = {"approvals.case": "approvals:detail"}
