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

from fuwu.core.access import can_see_path, home_unit, sees_all
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal

M = TypeVar("M", bound=Model)

__all__ = ["can_see_path", "can_see_unit", "get_visible", "home_unit", "sees_all", "visible", "visible_units"]


def visible(queryset: QuerySet[M], principal: Principal) -> QuerySet[M]:
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


def get_visible(queryset: QuerySet[M], principal: Principal, **lookup: Any) -> M:
    """One visible object, or NotFound — the same answer for "missing" and "not yours"."""
    try:
        return visible(queryset, principal).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def visible_units(principal: Principal) -> QuerySet[OrgUnit]:
    return visible(OrgUnit.objects.all(), principal)


def can_see_unit(principal: Principal, unit: OrgUnit) -> bool:
    return can_see_path(principal, unit.path)
