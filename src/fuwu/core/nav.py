"""Navigation entries; each app lists its own in fuwu/<app>/nav.py as NAV: list[NavItem].

An app's items form one menu section titled by the SECTION of its nav.py (else the app's verbose_name),
so the platform needs to know no app by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.access import has
from fuwu.core.discovery import app_modules
from fuwu.core.errors import DomainError
from fuwu.core.principals import Viewer

if TYPE_CHECKING:
    from fuwu.core.models import OrgUnit


# A page every logged-in staff member may open (the business calendar, one's own training): the permission
# is declared, and it is "none beyond being staff".
EVERY_STAFF = ""


@dataclass(frozen=True)
class NavItem:
    """One menu entry. Its `permission` is the one rule for both the menu and the page (#19): the item is shown
    exactly when the user holds it, and core.middleware refuses the page (403) to a user who does not, before the
    view runs — so a page is never reachable for a role whose menu lacks it, nor missing from a menu that could
    open it. Objects inside a page stay the selectors' business (missing and not yours: 404)."""

    label: Promise | str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # on which roles' home pages the item is listed
    description: Promise | str = ""
    order: int = 100
    permission: str | None = None  # required: a permission, or EVERY_STAFF (core/tests/test_nav.py checks)
    # The unit the permission must reach, when the page belongs to one (e.g. head office's knowledge base).
    unit: Callable[[], OrgUnit | None] | None = None
    # A device or customer page that needs no login (kiosk, display board): the permission only decides who
    # finds it in the menu; the page itself is public.
    public: bool = False


NAV: list[NavItem] = [
    NavItem(
        _("Audit trail"),
        "core:audit_log",
        frozenset({roles.AUDITOR, roles.HQ_MANAGER}),
        _("Who changed what, when and from where"),
        order=900,
        permission="core.view_auditevent",
    ),
    NavItem(
        _("Business calendar"),
        "core:calendar",
        frozenset(),
        _("Public holidays and make-up workdays"),
        order=910,
        permission=EVERY_STAFF,
    ),
    NavItem(
        _("Device tokens"),
        "core:devices",
        frozenset({roles.OUTLET_HEAD, roles.HQ_MANAGER}),
        _("Kiosks, counters and evaluation pads"),
        order=920,
        permission="core.manage_devices",
    ),
]

AUDIT_ACTIONS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "auth.locked_out": _("Login locked"),
    "audit.export": _("Exported the audit trail"),
    "pii.reveal": _("Revealed a full ID or phone number"),
    "device_token.issue": _("Issued a device token"),
    "device_token.revoke": _("Revoked a device token"),
    "org_unit.create": _("Created an org unit"),
    "staff.create": _("Created a staff member"),
    "staff.set_roles": _("Changed roles"),
    "notifications.read_all": _("Marked all notifications read"),
}

OBJECT_URLS = {"core.auditevent": "core:audit_detail"}

SECTION = _("Platform")  # the menu section these items form, as in every app's nav.py

# The platform's own section closes the menu whatever the apps' item orders.
_PLATFORM = "fuwu.core"


def grouped_for(user: Viewer) -> list[tuple[Promise | str, list[tuple[NavItem, str]]]]:
    """The menu in sections (one per app), ordered by their first item; the platform's comes last."""
    modules = app_modules("nav")
    titles = {app: _section_title(app, module) for app, module in modules}
    groups: dict[str, list[tuple[NavItem, str]]] = {}
    for app, item, url in _visible(user, modules):
        groups.setdefault(app, []).append((item, url))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == _PLATFORM, kv[1][0][0].order))
    return [(titles[app], entries) for app, entries in ordered]


def _section_title(app: str, module: ModuleType | None) -> Promise | str:
    declared: Promise | str | None = getattr(module, "SECTION", None)
    if declared:
        return declared
    config = apps.get_containing_app_config(app)
    return config.verbose_name if config else app


def section_title(app: str) -> Promise | str:
    """What names `app` on screens: its menu section's title (the home page titles a panel it could not
    show with it)."""
    return _section_title(app, dict(app_modules("nav")).get(app))


def user_roles(user: Viewer) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "groups"):
        return set()
    cached = getattr(user, "_fuwu_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & roles.ROLE_CODES
        setattr(user, "_fuwu_roles", cached)  # noqa: B010 - a per-request cache on the user object
    return set(cached)


def items_for(user: Viewer) -> list[tuple[NavItem, str]]:
    """(item, url) pairs this user may follow, in menu order."""
    return [(item, url) for _app, item, url in _visible(user, app_modules("nav"))]


def may_open(user: Viewer, item: NavItem) -> bool:
    """Whether this user may open the item's page: the one rule of the menu and of the page guard."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not item.permission:
        return True
    try:
        unit = item.unit() if item.unit is not None else None
    except DomainError:
        return False  # the page's unit does not exist yet (an empty installation)
    return has(user, item.permission, unit=unit) if unit is not None else has(user, item.permission)


@functools.cache
def _by_view_name() -> dict[str, NavItem]:
    return {item.url_name: item for _app, module in app_modules("nav") for item in getattr(module, "NAV", [])}


def item_for(view_name: str) -> NavItem | None:
    """The menu item whose page this is (by 'app:name'), if the page is in any menu."""
    return _by_view_name().get(view_name)


def refused(user: Viewer, view_name: str) -> bool:
    """A logged-in user opening a menu page their menu lacks (the login redirect stays the views' own)."""
    item = item_for(view_name)
    if item is None or item.public or not getattr(user, "is_authenticated", False):
        return False
    return not may_open(user, item)


def _visible(user: Viewer, modules: list[tuple[str, ModuleType]]) -> list[tuple[str, NavItem, str]]:
    """(app, item, url) for every item of these nav modules the user may follow, in menu order."""
    entries = [(app, item) for app, module in modules for item in getattr(module, "NAV", [])]
    visible = []
    for app, item in sorted(entries, key=lambda e: (e[1].order, str(e[1].label))):
        if not may_open(user, item):
            continue
        try:
            visible.append((app, item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return visible
