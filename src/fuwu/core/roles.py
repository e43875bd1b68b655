"""Roles are Django groups; each app adds the permissions its roles need in its own `roles.py`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models.signals import post_migrate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fuwu.core.discovery import app_modules


@dataclass(frozen=True)
class Role:
    code: str
    label: Promise | str


LOBBY = "lobby"
TELLER = "teller"
RM = "relationship_manager"
OUTLET_HEAD = "outlet_head"
COMPLAINT_HANDLER = "complaint_handler"
SUPERVISOR = "supervisor"
CC_MANAGER = "cc_manager"
TRAINER = "trainer"
HQ_MANAGER = "hq_manager"
AUDITOR = "auditor"

ROLES: tuple[Role, ...] = (
    Role(LOBBY, _("Lobby staff")),
    Role(TELLER, _("Teller")),
    Role(RM, _("Relationship manager")),
    Role(OUTLET_HEAD, _("Outlet head")),
    Role(COMPLAINT_HANDLER, _("Complaint handler")),
    Role(SUPERVISOR, _("Service supervisor")),
    Role(CC_MANAGER, _("Contact-centre manager")),
    Role(TRAINER, _("Trainer")),
    Role(HQ_MANAGER, _("HQ service manager")),
    Role(AUDITOR, _("Auditor")),
)
ROLE_CODES = frozenset(r.code for r in ROLES)

# Permissions the platform itself grants; apps extend this mapping in fuwu/<app>/roles.py
# with a module-level ROLE_PERMISSIONS of the same shape.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    HQ_MANAGER: [
        "core.view_all_orgs",
        "core.view_orgunit",
        "core.view_auditevent",
        # The holiday schedule for next year is published each November; head office enters it.
        "core.add_calendarday",
        "core.change_calendarday",
        "core.delete_calendarday",
    ],
    AUDITOR: ["core.view_all_orgs", "core.view_orgunit", "core.view_auditevent", "core.view_full_pii"],
    OUTLET_HEAD: ["core.view_orgunit", "core.manage_devices"],
    COMPLAINT_HANDLER: ["core.view_full_pii"],
}


def role_label(code: str) -> Promise | str:
    for role in ROLES:
        if role.code == code:
            return role.label
    return code


def all_role_permissions() -> dict[str, set[str]]:
    """Merge the platform's and every fuwu app's role → permission mapping."""
    merged: dict[str, set[str]] = {r.code: set() for r in ROLES}
    sources: list[dict[str, list[str]]] = [ROLE_PERMISSIONS]
    for _app, module in app_modules("roles", exclude=("fuwu.core",)):
        sources.append(getattr(module, "ROLE_PERMISSIONS", {}))
    for source in sources:
        for code, perms in source.items():
            merged.setdefault(code, set()).update(perms)
    return merged


def sync_role_groups(**_: Any) -> None:
    """Create or update one group per role with exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for code, perms in all_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=code)
        wanted = list(_resolve(Permission, perms))
        group.permissions.set(wanted)


def _resolve(permission_model: Any, perms: Iterable[str]) -> Iterable[Any]:
    for dotted in sorted(perms):
        app_label, codename = dotted.split(".", 1)
        found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if found is None:
            raise LookupError(f"role permission {dotted} does not exist")
        yield found


def _after_migrate(sender: Any, **kwargs: Any) -> None:
    # Only once, after the last app with models, when every app's permissions exist.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if not with_models or sender is not with_models[-1]:
        return
    sync_role_groups()


def connect_post_migrate() -> None:
    post_migrate.connect(_after_migrate, dispatch_uid="fuwu.core.roles.sync")
