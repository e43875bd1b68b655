"""Pages: the counter pad, the public feedback box and private reply link, and the staff's feedback work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from tempfile import NamedTemporaryFile
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.errors import Forbidden, NotFound, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM
from fuwu.feedback import importers, selectors, services
from fuwu.feedback.models import FeedbackItem, FollowUp, SurveyTarget
from fuwu.feedback.text.analysis import TOPIC_LABELS


def pad(request: HttpRequest) -> HttpResponse:
    """The tablet at the counter: a shell that reads its device token and polls the pad API."""
    return render(request, "feedback/pad.html")


# --- public feedback box --------------------------------------------------------------------------------


def box_outlets(request: HttpRequest) -> HttpResponse:
    """Online entry: pick the outlet the message is about."""
    outlets = selectors.public_outlets()
    return render(request, "feedback/box_outlets.html", {"outlets": outlets})


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def box(request: HttpRequest, outlet_code: str) -> HttpResponse:
    """The form behind the outlet's QR code (?qr=1) and the online link."""
    outlet = selectors.public_outlet(outlet_code)
    services_offered = selectors.public_services(outlet)
    channel = "qr" if request.GET.get("qr") or request.POST.get("channel") == "qr" else "online"
    context = {
        "outlet": outlet,
        "services": services_offered,
        "subjects": FeedbackItem.Subject.choices,
        "channel": channel,
        "form": request.POST,
        "errors": [],
    }
    if request.method == "POST":
        service = services_offered.filter(pk=request.POST.get("service") or 0).first()
        try:
            _item, raw = services.feedback_submit(
                actor=SYSTEM,
                outlet=outlet,
                text=request.POST.get("text", ""),
                client=_client_address(request),
                channel=channel,
                subject=request.POST.get("subject", "outlet"),
                staff_code=request.POST.get("staff_code", ""),
                service=service,
                contact_name=request.POST.get("contact_name", ""),
                phone=request.POST.get("phone", ""),
            )
        except ValidationFailed as exc:
            context["errors"] = exc.details
            return render(request, "feedback/box.html", context, status=422)
        return redirect("feedback:box_reply", token=raw)
    return render(request, "feedback/box.html", context)


def box_reply(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's private link: their message, its status and the reply."""
    item = services.feedback_by_access_token(token)
    return render(request, "feedback/box_reply.html", {"item": item})


# --- staff ----------------------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)  # every caller is behind login_required


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Forbidden("Your role may not open this page.")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _need(request, "feedback.view_feedbackitem")
    status = request.GET.get("status") or None
    items = selectors.feedback_items(request.user, status=status)[:300]
    return render(
        request,
        "feedback/inbox.html",
        {"items": items, "status": status, "now": clock.now(), "topic_labels": TOPIC_LABELS},
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "feedback.view_feedbackitem")
    item = selectors.feedback_item(request.user, pk)
    if request.method == "POST":
        services.feedback_reply(actor=_staff(request), item=item, text=request.POST.get("reply", ""))
        return redirect("feedback:item", pk=pk)
    topics = [TOPIC_LABELS.get(t, t) for t in item.topics]
    return render(request, "feedback/item.html", {"item": item, "topics": topics})


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    _need(request, "feedback.view_followup")
    open_only = request.GET.get("all") != "1"
    rows = selectors.follow_ups(request.user, open_only=open_only)[:300]
    unit = _staff(request).org_unit
    pad = services.pad_settings(unit) if unit is not None and unit.kind == "outlet" else None
    return render(
        request,
        "feedback/follow_ups.html",
        {
            "rows": rows,
            "open_only": open_only,
            "now": clock.now(),
            "pad": pad,
            "pad_reasons": "\n".join(pad.reasons) if pad else "",
            "unit": unit,
        },
    )


@login_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "feedback.view_followup")
    found = selectors.follow_up(request.user, pk)
    if request.method == "POST":
        if request.POST.get("action") == "start":
            services.follow_up_start(actor=_staff(request), follow_up=found)
        else:
            services.follow_up_close(
                actor=_staff(request),
                follow_up=found,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
            )
        return redirect("feedback:follow_up", pk=pk)
    return render(request, "feedback/follow_up.html", {"f": found, "outcomes": FollowUp.Outcome.choices})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The staff member's own stream of ratings and feedback."""
    return render(request, "feedback/mine.html", {"entries": selectors.own_stream(_staff(request))})


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
            "Dates are YYYY-MM-DD.", details=[{"field": "start", "reason": "date"}]
        ) from exc
    return start, end


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """评价率 / 满意度 by counter, staff, outlet or org level and period."""
    _need(request, "feedback.view_evaluation")
    start, end = _range(request)
    group = request.GET.get("group", "outlet")
    period = request.GET.get("period", "week")
    rows = selectors.evaluation_table(request.user, start=start, end=end, group=group, period=period)
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


def _unit(request: HttpRequest) -> OrgUnit:
    code = request.GET.get("unit") or request.POST.get("unit")
    if code:
        return core_selectors.org_unit(fetched_by=request.user, code=code)
    unit = _staff(request).org_unit
    if unit is None:
        raise NotFound()
    return unit


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    """NPS/CSAT against targets, plus the survey file upload."""
    _need(request, "feedback.view_surveyresponse")
    unit = _unit(request)
    start, end = _range(request, days=90)
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "units": core_selectors.org_units(fetched_by=request.user),
        "measures": SurveyTarget.Measure.choices,
        "errors": [],
        "summary": None,
        "can_import": request.user.has_perm("feedback.add_surveybatch"),
    }
    if request.method == "POST":
        if request.POST.get("action") == "target":
            _need(request, "feedback.change_surveytarget")
            try:
                value = Decimal(request.POST.get("target", ""))
            except InvalidOperation as exc:
                raise ValidationFailed(
                    "A target is a number.", details=[{"field": "target", "reason": "number"}]
                ) from exc
            services.survey_target_set(
                actor=request.user, org_unit=unit, measure=request.POST.get("measure", ""), target=value
            )
            return redirect(f"{request.path}?unit={unit.code}")
        _need(request, "feedback.add_surveybatch")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("Choose a file.", details=[{"field": "file", "reason": "required"}])
        name = upload.name or "upload"
        suffix = Path(name).suffix.lower()
        with NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                context["summary"] = importers.survey_import_file(
                    Path(handle.name), actor=request.user, org_unit=unit, file_name=name
                )
            except ValidationFailed as exc:
                context["errors"] = exc.details
                return _surveys_page(request, context, status=422)
    return _surveys_page(request, context)


def _surveys_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # Figures are read once, after any import, so the page shows what was just stored.
    unit, start, end = context["unit"], context["start"], context["end"]
    figures = selectors.survey_figures(request.user, unit=unit, start=start, end=end)
    context["figures"] = figures
    context["progress"] = selectors.target_progress(unit=unit, figures=figures)
    return render(request, "feedback/surveys.html", context, status=status)


@login_required
def insights(request: HttpRequest) -> HttpResponse:
    """Trending terms and topics in what customers wrote (F6)."""
    _need(request, "feedback.view_feedbackitem")
    unit = _unit(request)
    start, end = _range(request)
    topic_counts, sentiments = selectors.topic_and_sentiment_counts(
        request.user, unit=unit, start=start, end=end
    )
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "units": core_selectors.org_units(fetched_by=request.user),
        "terms": selectors.trending_terms(request.user, unit=unit, start=start, end=end),
        "negative_terms": selectors.trending_terms(
            request.user, unit=unit, start=start, end=end, negative_only=True
        ),
        "topics": sorted(
            ((TOPIC_LABELS.get(k, k), v) for k, v in topic_counts.items()), key=lambda kv: -kv[1]
        ),
        "sentiments": [(label, sentiments.get(value, 0)) for value, label in FeedbackItem.Sentiment.choices],
    }
    return render(request, "feedback/insights.html", context)


@login_required
@require_POST
def pad_settings_save(request: HttpRequest) -> HttpResponse:
    _need(request, "feedback.change_padconfig")
    unit = _unit(request)
    try:
        window = int(request.POST.get("window_seconds", ""))
    except ValueError as exc:
        raise ValidationFailed(
            "Seconds are a number.", details=[{"field": "window_seconds", "reason": "number"}]
        ) from exc
    services.pad_config_set(
        actor=request.user,
        outlet=unit if unit.kind == "outlet" else None,  # head office sets the bank-wide default
        window_seconds=window,
        reasons=request.POST.get("reasons", "").splitlines(),
    )
    return redirect("feedback:follow_ups")
