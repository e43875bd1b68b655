"""Staffing permissions: outlet heads plan their outlet, the contact-centre manager plans the lines."""

from __future__ import annotations

from fuwu.core import roles

_VIEW = [
    "staffing.view_staffingplan",
    "staffing.view_shift",
    "staffing.view_callrecord",
    "staffing.view_staffprofile",
]
_PLAN = ["staffing.change_staffingplan", "staffing.change_shift", "staffing.change_staffprofile"]
# Importing the contact centre's call records (W5): the centre's manager and head office.
_IMPORT = ["staffing.add_callrecord"]

ROLE_PERMISSIONS = {
    roles.OUTLET_HEAD: _VIEW + _PLAN,
    roles.CC_MANAGER: _VIEW + _PLAN + _IMPORT,
    roles.HQ_MANAGER: _VIEW + _PLAN + _IMPORT,
    roles.SUPERVISOR: _VIEW,
    roles.AUDITOR: _VIEW,
}
