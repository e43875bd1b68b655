"""Complaint endpoints: intake, classification suggestions, every transition, alerts, the full phone number.

Handlers check nothing themselves: selectors check reads (with need-to-know), services check writes; the
request bodies are the schemas the pages parse too (schemas.py), and `actions.py` resolves references for both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from fuwu.complaints import actions, deadlines, schemas, selectors, services, stats, worklist
from fuwu.complaints.codes import current_codes
from fuwu.complaints.models import Alert, Complaint
from fuwu.core import clock, transitions
from fuwu.core import services as core_services
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.openapi import raises
from fuwu.core.principals import Principal

router = Router(tags=["complaints"])


class CodeOut(Schema):
    dimension: str
    code: str
    name: str
    parent: str | None


class ActionOut(Schema):
    name: str
    label: str


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
    major_basis: str
    calendar_unknown: bool


class ComplaintStateCountOut(Schema):
    state: str
    label: str
    count: int


class ComplaintPageOut(Schema):
    count: int  # every case the query matches
    page: int
    pages: int
    counts: list[ComplaintStateCountOut]  # per state, the other filters applied
    results: list[ComplaintOut]


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
    actions: list[ActionOut]


class SuggestionOut(Schema):
    dimension: str
    code: str
    name: str
    probability: float


class ExtensionOut(Schema):
    id: int
    level: int
    state: str


class AlertOut(Schema):
    id: int
    kind: str
    step: str
    message: str
    org_unit_code: str
    complaint_id: int
    created_at: dt.datetime


class PhoneOut(Schema):
    phone: str


def _who(request: HttpRequest) -> Principal:
    return request_principal(request)


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
        "major_basis": c.major_basis,
        "calendar_unknown": c.calendar_unknown,
    }


def _detail(c: Complaint, principal: Principal) -> dict[str, Any]:
    state = deadlines.clock_state(c)
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
        "actions": transitions.actions_json(c, principal),
    }


def _fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    principal = _who(request)
    return _detail(selectors.complaint(fetched_by=principal, pk=pk), principal)


def _step(request: HttpRequest, pk: int, name: str, payload: Schema) -> Any:
    principal = _who(request)
    return actions.STEPS[name].run(principal, selectors.complaint(fetched_by=principal, pk=pk), payload)


@router.get("/complaints/codes", response=list[CodeOut])
def codes(request: HttpRequest, dimension: str = "category") -> list[dict[str, Any]]:
    return [
        {
            "dimension": c.dimension,
            "code": c.code,
            "name": c.name,
            "parent": c.parent.code if c.parent else None,
        }
        for c in selectors.codes(
            fetched_by=_who(request), dimension=dimension, leaves_only=False
        ).select_related("parent")
    ]


@router.post("/complaints/suggest", response=list[SuggestionOut])
def suggest(request: HttpRequest, payload: schemas.SuggestIn) -> list[dict[str, Any]]:
    from fuwu.complaints import classifier

    names = selectors.code_names(fetched_by=_who(request))
    current = current_codes()
    found = []
    for s in classifier.suggest(payload.text, top=3):
        # The model speaks seed keys; the table says which code carries each one now.
        code = s.code if s.dimension == "severity" else current.get((s.dimension, s.code))
        if code is not None:
            found.append(
                {
                    "dimension": s.dimension,
                    "code": code,
                    "name": names.get((s.dimension, code), code),
                    "probability": s.probability,
                }
            )
    return found


@router.post("/complaints", response={201: DetailOut})
def register(request: HttpRequest, payload: schemas.ComplaintIn) -> tuple[int, dict[str, Any]]:
    principal = _who(request)
    complaint = actions.register(principal, payload)
    return 201, _detail(complaint, principal)


@router.get("/complaints", response=ComplaintPageOut)
def list_complaints(request: HttpRequest, query: Query[schemas.ComplaintListIn]) -> dict[str, Any]:
    """The case list page's query and rows: most urgent first, paged, with the count per state (#19)."""
    found = worklist.case_list(request, query, principal=_who(request))
    return {
        "count": found.total,
        "page": found.page.number,
        "pages": found.page.paginator.num_pages,
        "counts": [{"state": c.value, "label": str(c.label), "count": c.count} for c in found.counts],
        "results": [_out(c) for c in found.rows],
    }


@router.get("/complaints/alerts", response=list[AlertOut])
def alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_alert_out(a) for a in selectors.alerts(fetched_by=_who(request))[:200]]


@router.get("/complaints/{pk}", response=DetailOut)
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _fresh(request, pk)


@router.post("/complaints/{pk}/reveal-phone", response=PhoneOut)
def reveal_phone(request: HttpRequest, pk: int) -> dict[str, str]:
    """The full phone number, for roles with core.view_full_pii (handlers, auditors); each reveal is audited."""
    principal = _who(request)
    c = selectors.complaint(fetched_by=principal, pk=pk)
    return {"phone": core_services.pii_reveal(actor=principal, obj=c, field="phone", org_unit=c.outlet)}


@router.post("/complaints/{pk}/assign", response=DetailOut)
@raises(Conflict)
def assign(request: HttpRequest, pk: int, payload: schemas.AssignIn) -> dict[str, Any]:
    _step(request, pk, "assign", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/investigate", response=DetailOut)
@raises(Conflict)
def investigate(request: HttpRequest, pk: int, payload: schemas.InvestigateIn) -> dict[str, Any]:
    _step(request, pk, "investigate", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/extensions", response={201: ExtensionOut})
@raises(Conflict)
def extension_request(
    request: HttpRequest, pk: int, payload: schemas.ExtensionRequestIn
) -> tuple[int, dict[str, Any]]:
    ext = _step(request, pk, "extension_request", payload)
    return 201, {"id": ext.pk, "level": ext.level, "state": ext.state}


@router.post("/complaints/extensions/{ext_id}/decide", response=ExtensionOut)
@raises(Conflict)
def extension_decide(request: HttpRequest, ext_id: int, payload: schemas.ExtensionDecideIn) -> dict[str, Any]:
    principal = _who(request)
    ext = services.complaint_extension_decide(
        actor=principal,
        extension=selectors.extension(fetched_by=principal, pk=ext_id),
        approve=payload.approve,
        customer_notified=payload.customer_notified,
    )
    return {"id": ext.pk, "level": ext.level, "state": ext.state}


@router.post("/complaints/{pk}/pause", response=DetailOut)
@raises(Conflict)
def pause(request: HttpRequest, pk: int, payload: schemas.PauseIn) -> dict[str, Any]:
    _step(request, pk, "pause", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/resume", response=DetailOut)
@raises(Conflict)
def resume(request: HttpRequest, pk: int, payload: schemas.ResumeIn | None = None) -> dict[str, Any]:
    _step(request, pk, "resume", payload or schemas.ResumeIn())
    return _fresh(request, pk)


@router.post("/complaints/{pk}/withdraw", response=DetailOut)
@raises(Conflict)
def withdraw(request: HttpRequest, pk: int, payload: schemas.WithdrawIn) -> dict[str, Any]:
    _step(request, pk, "withdraw", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/decide", response=DetailOut)
@raises(Conflict)
def decide(request: HttpRequest, pk: int, payload: schemas.DecideIn) -> dict[str, Any]:
    _step(request, pk, "decide", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/reply", response=DetailOut)
@raises(Conflict)
def reply(request: HttpRequest, pk: int, payload: schemas.ReplyIn) -> dict[str, Any]:
    _step(request, pk, "reply", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/revisit", response=DetailOut)
@raises(Conflict)
def revisit(request: HttpRequest, pk: int, payload: schemas.RevisitIn) -> dict[str, Any]:
    _step(request, pk, "revisit", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/review", response=DetailOut)
@raises(Conflict)
def review(request: HttpRequest, pk: int, payload: schemas.ReviewRequestIn) -> dict[str, Any]:
    _step(request, pk, "review_request", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/review-decision", response=DetailOut)
@raises(Conflict)
def review_decide(request: HttpRequest, pk: int, payload: schemas.DecideIn) -> dict[str, Any]:
    _step(request, pk, "review_decide", payload)
    return _fresh(request, pk)


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
    # Each row is [code, name, count]. Not a tuple type: its `prefixItems` trips schemathesis's
    # schema validator, and a client reads the same JSON either way.
    by_dimension: dict[str, list[list[str | int]]]


class HotspotOut(Schema):
    key: str
    label: str
    recent: int
    baseline_per_window: float
    score: float


@router.post("/complaints/{pk}/reclassify", response=DetailOut)
@raises(Conflict)
def reclassify(request: HttpRequest, pk: int, payload: schemas.ReclassifyIn) -> dict[str, Any]:
    _step(request, pk, "reclassify", payload)
    return _fresh(request, pk)


@router.post("/complaints/{pk}/remediations", response={201: dict[str, Any]})
@raises(Conflict)
def remediation(request: HttpRequest, pk: int, payload: schemas.RemediationIn) -> tuple[int, dict[str, Any]]:
    """A further remediation task in the rectification ledger (refused before a decision)."""
    task = _step(request, pk, "remediation_create", payload)
    return 201, {"id": task.id, "due_date": task.due.isoformat(), "state": task.state, "url": task.url}


@router.post("/complaints/{pk}/typical-case", response={201: TypicalCaseOut})
@raises(Conflict)
def typical_case(request: HttpRequest, pk: int, payload: schemas.TypicalCaseIn) -> tuple[int, Any]:
    return 201, _step(request, pk, "typical_case_create", payload)


@router.post("/complaints/alerts/{alert_id}/ack", response=AlertOut)
def alert_ack(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    principal = _who(request)
    return _alert_out(
        services.alert_acknowledge(actor=principal, alert=selectors.alert(fetched_by=principal, pk=alert_id))
    )


class QuarterStatsQuery(Schema):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    unit: str | None = Field(None, max_length=32)


@router.get("/complaints-stats/quarter", response=StatsOut)
@raises(NotFound)
def quarter_stats(request: HttpRequest, q: Query[QuarterStatsQuery]) -> Any:
    principal = _who(request)
    scope = selectors.unit(fetched_by=principal, code=q.unit) if q.unit else None
    return stats.regulator_stats(fetched_by=principal, year=q.year, quarter=q.quarter, unit=scope)


@router.get("/complaints-stats/hotspots", response=dict[str, list[HotspotOut]])
@raises(NotFound)
def hotspots(request: HttpRequest, as_of: dt.date | None = None, unit: str | None = None) -> Any:
    principal = _who(request)
    scope = selectors.unit(fetched_by=principal, code=unit) if unit else None
    return stats.hotspots(fetched_by=principal, as_of=as_of or clock.today(), unit=scope)
