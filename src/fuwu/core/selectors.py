"""Platform reads, each starting from core.scoping.visible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fuwu.core.models import AuditEvent, CalendarDay, DeviceToken, OrgUnit, User
from fuwu.core.scoping import get_visible, visible


def org_units(principal: Any, *, kind: str | None = None) -> QuerySet[OrgUnit]:
    qs = visible(OrgUnit.objects.all(), principal)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def org_unit(principal: Any, code: str) -> OrgUnit:
    return get_visible(OrgUnit.objects.all(), principal, code=code)


def outlets_under(principal: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Outlets in `unit`'s subtree that `principal` may see (one query on the materialised path)."""
    return org_units(principal, kind=OrgUnit.Kind.OUTLET).filter(path__startswith=unit.path)


def staff(principal: Any) -> QuerySet[User]:
    return visible(User.objects.select_related("org_unit"), principal).filter(is_active=True)


def audit_events(principal: Any, *, action: str | None = None, limit: int = 200) -> QuerySet[AuditEvent]:
    qs = visible(AuditEvent.objects.select_related("org_unit"), principal)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs[:limit]


def device_tokens(principal: Any) -> QuerySet[DeviceToken]:
    return visible(DeviceToken.objects.select_related("org_unit"), principal).order_by("-created_at")


def calendar_exceptions(year: int) -> QuerySet[CalendarDay]:
    # The calendar is the same for the whole bank: nothing to scope.
    return CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
