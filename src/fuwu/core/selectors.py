"""Platform reads: each takes `fetched_by`, starts from core.scoping.visible and enforces its read permission."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fuwu.core.access import require
from fuwu.core.models import AuditEvent, CalendarDay, DeviceToken, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible

AUDIT_PERMISSION = "core.view_auditevent"
DEVICE_PERMISSION = "core.manage_devices"


def org_units(*, fetched_by: Principal, kind: str | None = None) -> QuerySet[OrgUnit]:
    # The org tree is not sensitive: everyone sees the units of their own subtree (pickers, breadcrumbs).
    qs = visible(OrgUnit.objects.all(), fetched_by)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def org_unit(*, fetched_by: Principal, code: str) -> OrgUnit:
    return get_visible(OrgUnit.objects.all(), fetched_by, code=code)


def outlets_under(*, fetched_by: Principal, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Outlets in `unit`'s subtree that `fetched_by` may see (one query on the materialised path)."""
    return org_units(fetched_by=fetched_by, kind=OrgUnit.Kind.OUTLET).filter(path__startswith=unit.path)


def staff(*, fetched_by: Principal) -> QuerySet[User]:
    return visible(User.objects.select_related("org_unit"), fetched_by).filter(is_active=True)


def audit_events(
    *, fetched_by: Principal, action: str | None = None, limit: int = 200
) -> QuerySet[AuditEvent]:
    require(fetched_by, AUDIT_PERMISSION, message=_("Your role may not read the audit trail."))
    qs = visible(AuditEvent.objects.select_related("org_unit"), fetched_by)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs[:limit]


def device_tokens(*, fetched_by: Principal) -> QuerySet[DeviceToken]:
    require(fetched_by, DEVICE_PERMISSION, message=_("Your role may not manage device tokens."))
    return visible(DeviceToken.objects.select_related("org_unit"), fetched_by).order_by("-created_at")


def device_token(*, fetched_by: Principal, pk: int) -> DeviceToken:
    require(fetched_by, DEVICE_PERMISSION, message=_("Your role may not manage device tokens."))
    return get_visible(DeviceToken.objects.select_related("org_unit"), fetched_by, pk=pk)


def calendar_exceptions(year: int) -> QuerySet[CalendarDay]:
    # The calendar is the same for the whole bank: nothing to scope.
    return CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
