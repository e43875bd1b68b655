"""Reads of complaints: each checks the read permission and narrows to what the principal may see.

Need-to-know (C1): inside the org scope, a case is read by the units' complaint handlers, outlet heads,
supervisors, head-office managers and auditors (`complaints.change_complaint` or the auditors' clock-event
right), by whoever registered it and by its handler — and never by the staff member complained about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from fuwu.complaints.models import (
    Alert,
    Attachment,
    ClassificationCode,
    Complaint,
    Extension,
    TypicalCase,
)
from fuwu.complaints.states import VIEW
from fuwu.core import defects
from fuwu.core.access import require
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal, SystemPrincipal
from fuwu.core.roles import COMPLAINT_HANDLER
from fuwu.core.scoping import get_visible, visible
from fuwu.customers.models import Customer

BROAD_READ = ("complaints.change_complaint", "complaints.view_clockevent")


def _need_to_know(principal: Principal, prefix: str = "") -> Q | None:
    """The filter a reader's own cases pass (None: every case in scope)."""
    if isinstance(principal, SystemPrincipal):
        return None
    if isinstance(principal, DevicePrincipal):
        return Q(pk__in=[])
    broad = any(principal.has_perm(p) for p in BROAD_READ)
    mine = Q(**{f"{prefix}registered_by": principal}) | Q(**{f"{prefix}handler": principal})
    allowed = Q() if broad else mine
    # The staff member complained about never reads the case, whatever their role.
    return allowed & ~Q(**{f"{prefix}staff": principal})


def readable(qs: QuerySet[Complaint], principal: Principal) -> QuerySet[Complaint]:
    """`qs` narrowed to the cases the principal has a need to know (the caller already scoped it)."""
    rule = _need_to_know(principal)
    return qs if rule is None else qs.filter(rule)


# Most urgent first: open cases, fast track, special customer groups (C6), then the nearest deadline. The
# index complaints_urgent holds exactly this order, so a page is read off it instead of sorting every case.
URGENT_FIRST = ("-is_open", "-is_fast_track", "-is_special_group", "due_at")


def complaints(*, fetched_by: Principal, overdue_at: dt.datetime | None = None) -> QuerySet[Complaint]:
    """The cases `fetched_by` may read, most urgent first; `overdue_at`: only those past their deadline then."""
    require(fetched_by, VIEW, message=_("Your role may not read complaints."))
    qs = readable(
        visible(Complaint.objects.select_related("outlet", "handler", "staff"), fetched_by), fetched_by
    )
    if overdue_at is not None:
        qs = qs.filter(Q(closed_at__isnull=True, due_at__lt=overdue_at) | Q(closed_at__gt=F("due_at")))
    return qs.order_by(*URGENT_FIRST, "-pk")


def complaint(*, fetched_by: Principal, pk: int | None = None, reference: str | None = None) -> Complaint:
    """One case by id or reference; NotFound when missing, outside the scope or not the reader's to know."""
    require(fetched_by, VIEW, message=_("Your role may not read complaints."))
    base = Complaint.objects.select_related("outlet", "handler", "staff", "customer")
    lookup = {"pk": pk} if pk is not None else {"reference": reference}
    found: Complaint = get_visible(readable(base, fetched_by), fetched_by, **lookup)
    return found


_complaint = complaint


def extension(*, fetched_by: Principal, pk: int) -> Extension:
    require(fetched_by, VIEW, message=_("Your role may not read complaints."))
    found: Extension = get_visible(Extension.objects.select_related("complaint__outlet"), fetched_by, pk=pk)
    complaint(fetched_by=fetched_by, pk=found.complaint_id)  # need-to-know of the case
    return found


def alerts(*, fetched_by: Principal, open_only: bool = True) -> QuerySet[Alert]:
    require(fetched_by, "complaints.view_alert", message=_("Your role may not read complaints."))
    qs = visible(Alert.objects.select_related("complaint", "org_unit"), fetched_by)
    rule = _need_to_know(fetched_by, "complaint__")
    if rule is not None:
        qs = qs.filter(rule)
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def alert(*, fetched_by: Principal, pk: int) -> Alert:
    found = alerts(fetched_by=fetched_by, open_only=False).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def typical_cases(*, fetched_by: Principal) -> QuerySet[TypicalCase]:
    require(fetched_by, "complaints.view_typicalcase", message=_("Your role may not read the case library."))
    return visible(TypicalCase.objects.select_related("outlet"), fetched_by)


def codes(*, fetched_by: Principal, dimension: str, leaves_only: bool = True) -> QuerySet[ClassificationCode]:
    """The active codes of one dimension (JR/T 0169); a case is coded with a leaf (a code without children)."""
    if not _any_complaint_right(fetched_by):
        require(fetched_by, VIEW)
    qs = ClassificationCode.objects.filter(dimension=dimension, is_active=True)
    if leaves_only:
        qs = qs.exclude(Exists(ClassificationCode.objects.filter(parent=OuterRef("pk"), is_active=True)))
    return qs.order_by("code")


def _any_complaint_right(principal: Principal) -> bool:
    from fuwu.core.access import has

    return has(principal, VIEW) or has(principal, "complaints.add_complaint")


def code_names(*, fetched_by: Principal) -> dict[tuple[str, str], str]:
    """(dimension, code) → name, for labels and exports (the typical-case library's readers too)."""
    from fuwu.core.access import has

    if not (_any_complaint_right(fetched_by) or has(fetched_by, "complaints.view_typicalcase")):
        require(fetched_by, VIEW)
    return {(c.dimension, c.code): c.name for c in ClassificationCode.objects.all()}


def handlers_for(
    *, fetched_by: Principal, complaint: Complaint, exclude_conflicted: bool = True
) -> QuerySet[User]:
    """Active staff who may take a case the principal can see: in its unit or above (minus 回避 by default)."""
    case = _complaint(fetched_by=fetched_by, pk=complaint.pk)
    units = [case.outlet, *case.outlet.get_ancestors()]
    qs = User.objects.filter(is_active=True, org_unit__in=units).select_related("org_unit")
    if exclude_conflicted and case.staff_id:
        qs = qs.exclude(pk=case.staff_id)
    # The case's own unit first (its handlers are who normally take it), then the units above.
    own = Case(When(org_unit_id=case.outlet_id, then=Value(0)), default=Value(1))
    return qs.annotate(own_unit=own).order_by("own_unit", "display_name")


def remediations(*, fetched_by: Principal, complaint: Complaint) -> list[defects.TaskView]:
    """The case's tasks in the rectification ledger (the upheld decision's and the handler's), as the viewer may
    see them: the case must be readable, and the ledger shows only tasks of units the viewer sees (#14)."""
    case = _complaint(fetched_by=fetched_by, pk=complaint.pk)
    return defects.tasks_for(
        fetched_by=fetched_by, source_kind=defects.SourceKind.COMPLAINT, source_id=str(case.pk)
    )


def staff_member(*, fetched_by: Principal, staff_code: str) -> User:
    """A staff member the principal can see, by staff code (for the staff complained about / accountable)."""
    require(fetched_by, VIEW, message=_("Your role may not read complaints."))
    found: User = get_visible(User.objects.filter(is_active=True), fetched_by, staff_code=staff_code)
    return found


def customer(*, fetched_by: Principal, pk: int | None = None, customer_no: str = "") -> Customer:
    """The customer a complaint is about, in the principal's scope (by id or customer number)."""
    if not _any_complaint_right(fetched_by):
        require(fetched_by, VIEW)
    lookup: dict[str, object] = {"pk": pk} if pk is not None else {"customer_no": customer_no.strip()}
    found: Customer = get_visible(Customer.objects.all(), fetched_by, **lookup)
    return found


def unit(*, fetched_by: Principal, code: str) -> OrgUnit:
    """An org unit in the principal's scope, by code (intake outlet, report scope)."""
    if not _any_complaint_right(fetched_by):
        require(fetched_by, VIEW)
    found: OrgUnit = get_visible(OrgUnit.objects.all(), fetched_by, code=code)
    return found


# --- the case file: timeline and documents (#19) ------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the case timeline: a step (from the audit trail), an alert, or a document."""

    at: dt.datetime
    kind: str  # step | alert | document
    title: str
    detail: str
    who: str
    attachment_id: int | None = None


# Reads and downloads are in the audit trail but are not steps of the case; a document has its own line.
_NOT_STEPS = (
    "complaint.attach",
    "complaint.document_download",
    "complaint.letter_download",
    "complaint.read",
    "pii.reveal",
)


def timeline(*, fetched_by: Principal, complaint: Complaint) -> list[TimelineEntry]:
    """Every step, alert and document of a case the principal may read, newest first."""
    from fuwu.core.links import action_label
    from fuwu.core.models import AuditEvent

    case = _complaint(fetched_by=fetched_by, pk=complaint.pk)
    targets = Q(target_type="complaints.complaint", target_id=str(case.pk))
    extension_keys = [str(pk) for pk in case.extensions.values_list("pk", flat=True)]
    if extension_keys:
        targets |= Q(target_type="complaints.extension", target_id__in=extension_keys)
    prefix = f"{Complaint._meta.verbose_name} · "
    events = AuditEvent.objects.filter(targets).exclude(action__in=_NOT_STEPS).select_related("actor")
    entries = [
        TimelineEntry(
            e.at,
            "step",
            # On the case's own page "投诉 · 作出处理决定" says "投诉" once too often.
            action_label(e.action).removeprefix(prefix),
            _step_detail(e.data),
            str(e.actor) if e.actor is not None else e.actor_label,
        )
        for e in events.order_by("-at", "-pk")[:500]
    ]
    entries += [
        TimelineEntry(a.created_at, "alert", str(a.get_kind_display()), a.message, a.org_unit.name)
        for a in case.alerts.select_related("org_unit")
    ]
    entries += [
        TimelineEntry(
            d.uploaded_at,
            "document",
            str(d.get_kind_display()),
            d.name + (f" · {d.note}" if d.note else ""),
            str(d.uploaded_by or ""),
            attachment_id=d.pk,
        )
        for d in case.attachments.select_related("uploaded_by")
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _step_detail(data: dict[str, object]) -> str:
    """What a step's audit row adds that a person reads: a reason or note, never ids or codes."""
    for key in ("reason", "note", "text", "root_cause"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def attachment(*, fetched_by: Principal, pk: int) -> Attachment:
    """One case document, for a reader of its case (need-to-know); NotFound otherwise."""
    require(fetched_by, VIEW, message=_("Your role may not read complaints."))
    found: Attachment = get_visible(Attachment.objects.select_related("complaint__outlet"), fetched_by, pk=pk)
    _complaint(fetched_by=fetched_by, pk=found.complaint_id)  # need-to-know of the case
    return found


def default_handler(*, fetched_by: Principal, complaint: Complaint) -> User | None:
    """Who the assignment form offers first: a complaint handler of the case's own unit, else of the nearest
    unit above it that has one (an outlet often has none; its sub-branch handles its cases) (#19)."""
    handlers = list(
        handlers_for(fetched_by=fetched_by, complaint=complaint).filter(groups__name=COMPLAINT_HANDLER)
    )
    own = complaint.handling_unit or complaint.outlet
    for unit in [own, *reversed(list(own.get_ancestors()))]:
        found = next((h for h in handlers if h.org_unit_id == unit.pk), None)
        if found is not None:
            return found
    return handlers[0] if handlers else None
