"""Pages: the counter pad, the public feedback box and private reply link, and the staff's feedback work.

Views check nothing themselves: selectors refuse reads and services refuse writes (core.access). Each form
is parsed with its action's schema (feedback.schemas, shared with the API); a failed post re-renders the
page with what was typed and each field's error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from tempfile import NamedTemporaryFile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, Throttled, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.models import OrgUnit
from fuwu.core.net import client_ip
from fuwu.core.principals import Principal, system
from fuwu.feedback import importers, selectors, services
from fuwu.feedback.models import FeedbackItem, FollowUp, SurveyTarget
from fuwu.feedback.schemas import (
    FeedbackReplyIn,
    FeedbackSubmitIn,
    FollowUpCloseIn,
    PadConfigIn,
    SurveyTargetIn,
)

# The public box has no login: it acts as the platform, named so in the audit trail.
PUBLIC_BOX = system("feedback_box")


def _topic_labels() -> dict[str, str]:
    from fuwu.feedback.text.analysis import TOPIC_LABELS  # jieba stays out of the URLconf's imports

    return {k: str(v) for k, v in TOPIC_LABELS.items()}


def pad(request: HttpRequest) -> HttpResponse:
    """The tablet at the counter: a shell that reads its device token and polls the pad API."""
    return render(request, "feedback/pad.html")


# --- public feedback box --------------------------------------------------------------------------------


def box_outlets(request: HttpRequest) -> HttpResponse:
    """Online entry: pick the outlet the message is about."""
    outlets = selectors.public_outlets()
    return render(request, "feedback/box_outlets.html", {"outlets": outlets})


def box(request: HttpRequest, outlet_code: str) -> HttpResponse:
    """The form behind the outlet's QR code (?qr=1) and the online link."""
    outlet = selectors.public_outlet(outlet_code)
    services_offered = selectors.public_services(outlet)
    channel = "qr" if request.GET.get("qr") or request.POST.get("channel") == "qr" else "online"
    context: dict[str, Any] = {
        "outlet": outlet,
        "services": services_offered,
        "subjects": FeedbackItem.Subject.choices,
        "channel": channel,
        "form": FormState(),
    }
    if request.method == "POST":
        try:
            payload = parse(FeedbackSubmitIn, request.POST)
            service = None
            if payload.service is not None:
                service = services_offered.filter(pk=payload.service).first()
                if service is None:
                    raise ValidationFailed(
                        _("Please correct the marked fields."),
                        details=[{"field": "service", "reason": _("Not offered by this outlet.")}],
                    )
            _item, raw = services.feedback_submit(
                actor=PUBLIC_BOX,
                outlet=outlet,
                text=payload.text,
                client=client_ip(request),
                channel=channel,
                subject=payload.subject,
                staff_code=payload.staff_code,
                service=service,
                contact_name=payload.contact_name,
                phone=payload.phone,
            )
        except ValidationFailed as exc:
            context["form"] = FormState.failed(request.POST, exc)
            return render(request, "feedback/box.html", context, status=422)
        except Throttled as exc:
            failed = FormState.failed(request.POST, ValidationFailed(exc.message, details=[]))
            context["form"] = failed
            return render(request, "feedback/box.html", context, status=429)
        return redirect("feedback:box_reply", token=raw)
    return render(request, "feedback/box.html", context)


def box_reply(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's private link: their message, its status and the reply."""
    item = selectors.feedback_by_link(token=token)
    return render(request, "feedback/box_reply.html", {"item": item})


# --- staff ----------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    status = request.GET.get("status") or None
    items = selectors.feedback_items(fetched_by=principal, status=status)[:300]
    return render(
        request,
        "feedback/inbox.html",
        {"items": items, "status": status, "topic_labels": _topic_labels()},
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    item = selectors.feedback_item(fetched_by=principal, pk=pk)
    form = FormState()
    if request.method == "POST":
        try:
            payload = parse(FeedbackReplyIn, request.POST)
            services.feedback_reply(actor=principal, item=item, text=payload.reply)
        except ValidationFailed as exc:
            form = FormState.failed(request.POST, exc)
        else:
            return redirect("feedback:item", pk=pk)
    labels = _topic_labels()
    topics = [labels.get(t, t) for t in item.topics]
    return render(
        request,
        "feedback/item.html",
        {"item": item, "topics": topics, "form": form},
        status=422 if form.message else 200,
    )


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    open_only = request.GET.get("all") != "1"
    rows = selectors.follow_ups(fetched_by=principal, open_only=open_only)[:300]
    return _follow_ups_page(request, principal, rows=list(rows), open_only=open_only)


def _follow_ups_page(
    request: HttpRequest,
    principal: Principal,
    *,
    rows: list[FollowUp] | None = None,
    open_only: bool = True,
    pad_form: FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    if rows is None:
        rows = list(selectors.follow_ups(fetched_by=principal, open_only=open_only)[:300])
    unit = getattr(principal, "org_unit", None)
    pad = None
    # The form is offered to whoever pad_config_set would accept here (the service checks again).
    if unit is not None and has(principal, "feedback.change_padconfig", unit=unit):
        pad = selectors.pad_settings(fetched_by=principal, outlet=unit)
    return render(
        request,
        "feedback/follow_ups.html",
        {
            "rows": rows,
            "open_only": open_only,
            "pad": pad,
            "pad_reasons": "\n".join(pad.reasons) if pad else "",
            "unit": unit,
            "pad_form": pad_form or FormState(),
        },
        status=status,
    )


@login_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    found = selectors.follow_up(fetched_by=principal, pk=pk)
    form = FormState()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                services.follow_up_start(actor=principal, follow_up=found)
            else:
                payload = parse(FollowUpCloseIn, request.POST)
                services.follow_up_close(
                    actor=principal, follow_up=found, outcome=payload.outcome, note=payload.note
                )
        except ValidationFailed as exc:
            form = FormState.failed(request.POST, exc)
        else:
            return redirect("feedback:follow_up", pk=pk)
    return render(
        request,
        "feedback/follow_up.html",
        {"f": found, "outcomes": FollowUp.Outcome.choices, "form": form},
        status=422 if form.message else 200,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The staff member's own stream of ratings and feedback."""
    entries = selectors.own_stream(fetched_by=request_principal(request))
    return render(request, "feedback/mine.html", {"entries": entries})


def _range(request: HttpRequest, days: int = 30) -> tuple[dt.date, dt.date]:
    today = clock.today()
    try:
        end = dt.date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else today
        start = (
            dt.date.fromisoformat(request.GET.get("start", ""))
            if request.GET.get("start")
            else end - dt.timedelta(days=days - 1)
        )
    except ValueError as exc:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "start", "reason": _("Enter a date as YYYY-MM-DD.")}],
        ) from exc
    return start, end


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """评价率 / 满意度 by counter, staff, outlet or org level and period."""
    principal = request_principal(request)
    start, end = _range(request)
    group = request.GET.get("group", "outlet")
    period = request.GET.get("period", "week")
    rows = selectors.evaluation_table(fetched_by=principal, start=start, end=end, group=group, period=period)
    return render(
        request,
        "feedback/figures.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "group": group,
            "period": period,
            "groups": selectors.GROUPS,
            "periods": selectors.PERIODS,
        },
    )


def _unit(request: HttpRequest, principal: Principal, code: str = "") -> OrgUnit:
    code = code or request.GET.get("unit") or request.POST.get("unit") or ""
    if code:
        return core_selectors.org_unit(fetched_by=principal, code=code)
    unit = getattr(principal, "org_unit", None)
    if unit is None:
        raise NotFound()
    return unit


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    """NPS/CSAT against targets, plus the survey file upload."""
    principal = request_principal(request)
    unit = _unit(request, principal)
    start, end = _range(request, days=90)
    context: dict[str, Any] = {
        "unit": unit,
        "start": start,
        "end": end,
        "units": core_selectors.org_units(fetched_by=principal),
        "measures": SurveyTarget.Measure.choices,
        "errors": [],
        "summary": None,
        "can_import": has(principal, "feedback.add_surveybatch", unit=unit),
        "can_set_target": has(principal, "feedback.change_surveytarget", unit=unit),
        "target_form": FormState(),
    }
    if request.method == "POST":
        if request.POST.get("action") == "target":
            try:
                payload = parse(SurveyTargetIn, request.POST)
                services.survey_target_set(
                    actor=principal, org_unit=unit, measure=payload.measure, target=payload.target
                )
            except ValidationFailed as exc:
                context["target_form"] = FormState.failed(request.POST, exc)
                return _surveys_page(request, principal, context, status=422)
            return redirect(f"{request.path}?unit={unit.code}")
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(
                    _("Choose a file."), details=[{"field": "file", "reason": _("This field is required.")}]
                )
            name = upload.name or "upload"
            suffix = Path(name).suffix.lower()
            with NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                context["summary"] = importers.survey_import_file(
                    Path(handle.name), actor=principal, org_unit=unit, file_name=name
                )
        except ValidationFailed as exc:
            context["errors"] = exc.details
            return _surveys_page(request, principal, context, status=422)
    return _surveys_page(request, principal, context)


def _surveys_page(
    request: HttpRequest, principal: Principal, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Figures are read once, after any import, so the page shows what was just stored.
    unit, start, end = context["unit"], context["start"], context["end"]
    figures = selectors.survey_figures(fetched_by=principal, unit=unit, start=start, end=end)
    context["figures"] = figures
    context["progress"] = selectors.target_progress(fetched_by=principal, unit=unit, figures=figures)
    return render(request, "feedback/surveys.html", context, status=status)


@login_required
def insights(request: HttpRequest) -> HttpResponse:
    """Trending terms and topics in what customers wrote (F6)."""
    principal = request_principal(request)
    unit = _unit(request, principal)
    start, end = _range(request)
    topic_counts, sentiments = selectors.topic_and_sentiment_counts(
        fetched_by=principal, unit=unit, start=start, end=end
    )
    labels = _topic_labels()
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "units": core_selectors.org_units(fetched_by=principal),
        "terms": selectors.trending_terms(fetched_by=principal, unit=unit, start=start, end=end),
        "negative_terms": selectors.trending_terms(
            fetched_by=principal, unit=unit, start=start, end=end, negative_only=True
        ),
        "topics": sorted(((labels.get(k, k), v) for k, v in topic_counts.items()), key=lambda kv: -kv[1]),
        "sentiments": [(label, sentiments.get(value, 0)) for value, label in FeedbackItem.Sentiment.choices],
    }
    return render(request, "feedback/insights.html", context)


@login_required
@require_POST
def pad_settings_save(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(PadConfigIn, request.POST)
        unit = _unit(request, principal, payload.unit)
        services.pad_config_set(
            actor=principal,
            outlet=unit if unit.kind == "outlet" else None,  # head office sets the bank-wide default
            window_seconds=payload.window_seconds,
            reasons=payload.reason_list(),
        )
    except ValidationFailed as exc:
        return _follow_ups_page(request, principal, pad_form=FormState.failed(request.POST, exc), status=422)
    return redirect("feedback:follow_ups")
