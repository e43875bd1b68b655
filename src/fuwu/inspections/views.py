"""Pages: inspections (filled on a phone), the one rectification ledger, templates, supervisors, trends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.core import access, clock, scoping
from fuwu.core.auth import request_principal
from fuwu.core.errors import DomainError, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Select, Sort, listing
from fuwu.core.models import OrgUnit, User
from fuwu.inspections import selectors, services, xlsx
from fuwu.inspections.models import Inspection, Item, RectificationTask, Severity
from fuwu.inspections.photos import MAX_BYTES
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


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    return scoping.get_visible(OrgUnit.objects.all(), request_principal(request), code=code)


# --- inspections ---------------------------------------------------------------------------------


INSPECTION_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-created_at",)),
        Sort("planned", gettext_lazy("Planned date"), ("planned_for",)),
        Sort("score", gettext_lazy("Lowest score first"), ("score",)),
    ),
    text=("outlet__name", "version__template__name", "note"),
    state_field="status",
    states=Inspection.Status.choices,
    unit_field="outlet",
    date_field="created_at",
    mine=("supervisor",),
)


@login_required
def inspection_list(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    who = request_principal(request)
    rows = selectors.inspection_rows(fetched_by=who, kind=request.GET.get("kind", "")[:8])
    kinds = Select("kind", _("Kind"), Inspection.Kind.choices)
    found = listing(request, rows, INSPECTION_LIST, principal=who, selects=[kinds])
    context: dict[str, Any] = {
        **found.context(),
        "form": form or FormState(),
        "kinds": Inspection.Kind.choices,
        "statuses": Inspection.Status.choices,
        "can_conduct": access.has(who, "inspections.conduct_inspection"),
        "can_plan": access.has(who, "inspections.plan_inspection"),
    }
    if context["can_conduct"] or context["can_plan"]:
        context["outlets"] = selectors.outlets(fetched_by=who)
        context["templates"] = [t for t, v in selectors.templates_list(fetched_by=who) if v is not None]
        context["branches"] = (
            scoping.visible_units(who)
            .filter(kind__in=[OrgUnit.Kind.TIER1, OrgUnit.Kind.TIER2])
            .order_by("path")
        )
        context["quarter"] = selectors.quarter_of(clock.today())
        home = access.home_unit(who)
        context["supervisors"] = (
            selectors.supervisors_for(fetched_by=who, unit=home)
            if home is not None and context["can_plan"]
            else []
        )
    return render(request, "inspections/list.html", context, status=status)


@login_required
@require_POST
def inspection_new(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    try:
        payload = parse(StartIn, request.POST)
        i = services.inspection_start_adhoc(
            actor=who,
            outlet=_unit(request, payload.outlet_code),
            template_code=payload.template_code,
            kind=payload.kind,
        )
    except ValidationFailed as exc:
        return inspection_list(request, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:detail", pk=i.pk)


@login_required
@require_POST
def inspection_schedule(request: HttpRequest) -> HttpResponse:
    """Plan one visit per outlet of a branch for a quarter (lock-out respected, least-loaded supervisor first)."""
    who = request_principal(request)
    try:
        payload = parse(ScheduleIn, request.POST)
        planned = services.schedule_quarter(
            actor=who,
            branch=_unit(request, payload.branch_code),
            quarter=payload.quarter,
            template_code=payload.template_code,
            kind=payload.kind,
        )
    except ValidationFailed as exc:
        return inspection_list(request, FormState.failed(request.POST, exc), status=422)
    messages.success(request, _("%(n)s visits planned.") % {"n": len(planned)})
    return redirect("inspections:list")


@login_required
@require_POST
def inspection_plan(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    try:
        payload = parse(InspectionPlanIn, request.POST)
        supervisor = User.objects.filter(pk=payload.supervisor_id).first()
        if supervisor is None:
            raise ValidationFailed(
                _("Choose a supervisor."),
                details=[{"field": "supervisor_id", "reason": _("Choose a supervisor.")}],
            )
        services.inspection_plan(
            actor=who,
            outlet=_unit(request, payload.outlet_code),
            template_code=payload.template_code,
            kind=payload.kind,
            supervisor=supervisor,
            planned_for=payload.planned_for,
        )
    except ValidationFailed as exc:
        return inspection_list(request, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:list")


@login_required
def inspection_detail(
    request: HttpRequest, pk: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    lines = selectors.inspection_lines(fetched_by=who, inspection_obj=i)
    sections: list[tuple[str, list[Any]]] = []
    errors = form.errors if form else {}
    for line in lines:
        line.error = errors.get(f"item_{line.item.pk}", "")
        if not sections or sections[-1][0] != line.item.section.title:
            sections.append((line.item.section.title, []))
        sections[-1][1].append(line)
    editing = i.status == Inspection.Status.IN_PROGRESS and access.has(
        who, "inspections.conduct_inspection", unit=i.outlet
    )
    context: dict[str, Any] = {
        "i": i,
        "sections": sections,
        "answered": sum(
            1
            for line in lines
            if line.response is not None and (line.response.result or line.response.points is not None)
        ),
        "total": len(lines),
        "editing": editing,
        "form": form or FormState(),
        "positions": range(1, 8),
        "max_mb": MAX_BYTES // (1024 * 1024),
        "tasks": selectors.inspection_tasks(fetched_by=who, inspection_obj=i),
    }
    if editing:
        context["staff"] = selectors.outlet_staff(fetched_by=who, outlet=i.outlet)
        context["recheck"] = selectors.recheck_items(fetched_by=who, outlet=i.outlet)
        context["running"] = selectors.running_score(fetched_by=who, inspection_obj=i)
    return render(request, "inspections/detail.html", context, status=status)


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    services.inspection_start(actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk))
    return redirect("inspections:detail", pk=pk)


@login_required
@require_POST
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    services.inspection_cancel(actor=who, inspection=selectors.inspection(fetched_by=who, pk=pk))
    return redirect("inspections:detail", pk=pk)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
@require_POST
def response_save(request: HttpRequest, pk: int) -> HttpResponse:
    """One item's answer (the page saves each item as it is answered; without script the button posts)."""
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    try:
        payload = parse(ResponseIn, request.POST)
        r = services.response_save(actor=who, inspection=i, **payload.model_dump())
        upload = request.FILES.get("photo")
        if upload is not None:
            services.photo_add(
                actor=who, inspection=i, item_id=payload.item_id, content=upload.read(MAX_BYTES + 1)
            )
    except ValidationFailed as exc:
        if _wants_json(request):
            return JsonResponse(exc.as_dict(), status=422)
        form = FormState.failed(request.POST, exc)
        item_key = f"item_{request.POST.get('item_id', '')}"
        for reason in list(form.errors.values())[:1]:
            form.errors.setdefault(item_key, reason)  # shown beside the item that was being saved
        return inspection_detail(request, pk, form, status=422)
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse(exc.as_dict(), status=exc.status)
        raise
    if _wants_json(request):
        running = selectors.running_score(fetched_by=who, inspection_obj=i)
        return JsonResponse(
            {
                "item_id": r.item_id,
                "revision": r.revision,
                "saved_at": r.updated_at.isoformat(),
                "score": str(running.value) if running.value is not None else None,
            }
        )
    return redirect(reverse("inspections:detail", args=[pk]) + f"#item-{r.item_id}")


@login_required
@require_POST
def inspection_observe(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    try:
        payload = parse(ObserveIn, request.POST)
        services.inspection_observe(actor=who, inspection=i, **payload.model_dump())
    except ValidationFailed as exc:
        return inspection_detail(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:detail", pk=pk)


@login_required
@require_POST
def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    i = selectors.inspection(fetched_by=who, pk=pk)
    try:
        services.inspection_submit(actor=who, inspection=i)
    except ValidationFailed as exc:
        return inspection_detail(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:detail", pk=pk)


@login_required
def photo_file(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    p = selectors.photo(fetched_by=request_principal(request), pk=pk)
    f = p.thumbnail if kind == "thumb" else p.file
    response = FileResponse(f.open("rb"), content_type="image/jpeg" if kind == "thumb" else p.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the ledger ----------------------------------------------------------------------------------


# The ledger keeps its own filter form (source, overdue, unit and below); paging, order and period are shared.
LEDGER_LIST = ListSpec(
    sorts=(
        # Not yet closed first (no closing time), then by the nearest deadline.
        Sort("due", gettext_lazy("Due soonest"), (F("closed_at").desc(nulls_first=True), "due")),
        Sort("new", gettext_lazy("Newest first"), ("-opened_at",)),
    ),
    date_field="opened_at",
)


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    try:
        q = parse(LedgerQuery, request.GET)
    except ValidationFailed:
        q = LedgerQuery()
    rows = selectors.ledger_rows(fetched_by=who, filt=selectors.LedgerFilter(**q.model_dump()))
    found = listing(request, rows, LEDGER_LIST, principal=who)
    context = {
        **found.context(),
        "q": q,
        "sources": RectificationTask.Source.choices,
        "statuses": [(selectors.OPEN_ALL, _("Not yet fixed")), *RectificationTask.Status.choices],
        "units": scoping.visible_units(who).exclude(kind=OrgUnit.Kind.DEPARTMENT).order_by("path")[:300],
    }
    return render(request, "inspections/ledger.html", context)


@login_required
def task_detail(
    request: HttpRequest, pk: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    who = request_principal(request)
    t = selectors.task(fetched_by=who, pk=pk)
    context = {
        "t": t,
        "form": form or FormState(),
        "photos": list(t.photos.all()),
        "follow_ups": selectors.task_follow_ups(fetched_by=who, task=t),
    }
    return render(request, "inspections/task.html", context, status=status)


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    who = request_principal(request)
    t = selectors.task(fetched_by=who, pk=pk)
    try:
        if name == "submit_evidence":
            ev = parse(EvidenceIn, request.POST)
            services.task_submit_evidence(
                actor=who,
                task=t,
                evidence=ev.evidence,
                photo_files=[u.read(MAX_BYTES + 1) for u in request.FILES.getlist("photo")],
            )
        elif name == "verify":
            services.task_verify(actor=who, task=t, note=parse(NoteIn, request.POST).note)
        elif name == "reopen":
            services.task_reopen(actor=who, task=t, note=parse(ReopenIn, request.POST).note)
        elif name == "defer":
            services.task_defer(actor=who, task=t)
        elif name == "appeal":
            services.task_appeal(actor=who, task=t, reason=parse(AppealIn, request.POST).reason)
        elif name == "decide":
            d = parse(RectificationDecideIn, request.POST)
            services.task_appeal_decide(actor=who, task=t, uphold=d.uphold, note=d.note)
        else:
            return HttpResponse(status=404)
    except ValidationFailed as exc:
        return task_detail(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:task", pk=pk)


# --- templates -----------------------------------------------------------------------------------


@login_required
def template_list(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    who = request_principal(request)
    return render(
        request,
        "inspections/templates.html",
        {
            "rows": selectors.templates_list(fetched_by=who),
            "form": form or FormState(),
            "can_edit": access.has(who, "inspections.change_template"),
        },
        status=status,
    )


@login_required
def template_detail(
    request: HttpRequest, code: str, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    who = request_principal(request)
    number = request.GET.get("version")
    v = selectors.template_version(
        fetched_by=who, code=code, number=int(number) if number and number.isdigit() else None
    )
    items = selectors.template_items(fetched_by=who, version=v)
    return render(
        request,
        "inspections/template.html",
        {
            "v": v,
            "items": items,
            "versions": v.template.versions.order_by("-number"),
            "form": form or FormState(),
            "can_edit": access.has(who, "inspections.change_template"),
            "severities": Severity.choices,
            "blank_rows": range(len(items), len(items) + 3),
            "positions": range(1, 8),
        },
        status=status,
    )


@login_required
@require_POST
def template_save(request: HttpRequest, code: str) -> HttpResponse:
    """The edit form posts every row as items-N-field; a save is a new version."""
    who = request_principal(request)
    rows: list[dict[str, Any]] = []
    n = 0
    while f"items-{n}-code" in request.POST:
        row: dict[str, Any] = {
            k.split("-", 2)[2]: str(v) for k, v in request.POST.items() if k.startswith(f"items-{n}-")
        }
        row["critical"] = f"items-{n}-critical" in request.POST
        row["photo"] = f"items-{n}-photo" in request.POST
        if str(row.get("code", "")).strip() and not row.get("delete"):
            rows.append({k: v for k, v in row.items() if v != "" and k != "delete"})
        n += 1
    data = {
        "code": code,
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "note": request.POST.get("note", ""),
        "items": rows,
    }
    try:
        payload = parse(TemplateIn, data)
        services.template_version_create(
            actor=who,
            code=payload.code,
            name=payload.name,
            description=payload.description,
            note=payload.note,
            items=[services.ItemSpec(**i.model_dump()) for i in payload.items],
        )
    except ValidationFailed as exc:
        return template_detail(request, code, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:template", code=code)


@login_required
def template_export(request: HttpRequest, code: str) -> HttpResponse:
    who = request_principal(request)
    v = selectors.template_version(fetched_by=who, code=code)
    content = xlsx.template_workbook(v, selectors.template_items(fetched_by=who, version=v))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="template-{v.template.code}-v{v.number}.xlsx"'
    return response


@login_required
@require_POST
def template_import(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(
                _("Choose a file."), details=[{"field": "file", "reason": _("Choose a file.")}]
            )
        v = services.template_import_xlsx(actor=who, content=upload.read(xlsx.MAX_IMPORT_BYTES + 1))
    except ValidationFailed as exc:
        return template_list(request, FormState.failed(request.POST, exc), status=422)
    return redirect("inspections:template", code=v.template.code)


@login_required
@require_POST
def templates_install(request: HttpRequest) -> HttpResponse:
    services.templates_install_builtin(actor=request_principal(request))
    return redirect("inspections:templates")


# --- supervisors and trends ----------------------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    try:
        return parse(PieceRateQuery, request.GET).first_day()
    except ValidationFailed:
        return PieceRateQuery().first_day()  # a mistyped month shows this month, as an empty field does


@login_required
def supervisors(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    month = _month(request)
    return render(
        request,
        "inspections/supervisors.html",
        {
            "roster": selectors.roster(fetched_by=who),
            "tally": selectors.piece_rate(fetched_by=who, month=month),
            "month": month,
            "rate": selectors.PIECE_RATE_YUAN,
        },
    )


@login_required
def supervisors_export(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    month = _month(request)
    content = xlsx.tally_workbook(
        month.strftime("%Y-%m"), selectors.piece_rate(fetched_by=who, month=month), selectors.PIECE_RATE_YUAN
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="piece-rate-{month:%Y-%m}.xlsx"'
    return response


@login_required
def trends(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    quarters = selectors.last_quarters(selectors.TREND_QUARTERS)
    since = clock.today() - dt.timedelta(days=selectors.WORST_ITEMS_DAYS)
    rows = selectors.mystery_trend(fetched_by=who, quarters=quarters)
    return render(
        request,
        "inspections/trends.html",
        {
            "quarters": quarters,
            "rows": rows,
            "worst": selectors.worst_items(fetched_by=who, since=since),
            "league": selectors.league(fetched_by=who, since=since),
            "target": selectors.MYSTERY_TARGET_GAIN,
            "item_kinds": Item.Response.choices,
        },
    )
