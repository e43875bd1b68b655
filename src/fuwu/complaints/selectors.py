"""Reads of complaints, always narrowed to what the principal may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When

from fuwu.complaints.models import OPEN_STATUSES, Alert, ClassificationCode, Complaint, Extension, TypicalCase
from fuwu.core.models import OrgUnit, User
from fuwu.core.scoping import get_visible, visible


def complaints(
    principal: Any,
    *,
    status: str | None = None,
    q: str | None = None,
    overdue_only: bool = False,
    now: Any = None,
) -> QuerySet[Complaint]:
    qs = visible(Complaint.objects.select_related("outlet", "handler", "staff"), principal).annotate(
        open_rank=Case(When(status__in=list(OPEN_STATUSES), then=Value(0)), default=Value(1))
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(content__icontains=q) | Q(complainant_name__icontains=q))
    if overdue_only and now is not None:
        qs = qs.filter(Q(closed_at__isnull=True, due_at__lt=now) | Q(closed_at__gt=F("due_at")))
    # Open cases first: fast track, then special customer groups (C6), then the nearest deadline.
    return qs.order_by("open_rank", "-is_fast_track", "-is_special_group", "due_at", "-received_at")


def complaint(principal: Any, pk: int) -> Complaint:
    return get_visible(
        Complaint.objects.select_related("outlet", "handler", "staff", "customer"), principal, pk=pk
    )


def extension(principal: Any, pk: int) -> Extension:
    return get_visible(Extension.objects.select_related("complaint__outlet"), principal, pk=pk)


def alerts(principal: Any, *, open_only: bool = True) -> QuerySet[Alert]:
    qs = visible(Alert.objects.select_related("complaint", "org_unit"), principal)
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def alert(principal: Any, pk: int) -> Alert:
    return get_visible(Alert.objects.all(), principal, pk=pk)


def typical_cases(principal: Any, *, polarity: str | None = None) -> QuerySet[TypicalCase]:
    qs = visible(TypicalCase.objects.select_related("outlet"), principal)
    return qs.filter(polarity=polarity) if polarity else qs


def codes(dimension: str) -> QuerySet[ClassificationCode]:
    return ClassificationCode.objects.filter(dimension=dimension, is_active=True).order_by("code")


def code_names() -> dict[tuple[str, str], str]:
    """(dimension, code) → name, for labels and exports."""
    return {(c.dimension, c.code): c.name for c in ClassificationCode.objects.all()}


def handlers_for(principal: Any, complaint: Complaint, *, exclude_conflicted: bool = True) -> QuerySet[User]:
    """Active staff who may take a case the principal can see: in its unit or above (minus 回避 by default)."""
    visible(Complaint.objects.filter(pk=complaint.pk), principal).get()
    units = [complaint.outlet, *complaint.outlet.get_ancestors()]
    qs = User.objects.filter(is_active=True, org_unit__in=units).select_related("org_unit")
    if exclude_conflicted and complaint.staff_id:
        qs = qs.exclude(pk=complaint.staff_id)
    return qs.order_by("display_name")


def unit(principal: Any, code: str) -> OrgUnit:
    found: OrgUnit = get_visible(OrgUnit.objects.all(), principal, code=code)
    return found
