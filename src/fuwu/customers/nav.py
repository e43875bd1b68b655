from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core.nav import NavItem
from fuwu.customers.roles import ROLE_PERMISSIONS

SECTION = _("Customers")  # the menu section these items form

NAV = [
    NavItem(
        _("Customers"),
        "customers:list",
        frozenset(ROLE_PERMISSIONS),  # every role that may see customers
        _("Find a customer; masked identifiers, full view for roles with the right"),
        order=400,
    ),
]
