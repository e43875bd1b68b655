"""Who is asking: a staff user or a device acting for one outlet (and maybe one counter)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fuwu.core.models import DeviceToken, OrgUnit


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

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


def principal_key(principal: Any) -> str:
    """A stable string naming the principal (for idempotency keys and audit labels)."""
    if isinstance(principal, DevicePrincipal):
        return f"device:{principal.token.pk}"
    return f"user:{getattr(principal, 'pk', None)}"


def principal_label(principal: Any) -> str:
    if principal is None:
        return "system"
    if isinstance(principal, DevicePrincipal):
        return principal.label
    return str(getattr(principal, "username", principal))
