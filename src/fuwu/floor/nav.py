from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Branch floor")  # the menu section these items form

NAV = [
    NavItem(
        _("Counter console"),
        "floor:counter",
        frozenset({roles.TELLER, roles.RM, roles.OUTLET_HEAD}),
        _("Call, serve, transfer and refer customers"),
        order=10,
        permission="floor.change_ticket",
    ),
    NavItem(
        _("Lobby console"),
        "floor:lobby",
        frozenset({roles.LOBBY, roles.OUTLET_HEAD}),
        _("Who is waiting, VIP arrivals, diversion and lobby positions"),
        order=11,
        permission="floor.divert_ticket",
    ),
    NavItem(
        _("Display board"),
        "floor:display",
        frozenset({roles.LOBBY, roles.OUTLET_HEAD}),
        _("Hall screen with voice calling"),
        order=12,
        permission="floor.divert_ticket",
        public=True,
    ),
    NavItem(
        _("Ticket kiosk"),
        "floor:kiosk",
        frozenset({roles.LOBBY, roles.OUTLET_HEAD}),
        _("Self-service ticket machine"),
        order=13,
        permission="floor.divert_ticket",
        public=True,
    ),
]

# The audit trail's words for this app's actions (read by core.links).
AUDIT_ACTIONS = {
    "floor.appointment_book": _("Booked an appointment"),
    "floor.appointment_check_in": _("Checked in an appointment"),
    "floor.customer_shown": _("Was shown a recognised customer's profile at the counter"),
}
