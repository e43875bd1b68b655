"""Complaint pages: list and alerts, intake with suggestions, case page with every step, stats, library, hotspots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.complaints import selectors, services, stats
from fuwu.complaints.models import (
    Complaint,
    DayBasis,
    Extension,
    Reply,
    Revisit,
    Severity,
    Source,
    Status,
    Tag,
    TypicalCase,
)
from fuwu.core import clock
from fuwu.core.errors import Forbidden, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.scoping import get_visible, visible
from fuwu.customers.models import Customer


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm("complaints.view_complaint"):
        raise Forbidden(_("Your role may not read complaints."))


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(_("Not a date."), details=[{"field": field, "reason": value}]) from exc


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    status = request.GET.get("status") or None
    q = request.GET.get("q") or None
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.complaints(request.user, status=status, q=q, overdue_only=overdue, now=clock.now())[:200]
    return render(
        request,
        "complaints/list.html",
        {
            "rows": rows,
            "statuses": Status.choices,
            "status": status or "",
            "q": q or "",
            "overdue": overdue,
            "alerts": selectors.alerts(request.user)[:30],
            "now": clock.now(),
        },
    )


def _codes_context() -> dict[str, Any]:
    return {
        "channels": selectors.codes("channel"),
        "categories": selectors.codes("category"),
        "reasons": selectors.codes("reason"),
    }


@login_required
def complaint_new(request: Any) -> HttpResponse:
    if not request.user.has_perm("complaints.add_complaint"):
        raise Forbidden(_("Your role may not register complaints."))
    outlets = visible(OrgUnit.objects.filter(kind="outlet"), request.user).order_by("code")
    if request.method == "POST":
        p = request.POST
        outlet = selectors.unit(request.user, p.get("outlet", ""))
        customer = None
        if p.get("customer_no"):
            customer = get_visible(Customer.objects.all(), request.user, customer_no=p["customer_no"].strip())
        staff = get_visible(User.objects.all(), request.user, pk=p["staff"]) if p.get("staff") else None
        original = None
        if p.get("resubmission_of", "").strip():
            original = get_visible(
                Complaint.objects.all(), request.user, reference=p["resubmission_of"].strip()
            )
        try:
            representatives = int(p.get("representatives") or 1)
        except ValueError as exc:
            raise ValidationFailed(
                _("Not a number."), details=[{"field": "representatives", "reason": p["representatives"]}]
            ) from exc
        complaint = services.complaint_register(
            actor=request.user,
            outlet=outlet,
            source=p.get("source", ""),
            content=p.get("content", ""),
            complainant_name=p.get("complainant_name", ""),
            channel_code=p.get("channel_code", ""),
            category_code=p.get("category_code", ""),
            reason_code=p.get("reason_code", ""),
            severity=p.get("severity", Severity.NORMAL),
            tags=p.getlist("tags"),
            customer=customer,
            phone=p.get("phone", "").strip(),
            staff=staff,
            product=p.get("product", ""),
            demand=p.get("demand", ""),
            day_basis=p.get("day_basis", DayBasis.CALENDAR),
            representatives=representatives,
            regulator_due_date=_date(p.get("regulator_due_date", ""), "regulator_due_date"),
            resubmission_of=original,
            new_facts=p.get("new_facts") == "1",
        )
        return redirect("complaints:detail", pk=complaint.pk)
    staff_choices = visible(
        User.objects.filter(is_active=True, org_unit__kind="outlet"), request.user
    ).order_by("org_unit__code", "display_name")
    return render(
        request,
        "complaints/new.html",
        {
            **_codes_context(),
            "outlets": outlets,
            "staff": staff_choices,
            "sources": Source.choices,
            "severities": Severity.choices,
            "tags": Tag.choices,
            "bases": DayBasis.choices,
            "home_outlet": getattr(request.user.org_unit, "code", ""),
        },
    )


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    from fuwu.complaints import classifier

    names = selectors.code_names()
    severity_names = dict(Severity.choices)
    by_dim: dict[str, list[dict[str, Any]]] = {}
    for s in classifier.suggest(request.POST.get("content", ""), top=3):
        label = severity_names.get(s.code) if s.dimension == "severity" else names.get((s.dimension, s.code))
        by_dim.setdefault(s.dimension, []).append(
            {"code": s.code, "name": label or s.code, "percent": round(s.probability * 100)}
        )
    return render(request, "complaints/partials/suggestions.html", {"by_dim": by_dim})


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    complaint = selectors.complaint(request.user, pk)
    state = services.clock_state(complaint)
    names = selectors.code_names()
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
            "extensions": complaint.extensions.select_related("requested_by", "decided_by"),
            "decisions": complaint.decisions.all(),
            "replies": complaint.replies.all(),
            "revisits": complaint.revisits.all(),
            "reviews": complaint.reviews.select_related("reviewing_unit"),
            "remediations": complaint.remediations.select_related("owner", "accountable_staff"),
            "handlers": selectors.handlers_for(request.user, complaint),
            "methods": Reply.Method.choices,
            "satisfactions": Revisit.Satisfaction.choices,
            "polarities": TypicalCase.Polarity.choices,
            "severities": Severity.choices,
            **_codes_context(),
            "typical_case": getattr(complaint, "typical_case", None),
            "alerts": complaint.alerts.all()[:20],
            "today": clock.today(),
            "tag_labels": [dict(Tag.choices).get(t, t) for t in complaint.tags],
            "clock_label": CLOCK_LABELS.get(state.state, state.state),
            "on_time": complaint.closed_at <= complaint.due_at if complaint.closed_at else None,
        },
    )


CLOCK_LABELS = {
    "running": gettext_lazy("Running"),
    "paused": gettext_lazy("Paused"),
    "stopped": gettext_lazy("Stopped"),
}


def _bool(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in {"1", "on", "true"}


def _user(request: HttpRequest, name: str) -> Any:
    value = request.POST.get(name)
    return get_visible(User.objects.all(), request.user, pk=value) if value else None


ACTIONS: dict[str, Callable[[Any, Complaint], Any]] = {
    "assign": lambda r, c: services.complaint_assign(
        actor=r.user,
        complaint=c,
        handler=selectors.handlers_for(r.user, c, exclude_conflicted=False)
        .filter(pk=r.POST.get("handler") or 0)
        .first()
        or _missing("handler"),
    ),
    "investigate": lambda r, c: services.complaint_investigate(
        actor=r.user, complaint=c, root_cause=r.POST.get("root_cause", "")
    ),
    "extend": lambda r, c: services.complaint_extension_request(
        actor=r.user, complaint=c, reason=r.POST.get("reason", "")
    ),
    "pause": lambda r, c: services.complaint_pause(
        actor=r.user,
        complaint=c,
        reason=r.POST.get("reason", ""),
        customer_notified=_bool(r, "customer_notified"),
    ),
    "resume": lambda r, c: services.complaint_resume(actor=r.user, complaint=c),
    "withdraw": lambda r, c: services.complaint_withdraw(
        actor=r.user, complaint=c, reason=r.POST.get("reason", "")
    ),
    "decide": lambda r, c: services.complaint_decide(
        actor=r.user,
        complaint=c,
        facts=r.POST.get("facts", ""),
        basis=r.POST.get("basis", ""),
        remedy=r.POST.get("remedy", ""),
        upheld=_bool(r, "upheld"),
    ),
    "reply": lambda r, c: services.complaint_reply(
        actor=r.user, complaint=c, method=r.POST.get("method", ""), text=r.POST.get("text", "")
    ),
    "revisit": lambda r, c: services.complaint_revisit(
        actor=r.user,
        complaint=c,
        satisfaction=r.POST.get("satisfaction", ""),
        note=r.POST.get("note", ""),
        reopen=_bool(r, "reopen"),
    ),
    "review": lambda r, c: services.complaint_request_review(
        actor=r.user, complaint=c, reason=r.POST.get("reason", "")
    ),
    "review_decide": lambda r, c: services.complaint_review_decide(
        actor=r.user,
        complaint=c,
        facts=r.POST.get("facts", ""),
        basis=r.POST.get("basis", ""),
        remedy=r.POST.get("remedy", ""),
        upheld=_bool(r, "upheld"),
    ),
    "reclassify": lambda r, c: services.complaint_reclassify(
        actor=r.user,
        complaint=c,
        channel_code=r.POST.get("channel_code", ""),
        category_code=r.POST.get("category_code", ""),
        reason_code=r.POST.get("reason_code", ""),
        severity=r.POST.get("severity", ""),
    ),
    "remediate": lambda r, c: services.remediation_create(
        actor=r.user,
        complaint=c,
        action=r.POST.get("action", ""),
        owner=selectors.handlers_for(r.user, c).filter(pk=r.POST.get("owner") or 0).first()
        or _missing("owner"),
        due_date=_date(r.POST.get("due_date", ""), "due_date") or _missing("due_date"),
        accountable_staff=_user(r, "accountable_staff"),
        accountability_note=r.POST.get("accountability_note", ""),
    ),
    "typical_case": lambda r, c: services.typical_case_create(
        actor=r.user,
        complaint=c,
        polarity=r.POST.get("polarity", ""),
        title=r.POST.get("title", ""),
        lesson=r.POST.get("lesson", ""),
    ),
}


def _missing(field: str) -> Any:
    raise ValidationFailed(
        _("A required field is missing."), details=[{"field": field, "reason": "required"}]
    )


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    complaint = selectors.complaint(request.user, pk)
    if handler is None:
        raise ValidationFailed(_("Unknown action."), details=[{"field": "action", "reason": action}])
    handler(request, complaint)
    return redirect("complaints:detail", pk=pk)


@login_required
@require_POST
def extension_decide(request: Any, pk: int) -> HttpResponse:
    extension: Extension = selectors.extension(request.user, pk)
    services.complaint_extension_decide(
        actor=request.user,
        extension=extension,
        approve=request.POST.get("decision") == "approve",
        customer_notified=_bool(request, "customer_notified"),
    )
    return redirect("complaints:detail", pk=extension.complaint_id)


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    services.alert_acknowledge(actor=request.user, alert=selectors.alert(request.user, pk))
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


def _unit(request: HttpRequest) -> Any:
    code = request.GET.get("unit")
    return selectors.unit(request.user, code) if code else None


@login_required
def regulator_stats(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    year, quarter = _quarter(request)
    unit = _unit(request)
    result = stats.regulator_stats(request.user, year=year, quarter=quarter, unit=unit)
    return render(
        request,
        "complaints/stats.html",
        {
            "s": result,
            "year": year,
            "quarter": quarter,
            "unit": unit,
            "quarters": [1, 2, 3, 4],
            "units": visible(OrgUnit.objects.exclude(kind="outlet"), request.user).order_by("path"),
        },
    )


@login_required
def regulator_export(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    year, quarter = _quarter(request)
    unit = _unit(request)
    data = stats.regulator_workbook(
        stats.regulator_stats(request.user, year=year, quarter=quarter, unit=unit)
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="complaints-{year}Q{quarter}.xlsx"'
    return response


@login_required
def library(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("complaints.view_typicalcase"):
        raise Forbidden(_("Your role may not read the case library."))
    polarity = request.GET.get("polarity") or None
    return render(
        request,
        "complaints/library.html",
        {
            "cases": selectors.typical_cases(request.user, polarity=polarity)[:100],
            "polarity": polarity or "",
            "polarities": TypicalCase.Polarity.choices,
            "names": selectors.code_names(),
        },
    )


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    unit = _unit(request)
    as_of = _date(request.GET.get("as_of", ""), "as_of") or clock.today()
    spots = stats.hotspots(request.user, as_of=as_of, unit=unit)
    return render(
        request,
        "complaints/hotspots.html",
        {
            "spots": spots,
            "unit": unit,
            "as_of": as_of,
            "units": visible(OrgUnit.objects.all(), request.user).order_by("path"),
        },
    )
