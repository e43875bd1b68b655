"""Navigation entries; each app lists its own in fuwu/<app>/nav.py as NAV: list[NavItem]."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    label: Promise | str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff member
    description: Promise | str = ""
    order: int = 100


NAV: list[NavItem] = [
    NavItem(
        _("Audit trail"),
        "core:audit_log",
        frozenset({roles.AUDITOR, roles.HQ_MANAGER}),
        _("Who changed what, when and from where"),
        order=900,
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
    ),
]


SECTIONS: dict[str, Promise | str] = {
    "floor": _("Branch floor"),
    "feedback": _("Feedback"),
    "complaints": _("Complaints"),
    "measures": _("Measures"),
    "staffing": _("Staffing"),
    "core": _("Platform"),
}


def grouped_for(user: Any) -> list[tuple[Promise | str, list[tuple[NavItem, str]]]]:
    """The menu in sections (one per app), sections ordered by their first item."""
    groups: dict[str, list[tuple[NavItem, str]]] = {}
    for item, url in items_for(user):
        groups.setdefault(item.url_name.split(":", 1)[0], []).append((item, url))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "core", kv[1][0][0].order))
    return [(SECTIONS.get(key, key), entries) for key, entries in ordered]


def user_roles(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "groups"):
        return set()
    cached = getattr(user, "_fuwu_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & roles.ROLE_CODES
        user._fuwu_roles = cached
    return set(cached)


def items_for(user: Any) -> list[tuple[NavItem, str]]:
    """(item, url) pairs this user may follow, in menu order."""
    held = user_roles(user)
    entries: list[NavItem] = []
    for _app, module in app_modules("nav"):
        entries.extend(getattr(module, "NAV", []))
    visible = []
    for item in sorted(entries, key=lambda i: (i.order, str(i.label))):
        if item.roles and not (item.roles & held) and not getattr(user, "is_superuser", False):
            continue
        try:
            visible.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return visible
