from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.complaints.states import ANALYSE
from fuwu.core import roles
from fuwu.core.nav import NavItem

_HANDLERS = frozenset(
    {roles.COMPLAINT_HANDLER, roles.OUTLET_HEAD, roles.SUPERVISOR, roles.HQ_MANAGER, roles.AUDITOR}
)
_INTAKE = frozenset(
    {
        roles.LOBBY,
        roles.TELLER,
        roles.RM,
        roles.CC_MANAGER,
        roles.COMPLAINT_HANDLER,
        roles.OUTLET_HEAD,
        roles.SUPERVISOR,
        roles.HQ_MANAGER,
    }
)

SECTION = _("Complaints")  # the menu section these items form

NAV = [
    NavItem(
        _("Complaints"),
        "complaints:list",
        _HANDLERS | _INTAKE,
        _("Cases, deadlines and alerts"),
        order=300,
        permission="complaints.view_complaint",
    ),
    NavItem(
        _("Register a complaint"),
        "complaints:new",
        _INTAKE,
        _("Intake from any channel"),
        order=301,
        permission="complaints.add_complaint",
    ),
    NavItem(
        _("Complaint statistics"),
        "complaints:stats",
        _HANDLERS,
        _("Quarterly regulator report (Excel)"),
        order=302,
        permission=ANALYSE,
    ),
    NavItem(
        _("Typical cases"),
        "complaints:library",
        _HANDLERS | {roles.TRAINER},
        _("De-identified positive and negative cases"),
        order=303,
        permission="complaints.view_typicalcase",
    ),
    NavItem(
        _("Complaint hotspots"),
        "complaints:hotspots",
        _HANDLERS,
        _("Categories and terms on the rise"),
        order=304,
        permission=ANALYSE,
    ),
]

# Audited actions that are not state changes (those are named by their declared transition).
AUDIT_ACTIONS = {
    "complaint.register": _("Registered a complaint"),
    "complaint.alert_ack": _("Acknowledged a complaint alert"),
    "complaint.codes_import": _("Imported the complaint code table"),
    "complaint.attach": _("Added a case document"),
    "complaint.document_download": _("Downloaded a case document"),
    "complaint.letter_download": _("Downloaded a complaint letter"),
    "complaint.from_feedback": _("Turned a feedback message into a complaint"),
}

# Where the audit trail and notifications open these objects (core.links).
OBJECT_URLS = {"complaints.complaint": "complaints:detail"}
