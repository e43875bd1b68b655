"""Complaint pages: list and alerts, intake with suggestions, case page with every step, stats, library, hotspots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.complaints import actions, deadlines, schemas, selectors, services, sniff, stats, worklist
from fuwu.complaints.codes import current_codes
from fuwu.complaints.context_processors import notice_for
from fuwu.complaints.models import (
    ClockEvent,
    Complaint,
    MajorBasis,
    Reply,
    Revisit,
    Severity,
    Source,
    Tag,
    TypicalCase,
)
from fuwu.complaints.states import HANDLE
from fuwu.core import clock
from fuwu.core import services as core_services
from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        message = _("Enter a date as YYYY-MM-DD.")
        raise ValidationFailed(message, details=[{"field": field, "reason": message}]) from exc


ALERTS_SHOWN = 5


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    query = parse(schemas.ComplaintListIn, request.GET)
    found = worklist.case_list(request, query, principal=principal)
    alerts = selectors.alerts(fetched_by=principal).order_by("-created_at")
    shown = list(alerts[:ALERTS_SHOWN])
    return render(
        request,
        "complaints/list.html",
        {
            **found.context(),
            "overdue": query.overdue,
            "extra": [("overdue", "1")] if query.overdue else [],
            # Folded into one line above the list (the newest few inside, the rest on the cases' pages): alerts
            # must not push the cases off the screen.
            "alerts": shown,
            "alert_count": alerts.count() if len(shown) == ALERTS_SHOWN else len(shown),
            "now": clock.now(),
            "schedule_notice": notice_for(principal),
        },
    )


def _codes_context(principal: Principal) -> dict[str, Any]:
    return {
        "channels": selectors.codes(fetched_by=principal, dimension="channel"),
        "categories": selectors.codes(fetched_by=principal, dimension="category"),
        "reasons": selectors.codes(fetched_by=principal, dimension="reason"),
    }


def _intake_page(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    outlets = visible(OrgUnit.objects.filter(kind="outlet"), principal).order_by("code")
    staff_choices = visible(User.objects.filter(is_active=True, org_unit__kind="outlet"), principal).order_by(
        "org_unit__code", "display_name"
    )
    form = form or FormState(values={"outlet_code": getattr(principal.org_unit, "code", "") or ""})
    return render(
        request,
        "complaints/new.html",
        {
            **_codes_context(principal),
            "outlets": outlets,
            "staff": staff_choices,
            "sources": Source.choices,
            "severities": Severity.choices,
            "major_bases": [c for c in MajorBasis.choices if c[0]],
            "tags": Tag.choices,
            "form": form,
            "chosen_tags": request.POST.getlist("tags") if request.method == "POST" else [],
        },
        status=status,
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            complaint = actions.register(request_principal(request), parse(schemas.ComplaintIn, request.POST))
        except ValidationFailed as exc:
            # Re-render the intake with what was typed and each field's error: the complaint text is never lost.
            return _intake_page(request, FormState.failed(request.POST, exc), status=422)
        return redirect("complaints:detail", pk=complaint.pk)
    selectors.codes(
        fetched_by=request_principal(request), dimension="channel"
    )  # refuses roles without intake
    return _intake_page(request)


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    from fuwu.complaints import classifier

    names = selectors.code_names(fetched_by=request_principal(request))
    severity_names = dict(Severity.choices)
    by_dim: dict[str, list[dict[str, Any]]] = {}
    current = current_codes()
    for s in classifier.suggest(request.POST.get("content", ""), top=3):
        # The model speaks seed keys; the table says which code carries each one now.
        code = s.code if s.dimension == "severity" else current.get((s.dimension, s.code))
        if code is None:
            continue
        label = severity_names.get(code) if s.dimension == "severity" else names.get((s.dimension, code))
        by_dim.setdefault(s.dimension, []).append(
            {"code": code, "name": label or code, "percent": round(s.probability * 100)}
        )
    return render(request, "complaints/partials/suggestions.html", {"by_dim": by_dim})


def _detail_page(
    request: HttpRequest,
    complaint: Complaint,
    *,
    form: FormState | None = None,
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    principal = request_principal(request)
    state = deadlines.clock_state(complaint)
    names = selectors.code_names(fetched_by=principal)
    default_handler = selectors.default_handler(fetched_by=principal, complaint=complaint)
    may_handle = has(principal, HANDLE, unit=complaint.outlet) and complaint.staff_id != getattr(
        principal, "pk", None
    )
    return render(
        request,
        "complaints/detail.html",
        {
            "c": complaint,
            "clock_state": state,
            "codes": {
                dim: names.get((dim, getattr(complaint, f"{dim}_code")), "")
                for dim in ("channel", "category", "reason")
            },
            "steps": complaint.steps.all(),
            "events": complaint.clock_events.all(),
            "extensions": complaint.extensions.select_related(
                "requested_by", "decided_by", "complaint__outlet"
            ),
            "decisions": complaint.decisions.all(),
            "replies": complaint.replies.all(),
            "revisits": complaint.revisits.all(),
            "reviews": complaint.reviews.select_related("reviewing_unit"),
            "remediations": selectors.remediations(fetched_by=principal, complaint=complaint),
            "handlers": selectors.handlers_for(fetched_by=principal, complaint=complaint),
            "default_handler": complaint.handler or default_handler,
            "timeline": selectors.timeline(fetched_by=principal, complaint=complaint),
            "documents": complaint.attachments.all(),
            "may_attach": may_handle,
            "max_mb": sniff.MAX_BYTES // (1024 * 1024),
            # Letters need the decision they announce; the handler downloads them (audited).
            "letters": [("decision", _("Decision notice (PDF)")), ("reply", _("Reply letter (PDF)"))]
            if may_handle and complaint.decisions.exists()
            else [],
            "methods": Reply.Method.choices,
            "satisfactions": Revisit.Satisfaction.choices,
            "polarities": TypicalCase.Polarity.choices,
            "severities": Severity.choices,
            "major_bases": [c for c in MajorBasis.choices if c[0]],
            "pause_kinds": [c for c in ClockEvent.PauseKind.choices if c[0]],
            **_codes_context(principal),
            "typical_case": getattr(complaint, "typical_case", None),
            "alerts": complaint.alerts.all()[:20],
            "today": clock.today(),
            "tag_labels": [dict(Tag.choices).get(t, t) for t in complaint.tags],
            "clock_label": CLOCK_LABELS[state.state],
            "on_time": complaint.closed_at <= complaint.due_at if complaint.closed_at else None,
            "can_reveal": has(principal, "core.view_full_pii", unit=complaint.outlet)
            and bool(complaint.phone_cipher),
            "form": form or FormState(),
            "failed": failed,
        },
        status=status,
    )


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.complaint(fetched_by=request_principal(request), pk=pk))


CLOCK_LABELS = {
    "running": gettext_lazy("Running"),
    "paused": gettext_lazy("Paused"),
    "stopped": gettext_lazy("Stopped"),
}


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    principal = request_principal(request)
    complaint = selectors.complaint(fetched_by=principal, pk=pk)
    step = actions.STEPS.get(action)
    if step is None:
        message = _("Unknown action.")
        raise ValidationFailed(message, details=[{"field": "action", "reason": message}])
    try:
        step.run(principal, complaint, parse(step.schema, request.POST))
    except ValidationFailed as exc:
        # The same page again, with the typed text and each field's error beside the failed form.
        fresh = selectors.complaint(fetched_by=principal, pk=pk)
        return _detail_page(
            request, fresh, form=FormState.failed(request.POST, exc), failed=action, status=422
        )
    return redirect("complaints:detail", pk=pk)


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a letter, recording or photo with the case (type read from its bytes, size limited)."""
    principal = request_principal(request)
    complaint = selectors.complaint(fetched_by=principal, pk=pk)
    upload = request.FILES.get("file")
    try:
        payload = parse(schemas.AttachmentIn, request.POST)
        if upload is None:
            message = _("Choose a file.")
            raise ValidationFailed(message, details=[{"field": "file", "reason": message}])
        services.attachment_add(
            actor=principal,
            complaint=complaint,
            name=upload.name or "",
            content=upload.read(sniff.MAX_BYTES + 1),  # one byte over the limit is enough to refuse
            note=payload.note,
        )
    except ValidationFailed as exc:
        return _detail_page(
            request, complaint, form=FormState.failed(request.POST, exc), failed="attach", status=422
        )
    return redirect("complaints:detail", pk=pk)


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A case document, for readers of the case only; every download is audited."""
    principal = request_principal(request)
    found = selectors.attachment(fetched_by=principal, pk=pk)
    data = services.attachment_download(actor=principal, attachment=found)
    response = HttpResponse(data, content_type=found.content_type)
    response["Content-Disposition"] = _disposition(found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"


@login_required
def letter(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The decision notice or reply letter as PDF, the case's fields filled in (audited)."""
    principal = request_principal(request)
    complaint = selectors.complaint(fetched_by=principal, pk=pk)
    pdf = services.letter_render(actor=principal, complaint=complaint, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _disposition(f"{complaint.reference}-{kind}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def from_feedback(request: HttpRequest, item_pk: int) -> HttpResponse:
    """转为投诉: open (or find) the complaint of a feedback-box message, in one step."""
    from fuwu.feedback import selectors as feedback_selectors

    principal = request_principal(request)
    item = feedback_selectors.feedback_item(fetched_by=principal, pk=item_pk)
    complaint = services.complaint_from_feedback(actor=principal, item=item)
    return redirect("complaints:detail", pk=complaint.pk)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整号码: the full phone for roles with core.view_full_pii; audited by core.services.pii_reveal."""
    principal = request_principal(request)
    complaint = selectors.complaint(fetched_by=principal, pk=pk)
    phone = core_services.pii_reveal(actor=principal, obj=complaint, field="phone", org_unit=complaint.outlet)
    return HttpResponse(f'<span data-testid="full-phone">{escape(phone)}</span>')


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    extension = selectors.extension(fetched_by=principal, pk=pk)
    try:
        payload = parse(
            schemas.ExtensionDecideIn,
            {"approve": request.POST.get("decision") == "approve", **request.POST.dict()},
        )
        services.complaint_extension_decide(
            actor=principal,
            extension=extension,
            approve=payload.approve,
            customer_notified=payload.customer_notified,
        )
    except ValidationFailed as exc:
        return _detail_page(
            request,
            selectors.complaint(fetched_by=principal, pk=extension.complaint_id),
            form=FormState.failed(request.POST, exc),
            failed="extension_decide",
            status=422,
        )
    return redirect("complaints:detail", pk=extension.complaint_id)


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    services.alert_acknowledge(actor=principal, alert=selectors.alert(fetched_by=principal, pk=pk))
    return redirect("complaints:list")


def _quarter(request: HttpRequest) -> tuple[int, int]:
    today = clock.today()
    default_q = (today.month - 1) // 3 + 1
    try:
        year = int(request.GET.get("year", today.year))
        quarter = int(request.GET.get("quarter", default_q))
    except ValueError:
        year, quarter = today.year, default_q
    if quarter not in (1, 2, 3, 4):
        raise ValidationFailed(
            _("A quarter is 1 to 4."), details=[{"field": "quarter", "reason": str(quarter)}]
        )
    return year, quarter


def _unit(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("unit")
    return selectors.unit(fetched_by=request_principal(request), code=code) if code else None


@login_required
def regulator_stats(request: HttpRequest) -> HttpResponse:
    year, quarter = _quarter(request)
    unit = _unit(request)
    result = stats.regulator_stats(
        fetched_by=request_principal(request), year=year, quarter=quarter, unit=unit
    )
    return render(
        request,
        "complaints/stats.html",
        {
            "s": result,
            "year": year,
            "quarter": quarter,
            "unit": unit,
            "quarters": [1, 2, 3, 4],
            "units": visible(OrgUnit.objects.exclude(kind="outlet"), request_principal(request)).order_by(
                "path"
            ),
        },
    )


@login_required
def regulator_export(request: HttpRequest) -> HttpResponse:
    year, quarter = _quarter(request)
    unit = _unit(request)
    data = stats.regulator_workbook(
        stats.regulator_stats(fetched_by=request_principal(request), year=year, quarter=quarter, unit=unit)
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="complaints-{year}Q{quarter}.xlsx"'
    return response


LIBRARY_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-created_at",)),
        Sort("old", gettext_lazy("Oldest first"), ("created_at",)),
        Sort("title", gettext_lazy("By title"), ("title",)),
    ),
    text=("title", "text", "lesson", "category_code"),
    state_field="polarity",
    states=TypicalCase.Polarity.choices,
    state_label=gettext_lazy("Polarity"),
    state_counts=True,
    unit_field="outlet",
    date_field="created_at",
    mine=("created_by",),
    per_page=20,  # each case is a card with its whole text
)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    # Paged, counted and filtered (#19): the library showed the newest 100 cases.
    found = listing(request, selectors.typical_cases(fetched_by=principal), LIBRARY_LIST, principal=principal)
    return render(request, "complaints/library.html", found.context())


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    as_of = _date(request.GET.get("as_of", ""), "as_of") or clock.today()
    spots = stats.hotspots(fetched_by=request_principal(request), as_of=as_of, unit=unit)
    return render(
        request,
        "complaints/hotspots.html",
        {
            "spots": spots,
            "unit": unit,
            "as_of": as_of,
            "units": visible(OrgUnit.objects.all(), request_principal(request)).order_by("path"),
        },
    )
