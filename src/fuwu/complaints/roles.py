from __future__ import annotations

from fuwu.core import roles

_READ = ["complaints.view_complaint", "complaints.view_typicalcase", "complaints.view_alert"]
_REGISTER = [*_READ, "complaints.add_complaint"]
_HANDLE = [
    *_REGISTER,
    "complaints.change_complaint",
    "complaints.add_typicalcase",
    "complaints.open_remediation",
]
# Approving an extension is not the handler's act (办法 第十八条: the second one needs the superior unit or a
# head-office senior manager, checked in states.py); handlers only ask for one.
_APPROVE = [*_HANDLE, "complaints.change_extension"]
# The regulator statistics and hotspots read the decided outcomes across cases: the handlers, their managers and
# auditors, not the front line (the permission guards those pages and their menu items, #19).
_ANALYSE = ["complaints.view_decision"]

ROLE_PERMISSIONS = {
    roles.LOBBY: _REGISTER,
    roles.TELLER: _REGISTER,
    roles.RM: _REGISTER,
    roles.COMPLAINT_HANDLER: [*_HANDLE, *_ANALYSE],
    roles.OUTLET_HEAD: [*_APPROVE, *_ANALYSE],
    roles.SUPERVISOR: [*_APPROVE, *_ANALYSE],
    roles.CC_MANAGER: _REGISTER,
    roles.HQ_MANAGER: [*_APPROVE, *_ANALYSE, "complaints.view_clockevent"],
    roles.AUDITOR: [*_READ, *_ANALYSE, "complaints.view_clockevent"],
    roles.TRAINER: ["complaints.view_typicalcase"],
}
