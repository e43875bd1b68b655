from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Supervision")

NAV = [
    NavItem(
        _("Inspections"),
        "inspections:list",
        frozenset({roles.SUPERVISOR, roles.OUTLET_HEAD, roles.HQ_MANAGER, roles.AUDITOR}),
        _("Mystery shopper, video and on-site checks"),
        order=400,
        permission="inspections.view_inspection",
    ),
    NavItem(
        _("Rectification ledger"),
        "inspections:ledger",
        frozenset(
            {roles.SUPERVISOR, roles.OUTLET_HEAD, roles.HQ_MANAGER, roles.AUDITOR, roles.COMPLAINT_HANDLER}
        ),
        _("Every service defect and its fix, whatever found it"),
        order=401,
        permission="inspections.view_rectificationtask",
    ),
    NavItem(
        _("Inspection templates"),
        "inspections:templates",
        frozenset({roles.SUPERVISOR, roles.HQ_MANAGER, roles.AUDITOR}),
        _("五个一, 七个一, 四不准, 四必须, 6S and more"),
        order=402,
        permission="inspections.view_template",
    ),
    NavItem(
        _("Supervisors"),
        "inspections:supervisors",
        frozenset({roles.SUPERVISOR, roles.HQ_MANAGER, roles.AUDITOR}),
        _("Roster against the minimum and piece-rate tally"),
        order=403,
        permission="inspections.view_supervision",
    ),
    NavItem(
        _("Inspection trends"),
        "inspections:trends",
        frozenset({roles.SUPERVISOR, roles.OUTLET_HEAD, roles.HQ_MANAGER, roles.AUDITOR}),
        _("Mystery-shopper score per quarter against the +2 target"),
        order=404,
        permission="inspections.view_inspection",
    ),
]

# Where the audit trail and notifications open these objects (core.links).
OBJECT_URLS = {
    "inspections.rectificationtask": "inspections:task",
    "inspections.inspection": "inspections:detail",
}
