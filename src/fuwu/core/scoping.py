"""The one place that decides what a principal may see.

Every model that is read by users declares `scope_path`: the ORM path from it to the OrgUnit that owns
it ("" for OrgUnit itself, "outlet" for a ticket, "case__outlet" for a case step...). A principal sees
rows owned by its own unit and everything below it; roles with `core.view_all_orgs` (HQ service
management, auditors) see every unit. Anything else sees nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Model, QuerySet

from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit
from fuwu.core.principals import DevicePrincipal

M = TypeVar("M", bound=Model)

VIEW_ALL = "core.view_all_orgs"


def sees_all(principal: Any) -> bool:
    if principal is None or not getattr(principal, "is_authenticated", False):
        return False
    if isinstance(principal, DevicePrincipal):
        return False
    return bool(principal.is_active and principal.has_perm(VIEW_ALL))


def home_unit(principal: Any) -> OrgUnit | None:
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    if not getattr(principal, "is_active", False):
        return None
    unit: OrgUnit | None = getattr(principal, "org_unit", None)
    return unit


def visible(queryset: QuerySet[M], principal: Any) -> QuerySet[M]:
    """Narrow `queryset` to what `principal` may see."""
    model = queryset.model
    scope_path: str | None = getattr(model, "scope_path", None)
    if scope_path is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no scope_path; it cannot be read by users")
    if sees_all(principal):
        return queryset
    unit = home_unit(principal)
    if unit is None:
        return queryset.none()
    lookup = f"{scope_path}__path__startswith" if scope_path else "path__startswith"
    return queryset.filter(**{lookup: unit.path})


def get_visible(queryset: QuerySet[M], principal: Any, **lookup: Any) -> M:
    """One visible object, or NotFound — the same answer for "missing" and "not yours"."""
    try:
        return visible(queryset, principal).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def visible_units(principal: Any) -> QuerySet[OrgUnit]:
    return visible(OrgUnit.objects.all(), principal)


def can_see_unit(principal: Any, unit: OrgUnit) -> bool:
    return can_see_path(principal, unit.path)


def can_see_path(principal: Any, path: str) -> bool:
    """`visible` for one row whose owning unit's tree path was read beside it (hand-written hot paths)."""
    if sees_all(principal):
        return True
    home = home_unit(principal)
    return home is not None and path.startswith(home.path)
