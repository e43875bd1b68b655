"""Complaint endpoints: intake, classification suggestions, every transition, alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from fuwu.complaints import selectors, services, stats
from fuwu.complaints.models import Alert, Complaint
from fuwu.core import clock
from fuwu.core.errors import Forbidden, NotFound, ValidationFailed
from fuwu.core.models import User
from fuwu.core.scoping import get_visible
from fuwu.customers.models import Customer

router = Router(tags=["complaints"])


class CodeOut(Schema):
    dimension: str
    code: str
    name: str
    parent: str | None


class ComplaintIn(Schema):
    outlet_code: str
    source: str
    content: str
    complainant_name: str
    channel_code: str
    category_code: str
    reason_code: str
    severity: str = "normal"
    tags: list[str] = []
    customer_id: int | None = None
    phone: str = ""
    staff_code: str | None = None
    product: str = ""
    demand: str = ""
    day_basis: str = "calendar"
    representatives: int = 1
    regulator_due_date: dt.date | None = None
    resubmission_of: int | None = None
    new_facts: bool = False


class ComplaintOut(Schema):
    id: int
    reference: str
    outlet_code: str
    status: str
    severity: str
    tags: list[str]
    is_fast_track: bool
    is_special_group: bool
    channel_code: str
    category_code: str
    reason_code: str
    received_at: dt.datetime
    due_at: dt.datetime
    regulator_due_at: dt.datetime | None
    closed_at: dt.datetime | None
    handler: str | None
    merged_into: str | None
    extension_level: int
    paused: bool
    phone_masked: str


class ClockOut(Schema):
    start: dt.date
    due: dt.date
    limit_days: int
    used_days: int
    remaining_days: int
    state: str


class DetailOut(ComplaintOut):
    content: str
    root_cause: str
    clock: ClockOut


class SuggestIn(Schema):
    text: str


class SuggestionOut(Schema):
    dimension: str
    code: str
    name: str
    probability: float


class AssignIn(Schema):
    handler_username: str


class TextIn(Schema):
    reason: str


class PauseIn(Schema):
    reason: str
    customer_notified: bool = False


class ExtensionOut(Schema):
    id: int
    level: int
    state: str


class ExtensionDecideIn(Schema):
    approve: bool
    customer_notified: bool = False


class InvestigateIn(Schema):
    root_cause: str


class DecideIn(Schema):
    facts: str
    basis: str
    remedy: str = ""
    upheld: bool = False


class ReplyIn(Schema):
    method: str
    text: str


class RevisitIn(Schema):
    satisfaction: str
    note: str = ""
    reopen: bool = False


class AlertOut(Schema):
    id: int
    kind: str
    step: str
    message: str
    org_unit_code: str
    complaint_id: int
    created_at: dt.datetime


def _who(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _reader(request: HttpRequest) -> Any:
    """The principal of a read endpoint, if its role may read complaints (the pages check the same).

    Scoping alone is not enough: a device token or a trainer of the outlet sees the outlet's rows."""
    principal = _who(request)
    if not principal.has_perm("complaints.view_complaint"):
        raise Forbidden("Your role may not read complaints.")
    return principal


def _alert_out(a: Alert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "step": a.step,
        "message": a.message,
        "org_unit_code": a.org_unit.code,
        "complaint_id": a.complaint_id,
        "created_at": a.created_at,
    }


def _out(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "outlet_code": c.outlet.code,
        "status": c.status,
        "severity": c.severity,
        "tags": c.tags,
        "is_fast_track": c.is_fast_track,
        "is_special_group": c.is_special_group,
        "channel_code": c.channel_code,
        "category_code": c.category_code,
        "reason_code": c.reason_code,
        "received_at": c.received_at,
        "due_at": c.due_at,
        "regulator_due_at": c.regulator_due_at,
        "closed_at": c.closed_at,
        "handler": c.handler.username if c.handler else None,
        "merged_into": c.merged_into.reference if c.merged_into else None,
        "extension_level": c.extension_level,
        "paused": c.paused_since is not None,
        "phone_masked": c.phone_masked,
    }


def _detail(c: Complaint) -> dict[str, Any]:
    state = services.clock_state(c)
    return {
        **_out(c),
        "content": c.content,
        "root_cause": c.root_cause,
        "clock": {
            "start": state.start,
            "due": state.due,
            "limit_days": state.limit_days,
            "used_days": state.used_days,
            "remaining_days": state.remaining_days,
            "state": state.state,
        },
    }


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(selectors.complaint(_who(request), pk))


@router.get("/complaints/codes", response=list[CodeOut])
def codes(request: HttpRequest, dimension: str = "category") -> list[dict[str, Any]]:
    return [
        {
            "dimension": c.dimension,
            "code": c.code,
            "name": c.name,
            "parent": c.parent.code if c.parent else None,
        }
        for c in selectors.codes(dimension).select_related("parent")
    ]


@router.post("/complaints/suggest", response=list[SuggestionOut])
def suggest(request: HttpRequest, payload: SuggestIn) -> list[dict[str, Any]]:
    from fuwu.complaints import classifier

    names = selectors.code_names()
    return [
        {
            "dimension": s.dimension,
            "code": s.code,
            "name": names.get((s.dimension, s.code), s.code),
            "probability": s.probability,
        }
        for s in classifier.suggest(payload.text, top=3)
    ]


@router.post("/complaints", response={201: DetailOut})
def register(request: HttpRequest, payload: ComplaintIn) -> tuple[int, dict[str, Any]]:
    principal = _who(request)
    outlet = selectors.unit(principal, payload.outlet_code)
    customer = (
        get_visible(Customer.objects.all(), principal, pk=payload.customer_id)
        if payload.customer_id
        else None
    )
    staff = None
    if payload.staff_code:
        try:
            staff = get_visible(User.objects.all(), principal, staff_code=payload.staff_code)
        except NotFound as exc:
            raise ValidationFailed(
                "Unknown staff code.", details=[{"field": "staff_code", "reason": "unknown"}]
            ) from exc
    original = selectors.complaint(principal, payload.resubmission_of) if payload.resubmission_of else None
    complaint = services.complaint_register(
        actor=principal,
        outlet=outlet,
        source=payload.source,
        content=payload.content,
        complainant_name=payload.complainant_name,
        channel_code=payload.channel_code,
        category_code=payload.category_code,
        reason_code=payload.reason_code,
        severity=payload.severity,
        tags=payload.tags,
        customer=customer,
        phone=payload.phone,
        staff=staff,
        product=payload.product,
        demand=payload.demand,
        day_basis=payload.day_basis,
        representatives=payload.representatives,
        regulator_due_date=payload.regulator_due_date,
        resubmission_of=original,
        new_facts=payload.new_facts,
    )
    return 201, _detail(complaint)


@router.get("/complaints", response=list[ComplaintOut])
def list_complaints(
    request: HttpRequest, status: str | None = None, q: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    qs = selectors.complaints(_reader(request), status=status, q=q)
    return [_out(c) for c in qs.select_related("merged_into")[: min(limit, 500)]]


@router.get("/complaints/alerts", response=list[AlertOut])
def alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_alert_out(a) for a in selectors.alerts(_reader(request))[:200]]


@router.get("/complaints/{pk}", response=DetailOut)
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(selectors.complaint(_reader(request), pk))


@router.post("/complaints/{pk}/assign", response=DetailOut)
def assign(request: HttpRequest, pk: int, payload: AssignIn) -> dict[str, Any]:
    principal = _who(request)
    complaint = selectors.complaint(principal, pk)
    handler = (
        selectors.handlers_for(principal, complaint, exclude_conflicted=False)
        .filter(username=payload.handler_username)
        .first()
    )
    if handler is None:
        raise NotFound()
    services.complaint_assign(actor=principal, complaint=complaint, handler=handler)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/investigate", response=DetailOut)
def investigate(request: HttpRequest, pk: int, payload: InvestigateIn) -> dict[str, Any]:
    services.complaint_investigate(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        root_cause=payload.root_cause,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/extensions", response={201: ExtensionOut})
def extension_request(request: HttpRequest, pk: int, payload: TextIn) -> tuple[int, dict[str, Any]]:
    ext = services.complaint_extension_request(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        reason=payload.reason,
    )
    return 201, {"id": ext.pk, "level": ext.level, "state": ext.state}


@router.post("/complaints/extensions/{ext_id}/decide", response=ExtensionOut)
def extension_decide(request: HttpRequest, ext_id: int, payload: ExtensionDecideIn) -> dict[str, Any]:
    ext = selectors.extension(_who(request), ext_id)
    services.complaint_extension_decide(
        actor=_who(request),
        extension=ext,
        approve=payload.approve,
        customer_notified=payload.customer_notified,
    )
    return {"id": ext.pk, "level": ext.level, "state": ext.state}


@router.post("/complaints/{pk}/pause", response=DetailOut)
def pause(request: HttpRequest, pk: int, payload: PauseIn) -> dict[str, Any]:
    services.complaint_pause(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        reason=payload.reason,
        customer_notified=payload.customer_notified,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/resume", response=DetailOut)
def resume(request: HttpRequest, pk: int) -> dict[str, Any]:
    services.complaint_resume(actor=_who(request), complaint=selectors.complaint(_who(request), pk))
    return _fresh(request, pk)


@router.post("/complaints/{pk}/withdraw", response=DetailOut)
def withdraw(request: HttpRequest, pk: int, payload: TextIn) -> dict[str, Any]:
    services.complaint_withdraw(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        reason=payload.reason,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/decide", response=DetailOut)
def decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict[str, Any]:
    services.complaint_decide(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        facts=payload.facts,
        basis=payload.basis,
        remedy=payload.remedy,
        upheld=payload.upheld,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/reply", response=DetailOut)
def reply(request: HttpRequest, pk: int, payload: ReplyIn) -> dict[str, Any]:
    services.complaint_reply(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        method=payload.method,
        text=payload.text,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/revisit", response=DetailOut)
def revisit(request: HttpRequest, pk: int, payload: RevisitIn) -> dict[str, Any]:
    services.complaint_revisit(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        satisfaction=payload.satisfaction,
        note=payload.note,
        reopen=payload.reopen,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/review", response=DetailOut)
def review(request: HttpRequest, pk: int, payload: TextIn) -> dict[str, Any]:
    services.complaint_request_review(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        reason=payload.reason,
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/review-decision", response=DetailOut)
def review_decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict[str, Any]:
    services.complaint_review_decide(
        actor=_who(request),
        complaint=selectors.complaint(_who(request), pk),
        facts=payload.facts,
        basis=payload.basis,
        remedy=payload.remedy,
        upheld=payload.upheld,
    )
    return _fresh(request, pk)


class ReclassifyIn(Schema):
    channel_code: str
    category_code: str
    reason_code: str
    severity: str


class RemediationIn(Schema):
    action: str
    owner_username: str
    due_date: dt.date
    accountable_staff_code: str | None = None
    accountability_note: str = ""


class TypicalCaseIn(Schema):
    polarity: str
    title: str
    lesson: str = ""


class TypicalCaseOut(Schema):
    id: int
    polarity: str
    title: str
    text: str
    lesson: str
    category_code: str


class StatsOut(Schema):
    received: int
    closed: int
    on_time: int
    on_time_rate: float | None
    per_thousand_outlets: float | None
    per_ten_million_customers: float | None
    avg_cycle_days: float | None
    avg_cycle_business_days: float | None
    by_dimension: dict[str, list[tuple[str, str, int]]]


class HotspotOut(Schema):
    key: str
    label: str
    recent: int
    baseline_per_window: float
    score: float


@router.post("/complaints/{pk}/reclassify", response=DetailOut)
def reclassify(request: HttpRequest, pk: int, payload: ReclassifyIn) -> dict[str, Any]:
    services.complaint_reclassify(
        actor=_who(request), complaint=selectors.complaint(_who(request), pk), **payload.dict()
    )
    return _fresh(request, pk)


@router.post("/complaints/{pk}/remediations", response={201: dict[str, Any]})
def remediation(request: HttpRequest, pk: int, payload: RemediationIn) -> tuple[int, dict[str, Any]]:
    principal = _who(request)
    complaint = selectors.complaint(principal, pk)
    owner = selectors.handlers_for(principal, complaint).filter(username=payload.owner_username).first()
    if owner is None:
        raise NotFound()
    accountable = (
        get_visible(User.objects.all(), principal, staff_code=payload.accountable_staff_code)
        if payload.accountable_staff_code
        else None
    )
    task = services.remediation_create(
        actor=principal,
        complaint=complaint,
        action=payload.action,
        owner=owner,
        due_date=payload.due_date,
        accountable_staff=accountable,
        accountability_note=payload.accountability_note,
    )
    return 201, {"id": task.pk, "due_date": task.due_date.isoformat()}


@router.post("/complaints/{pk}/typical-case", response={201: TypicalCaseOut})
def typical_case(request: HttpRequest, pk: int, payload: TypicalCaseIn) -> tuple[int, Any]:
    principal = _who(request)
    case = services.typical_case_create(
        actor=principal,
        complaint=selectors.complaint(principal, pk),
        polarity=payload.polarity,
        title=payload.title,
        lesson=payload.lesson,
    )
    return 201, case


@router.post("/complaints/alerts/{alert_id}/ack", response=AlertOut)
def alert_ack(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return _alert_out(
        services.alert_acknowledge(actor=_who(request), alert=selectors.alert(_reader(request), alert_id))
    )


@router.get("/complaints-stats/quarter", response=StatsOut)
def quarter_stats(request: HttpRequest, year: int, quarter: int, unit: str | None = None) -> Any:
    if quarter not in (1, 2, 3, 4):
        raise ValidationFailed("A quarter is 1 to 4.", details=[{"field": "quarter", "reason": str(quarter)}])
    principal = _reader(request)
    scope = selectors.unit(principal, unit) if unit else None
    return stats.regulator_stats(principal, year=year, quarter=quarter, unit=scope)


@router.get("/complaints-stats/hotspots", response=dict[str, list[HotspotOut]])
def hotspots(request: HttpRequest, as_of: dt.date | None = None, unit: str | None = None) -> Any:
    principal = _reader(request)
    scope = selectors.unit(principal, unit) if unit else None
    return stats.hotspots(principal, as_of=as_of or clock.today(), unit=scope)
