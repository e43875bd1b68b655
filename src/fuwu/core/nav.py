"""Navigation entries; each app lists its own in fuwu/<app>/nav.py as NAV: list[NavItem].

An app's items form one menu section titled by the SECTION of its nav.py (else the app's verbose_name),
so the platform needs to know no app by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.access import has
from fuwu.core.discovery import app_modules
from fuwu.core.principals import Viewer


@dataclass(frozen=True)
class NavItem:
    label: Promise | str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff member
    description: Promise | str = ""
    order: int = 100
    # The permission the page itself requires: when given, the menu shows the item exactly when
    # core.access would let the user in (menus and access are the same rule). `roles` then only
    # says on which role's home page the item is listed.
    permission: str = ""


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


def _section_title(app: str, module: ModuleType) -> Promise | str:
    declared: Promise | str | None = getattr(module, "SECTION", None)
    if declared:
        return declared
    config = apps.get_containing_app_config(app)
    return config.verbose_name if config else app


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


def _visible(user: Viewer, modules: list[tuple[str, ModuleType]]) -> list[tuple[str, NavItem, str]]:
    """(app, item, url) for every item of these nav modules the user may follow, in menu order."""
    held = user_roles(user)
    entries = [(app, item) for app, module in modules for item in getattr(module, "NAV", [])]
    visible = []
    for app, item in sorted(entries, key=lambda e: (e[1].order, str(e[1].label))):
        if item.permission:
            if not has(user, item.permission):
                continue
        elif item.roles and not (item.roles & held) and not getattr(user, "is_superuser", False):
            continue
        try:
            visible.append((app, item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return visible
