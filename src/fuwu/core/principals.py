"""Who is asking: a staff user, a device acting for one outlet (and maybe one counter), or the system.

Every service and selector takes one of these by keyword; `None` is never a principal. Sweeps, the demo
builder and imports act as an explicit `SystemPrincipal` so the audit trail names them and no check is
skipped by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from fuwu.core.models import DeviceToken, OrgUnit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fuwu.core.models import User


@dataclass(frozen=True)
class DevicePrincipal:
    """A device authenticated by its bearer token; it sees its own outlet only."""

    token: DeviceToken

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    @property
    def org_unit(self) -> OrgUnit:
        return self.token.org_unit

    @property
    def kind(self) -> str:
        return self.token.kind

    @property
    def counter_code(self) -> str:
        return self.token.counter_code

    @property
    def label(self) -> str:
        return f"device:{self.token.kind}:{self.token.prefix}"

    def has_perm(self, perm: str, obj: object = None) -> bool:
        # Devices hold permissions by kind through core.access; Django's permission system knows no devices.
        from fuwu.core.access import device_has

        return device_has(self, perm)


@dataclass(frozen=True)
class SystemPrincipal:
    """The platform acting on its own: a sweep, an import, the demo builder. Sees and may do everything."""

    reason: str = "system"

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    org_unit = None

    @property
    def label(self) -> str:
        return f"system:{self.reason}"

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return True


SYSTEM = SystemPrincipal()

# The one type every service and selector takes as `actor` / `fetched_by`.
Principal = Union["User", DevicePrincipal, SystemPrincipal]
# Who a page is rendered for: a principal, or nobody logged in yet (menus, the language switch).
Viewer = Union["User", "AnonymousUser", DevicePrincipal, SystemPrincipal]


def system(reason: str) -> SystemPrincipal:
    """A system principal naming what acts (shown in the audit trail as system:<reason>)."""
    return SystemPrincipal(reason)


def principal_label(principal: Principal) -> str:
    if principal is None:
        raise TypeError("a principal is required: use fuwu.core.principals.SYSTEM for the platform itself")
    if isinstance(principal, DevicePrincipal | SystemPrincipal):
        return principal.label
    return str(principal.username)
