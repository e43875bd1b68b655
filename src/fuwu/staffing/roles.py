"""Staffing permissions: outlet heads plan their outlet, the contact-centre manager plans the lines."""

from __future__ import annotations

from fuwu.core import roles

_VIEW = [
    "staffing.view_staffingplan",
    "staffing.view_shift",
    "staffing.view_staffprofile",
]
# The bank-wide contact centre's calls: its manager, head office, supervisors and auditors; an outlet head plans
# the outlet's counters and has no business in the hotline's figures (#19: menus and access are one rule).
_CALLS = ["staffing.view_callrecord"]
_PLAN = ["staffing.change_staffingplan", "staffing.change_shift", "staffing.change_staffprofile"]
# Importing the contact centre's call records (W5): the centre's manager and head office.
_IMPORT = ["staffing.add_callrecord"]

# A customer's own calls on their 360 timeline (P1): every role that reads the full 360 (customers/roles.py).
_CUSTOMER_CALLS = ["staffing.view_customer_calls"]

ROLE_PERMISSIONS = {
    roles.OUTLET_HEAD: _VIEW + _PLAN + _CUSTOMER_CALLS,
    roles.RM: _CUSTOMER_CALLS,
    roles.COMPLAINT_HANDLER: _CUSTOMER_CALLS,
    roles.CC_MANAGER: _VIEW + _CALLS + _PLAN + _IMPORT,
    roles.HQ_MANAGER: _VIEW + _CALLS + _PLAN + _IMPORT + _CUSTOMER_CALLS,
    roles.SUPERVISOR: _VIEW + _CALLS + _CUSTOMER_CALLS,
    roles.AUDITOR: _VIEW + _CALLS + _CUSTOMER_CALLS,
}
