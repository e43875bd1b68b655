from __future__ import annotations

from fuwu.core import roles

_VIEW = ["measures.view_target", "measures.view_rollup"]
_CHANGE = [*_VIEW, "measures.add_target", "measures.change_target", "measures.delete_target"]

ROLE_PERMISSIONS = {
    roles.HQ_MANAGER: _CHANGE,
    roles.SUPERVISOR: _CHANGE,
    roles.OUTLET_HEAD: _CHANGE,
    roles.AUDITOR: _VIEW,
    roles.CC_MANAGER: _VIEW,
    roles.TELLER: _VIEW,
    roles.LOBBY: _VIEW,
    roles.RM: _VIEW,
    roles.COMPLAINT_HANDLER: _VIEW,
    roles.TRAINER: _VIEW,
}
