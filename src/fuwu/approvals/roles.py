from __future__ import annotations

from fuwu.core import roles

# Outlet staff start cases (loan and account-opening applications) and follow them.
_START = ["approvals.view_case", "approvals.add_case"]
# Deciders: the step's owner role decides; who may decide is further narrowed per step (role, unit, assignee).
_DECIDE = [*_START, "approvals.decide_step"]
_LEAD = [*_DECIDE, "approvals.reassign_step", "approvals.view_bottlenecks"]

ROLE_PERMISSIONS = {
    roles.TELLER: _START,
    roles.RM: _DECIDE,
    roles.LOBBY: _START,
    roles.OUTLET_HEAD: _LEAD,
    roles.SUPERVISOR: _LEAD,
    roles.HQ_MANAGER: [*_LEAD, "approvals.add_process"],
    roles.AUDITOR: ["approvals.view_case", "approvals.view_bottlenecks"],
}

# A business system (loan origination, account opening) starts cases through the API with an importer token.
DEVICE_PERMISSIONS = {"importer": ["approvals.add_case", "approvals.view_case"]}
