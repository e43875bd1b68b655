"""The inspection API (a tablet or phone app is a real client). Writes honour Idempotency-Key (core middleware)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from fuwu.core import clock, transitions
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.inputs import NonEmptyFile
from fuwu.core.models import OrgUnit, User
from fuwu.core.openapi import raises
from fuwu.core.principals import Principal
from fuwu.inspections import selectors, services, xlsx
from fuwu.inspections.models import Inspection, RectificationTask
from fuwu.inspections.schemas import (
    AppealIn,
    EvidenceIn,
    InspectionPlanIn,
    LedgerQuery,
    NoteIn,
    ObserveIn,
    PieceRateQuery,
    RectificationDecideIn,
    ReopenIn,
    ResponseIn,
    ScheduleIn,
    StartIn,
    TemplateIn,
)

router = Router(tags=["inspections"])


class ActionOut(Schema):
    name: str
    label: str


class ItemOut(Schema):
    id: int
    section: str
    code: str
    text: str
    guidance: str
    weight: int
    response: str
    max_points: int
    critical: bool
    photo_required: bool
    severity: str
    position: int | None


class TemplateOut(Schema):
    code: str
    name: str
    description: str
    version: int
    items: list[ItemOut]


class TemplateSummaryOut(Schema):
    code: str
    name: str
    version: int | None


class AnswerOut(Schema):
    item_id: int
    result: str
    points: int | None
    note: str
    staff_id: int | None
    position: int | None
    revision: int
    photos: list[int]
    finding: bool


class InspectionOut(Schema):
    id: int
    outlet_code: str
    outlet_name: str
    template_code: str
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    planned_for: dt.date | None
    visit_date: dt.date | None
    supervisor_id: int
    score: Decimal | None
    band: str
    band_label: str
    critical_failed: bool
    actions: list[ActionOut]


class InspectionDetailOut(InspectionOut):
    answers: list[AnswerOut]
    recheck: list[int]


class TaskOut(Schema):
    id: int
    source_kind: str
    source_label: str
    source_id: str
    label: str
    url: str
    unit_code: str
    unit_name: str
    severity: str
    status: str
    status_label: str
    owner: str
    due: dt.date
    overdue: bool
    escalation_level: int
    recheck_at_next_inspection: bool
    evidence: str
    appeal_reason: str
    appeal_decision: str
    actions: list[ActionOut]


class PhotoOut(Schema):
    id: int
    sha256: str
    size: int
    width: int
    height: int
    taken_at: dt.datetime | None
    content_type: str


def _inspection_out(i: Inspection, who: Principal) -> dict[str, object]:
    return {
        "id": i.pk,
        "outlet_code": i.outlet.code,
        "outlet_name": i.outlet.name,
        "template_code": i.version.template.code,
        "version": i.version.number,
        "kind": i.kind,
        "kind_label": str(i.get_kind_display()),
        "status": i.status,
        "status_label": str(i.get_status_display()),
        "planned_for": i.planned_for,
        "visit_date": i.visit_date,
        "supervisor_id": i.supervisor_id,
        "score": i.score,
        "band": i.band,
        "band_label": str(i.get_band_display()) if i.band else "",
        "critical_failed": i.critical_failed,
        "actions": transitions.actions_json(i, who),
    }


def _detail(i: Inspection, who: Principal) -> dict[str, object]:
    lines = selectors.inspection_lines(fetched_by=who, inspection_obj=i)
    answers = [
        {
            "item_id": line.item.pk,
            "result": line.response.result,
            "points": line.response.points,
            "note": line.response.note,
            "staff_id": line.response.staff_id,
            "position": line.response.position,
            "revision": line.response.revision,
            "photos": [p.pk for p in line.photos],
            "finding": line.finding is not None and not line.finding.removed,
        }
        for line in lines
        if line.response is not None
    ]
    recheck: list[int] = []
    if i.status == Inspection.Status.IN_PROGRESS:
        recheck = [t.pk for t in selectors.recheck_items(fetched_by=who, outlet=i.outlet)]
    return {**_inspection_out(i, who), "answers": answers, "recheck": recheck}


def _task_out(t: RectificationTask, who: Principal) -> dict[str, object]:
    return {
        "id": t.pk,
        "source_kind": t.source_kind,
        "source_label": str(t.get_source_kind_display()),
        "source_id": t.source_id,
        "label": t.label,
        "url": t.url,
        "unit_code": t.unit.code,
        "unit_name": t.unit.name,
        "severity": t.severity,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "owner": (t.owner.display_name or t.owner.username) if t.owner else "",
        "due": t.due,
        "overdue": t.is_overdue,
        "escalation_level": t.escalation_level,
        "recheck_at_next_inspection": t.recheck_at_next_inspection,
        "evidence": t.evidence,
        "appeal_reason": t.appeal_reason,
        "appeal_decision": t.appeal_decision,
        "actions": transitions.actions_json(t, who),
    }


def _unit(who: Principal, code: str) -> OrgUnit:
    from fuwu.core import scoping

    return scoping.get_visible(OrgUnit.objects.all(), who, code=code)


# --- templates ---


@router.get("/inspections/templates", response=list[TemplateSummaryOut])
def templates(request: HttpRequest) -> list[dict[str, object]]:
    who = request_principal(request)
    return [
        {"code": t.code, "name": t.name, "version": v.number if v else None}
        for t, v in selectors.templates_list(fetched_by=who)
    ]


@router.post("/inspections/templates/import", response={201: TemplateSummaryOut})
def template_import(request: HttpRequest, file: File[NonEmptyFile]) -> tuple[int, dict[str, object]]:
    """A new version from a workbook in the export's layout: all or nothing; a 422 names each bad row and field."""
    who = request_principal(request)
    v = services.template_import_xlsx(actor=who, content=file.read(xlsx.MAX_IMPORT_BYTES + 1))
    return 201, {"code": v.template.code, "name": v.template.name, "version": v.number}


@router.get("/inspections/templates/{code}", response=TemplateOut)
def template(request: HttpRequest, code: str, version: int | None = None) -> dict[str, object]:
    who = request_principal(request)
    v = selectors.template_version(fetched_by=who, code=code, number=version)
    items = selectors.template_items(fetched_by=who, version=v)
    return {
        "code": v.template.code,
        "name": v.template.name,
        "description": v.template.description,
        "version": v.number,
        "items": [
            {**{f: getattr(i, f) for f in ItemOut.model_fields if f != "section"}, "section": i.section.title}
            for i in items
        ],
    }


@router.post("/inspections/templates", response={201: TemplateSummaryOut})
def template_save(request: HttpRequest, payload: TemplateIn) -> tuple[int, dict[str, object]]:
    who = request_principal(request)
    v = services.template_version_create(
        actor=who,
        code=payload.code,
        name=payload.name,
        description=payload.description,
        note=payload.note,
        items=[services.ItemSpec(**i.model_dump()) for i in payload.items],
    )
    return 201, {"code": v.template.code, "name": v.template.name, "version": v.number}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/inspections/templates/{code}/xlsx",
    openapi_extra={
        "responses": {
            200: {"description": "OK", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
def template_export(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """The template version as the Excel workbook the import reads back (the page's export)."""
    who = request_principal(request)
    v = selectors.template_version(fetched_by=who, code=code, number=version)
    response = HttpResponse(
        xlsx.template_workbook(v, selectors.template_items(fetched_by=who, version=v)), XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="template-{v.template.code}-v{v.number}.xlsx"'
    return response


# --- inspections ---


@router.get("/inspections", response=list[InspectionOut])
def inspections(
    request: HttpRequest, status: str = "", kind: str = "", outlet_code: str = ""
) -> list[dict[str, object]]:
    who = request_principal(request)
    rows = selectors.inspections_list(fetched_by=who, status=status, kind=kind, outlet_code=outlet_code)
    return [_inspection_out(i, who) for i in rows]


@router.post("/inspections", response={201: InspectionDetailOut})
@raises(NotFound, Conflict)
def inspection_start_adhoc(request: HttpRequest, payload: StartIn) -> tuple[int, dict[str, object]]:
    who = request_principal(request)
    i = services.inspection_start_adhoc(
        actor=who,
        outlet=_unit(who, payload.outlet_code),
        template_code=payload.template_code,
        kind=payload.kind,
    )
    return 201, _detail(i, who)


@router.post("/inspections/plan", response={201: InspectionOut})
@raises(NotFound, Conflict)
def inspection_plan(request: HttpRequest, payload: InspectionPlanIn) -> tuple[int, dict[str, object]]:
    who = request_principal(request)
    supervisor = User.objects.filter(pk=payload.supervisor_id).first()
    if supervisor is None:
        raise NotFound()
    i = services.inspection_plan(
        actor=who,
        outlet=_unit(who, payload.outlet_code),
        template_code=payload.template_code,
        kind=payload.kind,
        supervisor=supervisor,
        planned_for=payload.planned_for,
    )
    return 201, _inspection_out(i, who)


@router.post("/inspections/schedule", response={201: list[InspectionOut]})
@raises(NotFound)
def inspection_schedule(request: HttpRequest, payload: ScheduleIn) -> tuple[int, list[dict[str, object]]]:
    who = request_principal(request)
    rows = services.schedule_quarter(
        actor=who,
        branch=_unit(who, payload.branch_code),
        quarter=payload.quarter,
        template_code=payload.template_code,
        kind=payload.kind,
    )
    return 201, [_inspection_out(i, who) for i in rows]


@router.get("/inspections/{pk}", response=InspectionDetailOut)
def inspection_detail(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    return _detail(selectors.inspection(fetched_by=who, pk=pk), who)


@router.post("/inspections/{pk}/start", response=InspectionDetailOut)
@raises(Conflict)
def inspection_start(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    i = services.inspection_start(actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk))
    return _detail(i, who)


@router.post("/inspections/{pk}/responses", response=AnswerOut)
@raises(Conflict)
def inspection_response(request: HttpRequest, pk: int, payload: ResponseIn) -> dict[str, object]:
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    r = services.response_save(actor=who, inspection=i, **payload.model_dump())
    return {
        "item_id": r.item_id,
        "result": r.result,
        "points": r.points,
        "note": r.note,
        "staff_id": r.staff_id,
        "position": r.position,
        "revision": r.revision,
        "photos": [],
        "finding": False,
    }


@router.post("/inspections/{pk}/observe", response=InspectionOut)
@raises(Conflict)
def inspection_observe(request: HttpRequest, pk: int, payload: ObserveIn) -> dict[str, object]:
    who = request_principal(request)
    i = services.inspection_observe(
        actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk), **payload.model_dump()
    )
    return _inspection_out(selectors.inspection(fetched_by=who, pk=i.pk), who)


@router.post("/inspections/{pk}/items/{item_id}/photos", response={201: PhotoOut})
@raises(Conflict)
def inspection_photo(
    request: HttpRequest, pk: int, item_id: int, photo: File[NonEmptyFile]
) -> tuple[int, object]:
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    return 201, services.photo_add(
        actor=who, inspection=i, item_id=item_id, content=photo.read(services_limit())
    )


def services_limit() -> int:
    from fuwu.inspections.photos import MAX_BYTES

    return MAX_BYTES + 1  # one byte over the limit is enough to refuse


@router.post("/inspections/{pk}/submit", response=InspectionDetailOut)
@raises(Conflict)
def inspection_submit(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    i = services.inspection_submit(actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk))
    return _detail(i, who)


@router.post("/inspections/{pk}/cancel", response=InspectionOut)
@raises(Conflict)
def inspection_cancel(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    i = services.inspection_cancel(actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk))
    return _inspection_out(i, who)


# --- the ledger ---


@router.get("/rectifications", response=list[TaskOut])
def ledger(request: HttpRequest, filters: Query[LedgerQuery]) -> list[dict[str, object]]:
    who = request_principal(request)
    rows = selectors.ledger(fetched_by=who, filt=selectors.LedgerFilter(**filters.model_dump()))
    return [_task_out(t, who) for t in rows]


@router.get("/rectifications/{pk}", response=TaskOut)
def task(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    return _task_out(selectors.task(fetched_by=who, pk=pk), who)


NO_PHOTOS: list[UploadedFile] = []  # the default of an optional file list (never mutated)


@router.post("/rectifications/{pk}/evidence", response=TaskOut)
@raises(Conflict)
def task_evidence(
    request: HttpRequest,
    pk: int,
    payload: Form[EvidenceIn],
    photo: File[list[UploadedFile]] = NO_PHOTOS,
) -> dict[str, object]:
    """Multipart, as the page's form: the evidence text and any photos (field `photo`, repeatable), checked and
    stored by the same service as the page's upload; one refused photo refuses the whole submission."""
    who = request_principal(request)
    t = services.task_submit_evidence(
        actor=who,
        task=selectors.task(fetched_by=who, pk=pk),
        evidence=payload.evidence,
        photo_files=[p.read(services_limit()) for p in photo],
    )
    return _task_out(t, who)


@router.post("/rectifications/{pk}/verify", response=TaskOut)
@raises(Conflict)
def task_verify(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, object]:
    who = request_principal(request)
    t = services.task_verify(actor=who, task=selectors.task(fetched_by=who, pk=pk), note=payload.note)
    return _task_out(t, who)


@router.post("/rectifications/{pk}/reopen", response=TaskOut)
@raises(Conflict)
def task_reopen(request: HttpRequest, pk: int, payload: ReopenIn) -> dict[str, object]:
    who = request_principal(request)
    t = services.task_reopen(actor=who, task=selectors.task(fetched_by=who, pk=pk), note=payload.note)
    return _task_out(t, who)


@router.post("/rectifications/{pk}/defer", response=TaskOut)
@raises(Conflict)
def task_defer(request: HttpRequest, pk: int) -> dict[str, object]:
    who = request_principal(request)
    t = services.task_defer(actor=who, task=selectors.task(fetched_by=who, pk=pk))
    return _task_out(t, who)


@router.post("/rectifications/{pk}/appeal", response=TaskOut)
@raises(Conflict)
def task_appeal(request: HttpRequest, pk: int, payload: AppealIn) -> dict[str, object]:
    who = request_principal(request)
    t = services.task_appeal(actor=who, task=selectors.task(fetched_by=who, pk=pk), reason=payload.reason)
    return _task_out(t, who)


@router.post("/rectifications/{pk}/decide", response=TaskOut)
@raises(Conflict)
def task_decide(request: HttpRequest, pk: int, payload: RectificationDecideIn) -> dict[str, object]:
    who = request_principal(request)
    t = services.task_appeal_decide(
        actor=who, task=selectors.task(fetched_by=who, pk=pk), uphold=payload.uphold, note=payload.note
    )
    return _task_out(t, who)


# --- supervisors and trends (S4, S5) ---


class SupervisorRosterOut(Schema):
    branch_code: str
    branch_name: str
    supervisors: list[str]
    minimum: int
    gap: int


class PieceRateOut(Schema):
    supervisor_id: int
    supervisor: str
    inspections: int
    findings_verified: int
    findings_open: int
    findings_removed: int
    amount_yuan: int  # verified findings × the piece rate: what payroll pays


class MysteryQuarterOut(Schema):
    quarter: str
    mystery_score: Decimal | None
    satisfaction: float | None  # 满意度 % of the same outlet and quarter (the catalogue's satisfaction)


class MysteryTrendOut(Schema):
    outlet_code: str
    outlet_name: str
    quarters: list[MysteryQuarterOut]
    latest_gain: Decimal | None
    meets_target: bool | None


class BranchLeagueOut(Schema):
    unit_code: str
    unit_name: str
    inspection_score: Decimal | None
    inspections: int


class WorstItemOut(Schema):
    code: str
    text: str
    template: str
    failed: int
    answered: int
    fail_rate: float


class SupervisionTrendsOut(Schema):
    quarters: list[str]
    target_gain: Decimal
    outlets: list[MysteryTrendOut]
    league: list[BranchLeagueOut]
    worst_items: list[WorstItemOut]


def _name(u: User) -> str:
    return str(u.display_name or u.username)


@router.get("/supervision/roster", response=list[SupervisorRosterOut])
def supervisor_roster(request: HttpRequest) -> list[SupervisorRosterOut]:
    """Each branch's supervisors against the seed's minimum (tier-1 ≥ 5, tier-2 ≥ 3) and the gap."""
    return [
        SupervisorRosterOut(
            branch_code=r.branch.code,
            branch_name=r.branch.name,
            supervisors=[_name(u) for u in r.supervisors],
            minimum=r.minimum,
            gap=r.gap,
        )
        for r in selectors.roster(fetched_by=request_principal(request))
    ]


@router.get("/supervision/piece-rate", response=list[PieceRateOut])
def supervisor_piece_rate(request: HttpRequest, filters: Query[PieceRateQuery]) -> list[PieceRateOut]:
    """The month's tally per supervisor (verified findings paid; removed on appeal never), for payroll."""
    rows = selectors.piece_rate(fetched_by=request_principal(request), month=filters.first_day())
    return [
        PieceRateOut(
            supervisor_id=r.supervisor.pk,
            supervisor=_name(r.supervisor),
            inspections=r.inspections,
            findings_verified=r.findings_verified,
            findings_open=r.findings_open,
            findings_removed=r.findings_removed,
            amount_yuan=r.findings_verified * selectors.PIECE_RATE_YUAN,
        )
        for r in rows
    ]


@router.get("/supervision/trends", response=SupervisionTrendsOut)
def supervision_trends(request: HttpRequest) -> SupervisionTrendsOut:
    """The trends page as data: 神秘人 score per outlet per quarter beside satisfaction, against the +2 target;
    branches ranked by inspection score; the items failed most often (the last WORST_ITEMS_DAYS days)."""
    who = request_principal(request)
    quarters = selectors.last_quarters(selectors.TREND_QUARTERS)
    since = clock.today() - dt.timedelta(days=selectors.WORST_ITEMS_DAYS)
    return SupervisionTrendsOut(
        quarters=quarters,
        target_gain=selectors.MYSTERY_TARGET_GAIN,
        outlets=[
            MysteryTrendOut(
                outlet_code=r.outlet.code,
                outlet_name=r.outlet.name,
                quarters=[
                    MysteryQuarterOut(quarter=q, mystery_score=score, satisfaction=sat)
                    for q, score, sat in r.cells
                ],
                latest_gain=r.latest_gain,
                meets_target=r.meets_target,
            )
            for r in selectors.mystery_trend(fetched_by=who, quarters=quarters)
        ],
        league=[
            BranchLeagueOut(
                unit_code=row["unit"].code,
                unit_name=row["unit"].name,
                inspection_score=row["score"],
                inspections=row["inspections"],
            )
            for row in selectors.league(fetched_by=who, since=since)
        ],
        worst_items=[
            WorstItemOut(
                code=w.code,
                text=w.text,
                template=w.template,
                failed=w.failed,
                answered=w.answered,
                fail_rate=w.fail_rate,
            )
            for w in selectors.worst_items(fetched_by=who, since=since)
        ],
    )
