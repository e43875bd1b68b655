"""The one place that decides whether a principal may do something.

`require(principal, permission, unit=…)` is the only permission check in fuwu: services call it before they
write, selectors before they read. Views and API handlers check nothing themselves; they call a service or a
selector and let its `DomainError` become the response.

- Staff hold permissions through their roles (Django groups; each app's `roles.py`).
- Devices hold permissions by kind: each app's `roles.py` may declare `DEVICE_PERMISSIONS = {kind: [perm…]}`.
  A counter terminal is further bound to its own counter; services that act on a counter say so with
  `counter=` and this module checks it.
- The system principal may do everything; it is how sweeps, imports and the demo act.

A unit the principal cannot see is refused with `NotFound`, the same answer as for a missing object ("not
found" and "not yours" look the same); a visible unit with a missing permission is `Forbidden`.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from fuwu.core.errors import Forbidden, NotFound, Unauthenticated
from fuwu.core.models import OrgUnit
from fuwu.core.principals import DevicePrincipal, Principal, SystemPrincipal, Viewer


@cache
def device_permissions() -> dict[str, frozenset[str]]:
    """Every app's DEVICE_PERMISSIONS merged: device kind → the permissions a device of that kind holds."""
    from fuwu.core.discovery import app_modules

    merged: dict[str, set[str]] = {}
    for _app, module in app_modules("roles"):
        for kind, perms in getattr(module, "DEVICE_PERMISSIONS", {}).items():
            merged.setdefault(kind, set()).update(perms)
    return {kind: frozenset(perms) for kind, perms in merged.items()}


def device_has(device: DevicePrincipal, permission: str) -> bool:
    return device.token.revoked_at is None and permission in device_permissions().get(
        device.kind, frozenset()
    )


def _active(principal: Principal) -> bool:
    if principal is None:
        raise TypeError("a principal is required: use fuwu.core.principals.SYSTEM for the platform itself")
    return bool(getattr(principal, "is_authenticated", False) and getattr(principal, "is_active", False))


def sees_all(principal: Principal) -> bool:
    """Head office roles and the system see every unit."""
    if isinstance(principal, SystemPrincipal):
        return True
    if isinstance(principal, DevicePrincipal) or not _active(principal):
        return False
    return bool(principal.has_perm("core.view_all_orgs"))


def home_unit(principal: Principal) -> OrgUnit | None:
    if isinstance(principal, SystemPrincipal) or not _active(principal):
        return None
    return principal.org_unit


def can_see_path(principal: Principal, path: str) -> bool:
    """Whether a unit with this tree path is in the principal's subtree (or the principal sees all)."""
    if sees_all(principal):
        return True
    home = home_unit(principal)
    return home is not None and path.startswith(home.path)


def has(
    principal: Viewer, permission: str, *, unit: OrgUnit | None = None, counter: str | None = None
) -> bool:
    """`require` as a yes/no, for menus and `allowed_actions`; never raises (nobody logged in: no)."""
    if isinstance(principal, AnonymousUser):
        return False
    try:
        require(principal, permission, unit=unit, counter=counter)
    except (Forbidden, NotFound, Unauthenticated):
        return False
    return True


def require(
    principal: Principal,
    permission: str,
    *,
    unit: OrgUnit | None = None,
    counter: str | None = None,
    message: str | None = None,
) -> None:
    """Refuse unless `principal` holds `permission` (in `unit`, and at `counter` for a counter terminal).

    `unit` is the org unit that owns the object acted on; outside the principal's subtree the answer is
    NotFound. `counter` is the counter code for counter steps: a counter terminal may act only on its own.
    """
    if isinstance(principal, SystemPrincipal):
        return
    if not _active(principal):
        raise Unauthenticated(_("Log in or send a valid device token."))
    if unit is not None and not can_see_path(principal, unit.path):
        raise NotFound(_("Not found."))
    if isinstance(principal, DevicePrincipal):
        if not device_has(principal, permission):
            raise Forbidden(message or _("This device may not do that."))
        if counter is not None and principal.kind == "counter" and principal.counter_code != counter:
            raise Forbidden(_("This device is not the terminal of that counter."))
        return
    if not principal.has_perm(permission):
        raise Forbidden(message or _("Your role may not do that."))
