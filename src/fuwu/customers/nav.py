from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Customers")  # the menu section these items form

_PROFILE_ROLES = frozenset({roles.RM, roles.OUTLET_HEAD, roles.HQ_MANAGER, roles.AUDITOR})

NAV = [
    NavItem(
        _("Customers"),
        "customers:list",
        _PROFILE_ROLES,
        _("Find a customer and open their 360"),
        order=15,
        permission="customers.view_customer",
    ),
    NavItem(
        _("Households"),
        "customers:households",
        frozenset({roles.RM, roles.OUTLET_HEAD}),
        _("Households and relationship groups"),
        order=16,
        permission="customers.view_household",
    ),
    NavItem(
        _("Relationship manager portfolios"),
        "customers:portfolios",
        frozenset({roles.OUTLET_HEAD, roles.HQ_MANAGER}),
        _("Who looks after which customers; move customers between managers"),
        order=17,
        permission="customers.view_profile",
    ),
    NavItem(
        _("Product catalogue"),
        "customers:products",
        frozenset({roles.TELLER, roles.RM, roles.HQ_MANAGER}),
        _("Products with their risk level R1–R5 and fees"),
        order=18,
        permission="customers.view_product",
    ),
]

# The audit trail's words for this app's actions (read by core.links).
AUDIT_ACTIONS = {
    "household.create": _("Created a household"),
    "household.member_add": _("Added a household member"),
    "household.member_remove": _("Removed a household member"),
    "customer.rm_assign": _("Assigned a relationship manager"),
    "risk_assessment.record": _("Recorded a risk assessment"),
}
