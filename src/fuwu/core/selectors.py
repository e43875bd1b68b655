"""Platform reads: each takes `fetched_by`, starts from core.scoping.visible and enforces its read permission."""

from __future__ import annotations

import datetime as dt

from django.apps import apps as django_apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import require
from fuwu.core.models import AuditEvent, CalendarDay, DeviceToken, Notification, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.schemas import AuditQueryIn
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


def staff(*, fetched_by: Principal) -> QuerySet[User]:
    return visible(User.objects.select_related("org_unit"), fetched_by).filter(is_active=True)


def audit_events(
    *, fetched_by: Principal, query: AuditQueryIn | None = None, action: str | None = None
) -> QuerySet[AuditEvent]:
    """The audit trail as `fetched_by` may read it, newest first, narrowed by `query` (#19)."""
    require(fetched_by, AUDIT_PERMISSION, message=_("Your role may not read the audit trail."))
    q = query or AuditQueryIn(action=action or "", system=True)
    qs = visible(AuditEvent.objects.select_related("org_unit", "actor"), fetched_by)
    if q.action:
        qs = qs.filter(action__startswith=q.action)
    if q.person:
        qs = qs.filter(
            Q(actor__username=q.person) | Q(actor__display_name=q.person) | Q(actor_label=q.person)
        )
    if q.unit:
        unit = get_visible(OrgUnit.objects.all(), fetched_by, code=q.unit)
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if q.object_type:
        qs = qs.filter(target_type=q.object_type)
    if q.object_id:
        qs = qs.filter(target_id=q.object_id)
    if q.start:
        qs = qs.filter(at__gte=clock.day_start(q.start))
    if q.end:
        qs = qs.filter(at__lt=clock.day_start(q.end + dt.timedelta(days=1)))
    if not q.system:
        qs = qs.exclude(actor_label__startswith="system:")
    return qs.order_by("-at", "-pk")


def audit_event(*, fetched_by: Principal, pk: int) -> AuditEvent:
    require(fetched_by, AUDIT_PERMISSION, message=_("Your role may not read the audit trail."))
    return get_visible(AuditEvent.objects.select_related("org_unit", "actor"), fetched_by, pk=pk)


def audit_changes(*, fetched_by: Principal, event: AuditEvent) -> list[dict[str, object]]:
    """Before/after of the fields the audited action changed, from the object's history rows.

    The history row written in the same transaction as the event (same object, at or just before the
    event's time) is compared with the row before it; an object without history shows nothing.
    """
    require(fetched_by, AUDIT_PERMISSION, message=_("Your role may not read the audit trail."))
    if not event.target_type or not event.target_id:
        return []
    try:
        model = django_apps.get_model(event.target_type)
    except (LookupError, ValueError):
        return []
    history = getattr(model, "history", None)
    if history is None:
        return []
    row = (
        history.filter(id=event.target_id, history_date__lte=event.at + dt.timedelta(seconds=2))
        .order_by("-history_date")
        .first()
    )
    if row is None or row.prev_record is None:
        return []
    delta = row.diff_against(row.prev_record)
    return [{"field": c.field, "before": c.old, "after": c.new} for c in delta.changes]


def device_tokens(*, fetched_by: Principal, revoked: bool | None = None) -> QuerySet[DeviceToken]:
    """The tokens of the reader's units, newest first; `revoked`: only revoked (True) or only live (False)."""
    require(fetched_by, DEVICE_PERMISSION, message=_("Your role may not manage device tokens."))
    qs = visible(DeviceToken.objects.select_related("org_unit"), fetched_by)
    if revoked is not None:
        qs = qs.filter(revoked_at__isnull=not revoked)
    return qs.order_by("-created_at")


def device_token(*, fetched_by: Principal, pk: int) -> DeviceToken:
    require(fetched_by, DEVICE_PERMISSION, message=_("Your role may not manage device tokens."))
    return get_visible(DeviceToken.objects.select_related("org_unit"), fetched_by, pk=pk)


def calendar_exceptions(year: int) -> QuerySet[CalendarDay]:
    # The calendar is the same for the whole bank: nothing to scope.
    return CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))


def notifications(*, fetched_by: Principal, unread: bool = False) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first (nobody reads another person's, head office included)."""
    if not isinstance(fetched_by, User):
        return Notification.objects.none()
    qs = visible(Notification.objects.filter(recipient=fetched_by), fetched_by)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def notifications_unread_count(*, fetched_by: Principal) -> int:
    """How many of the viewer's notifications are unread (the bell's number)."""
    return notifications(fetched_by=fetched_by, unread=True).count()
