"""Who may see and register customers. Full ID and phone numbers need core.view_full_pii (core/roles.py)."""

from __future__ import annotations

from fuwu.core import roles

_SEE = ["customers.view_customer"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.LOBBY: _SEE,
    roles.TELLER: _SEE,
    roles.RM: [*_SEE, "customers.add_customer"],
    roles.OUTLET_HEAD: [*_SEE, "customers.add_customer"],
    roles.COMPLAINT_HANDLER: _SEE,
    roles.SUPERVISOR: _SEE,
    roles.CC_MANAGER: _SEE,
    roles.HQ_MANAGER: _SEE,
    roles.AUDITOR: _SEE,
}
