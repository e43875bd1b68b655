"""Who may see and register customers. Full ID and phone numbers need core.view_full_pii (core/roles.py).

Tellers and lobby staff see the compact view of a customer (what the counter needs); the full 360 with its
timeline is for relationship managers, outlet heads and head office; exact balances for relationship managers
and auditors only (others see bands). Suggestions are shown and answered at counters (P3).
"""

from __future__ import annotations

from fuwu.core import roles

# The product catalogue (risk level, fees) is every customer-facing role's reference.
_SEE = ["customers.view_customer", "customers.view_product"]
# The full 360's parts: households, risk assessments (with their expiry).
_PROFILE = [*_SEE, "customers.view_profile", "customers.view_household", "customers.view_riskassessment"]
_SUGGEST = ["customers.view_suggestion", "customers.change_suggestion"]
_FORMS = ["customers.add_formrecord"]
# Households are the relationship managers' and the outlet head's to keep (P2).
_HOUSEHOLDS = ["customers.add_household", "customers.change_household"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.LOBBY: [*_SEE, *_FORMS],
    roles.TELLER: [*_SEE, *_SUGGEST, *_FORMS],
    roles.RM: [
        *_PROFILE,
        *_SUGGEST,
        *_FORMS,
        *_HOUSEHOLDS,
        "customers.add_customer",
        "customers.view_exact_balance",
        "customers.add_riskassessment",
    ],
    # Reassigning portfolios between relationship managers is the outlet head's (change_customer).
    roles.OUTLET_HEAD: [
        *_PROFILE,
        *_SUGGEST,
        *_FORMS,
        *_HOUSEHOLDS,
        "customers.add_customer",
        "customers.change_customer",
    ],
    roles.COMPLAINT_HANDLER: _PROFILE,
    roles.SUPERVISOR: _PROFILE,
    roles.CC_MANAGER: _SEE,
    roles.HQ_MANAGER: [*_PROFILE, "customers.view_suggestion", "customers.change_product"],
    roles.AUDITOR: [*_PROFILE, "customers.view_suggestion", "customers.view_exact_balance"],
}

# The kiosk pre-fills the form of the business chosen with the customer's ID and keeps it once confirmed (P4).
DEVICE_PERMISSIONS = {"kiosk": _FORMS}
