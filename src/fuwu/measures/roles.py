from __future__ import annotations

from fuwu.core import roles

_VIEW = ["measures.view_target", "measures.view_rollup"]
# Managers, coaches and auditors read each staff member's figures; front-line staff only their own.
_STAFF = ["measures.view_staff_figures"]
_CHANGE = [*_VIEW, *_STAFF, "measures.add_target", "measures.change_target", "measures.delete_target"]

ROLE_PERMISSIONS = {
    roles.HQ_MANAGER: _CHANGE,
    roles.SUPERVISOR: _CHANGE,
    roles.OUTLET_HEAD: _CHANGE,
    roles.AUDITOR: _VIEW + _STAFF,
    roles.CC_MANAGER: _VIEW + _STAFF,
    roles.TELLER: _VIEW,
    roles.LOBBY: _VIEW,
    roles.RM: _VIEW,
    roles.COMPLAINT_HANDLER: _VIEW,
    roles.TRAINER: _VIEW + _STAFF,
}
