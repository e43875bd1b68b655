"""Pages: the counter pad, the public feedback box and private reply link, and the staff's feedback work.

Views check nothing themselves: selectors refuse reads and services refuse writes (core.access). Each form
is parsed with its action's schema (feedback.schemas, shared with the API); a failed post re-renders the
page with what was typed and each field's error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from tempfile import NamedTemporaryFile
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, Throttled, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListQueryIn, ListSpec, Sort, listing
from fuwu.core.models import OrgUnit
from fuwu.core.net import client_ip
from fuwu.core.principals import Principal, system
from fuwu.feedback import importers, selectors, services
from fuwu.feedback.models import FeedbackItem, FollowUp, SurveyTarget
from fuwu.feedback.schemas import (
    ComplimentIn,
    FeedbackQueryIn,
    FeedbackReplyIn,
    FeedbackSubmitIn,
    FollowUpCloseIn,
    PadConfigIn,
    ReasonQueryIn,
    SurveyTargetIn,
)
from fuwu.feedback.states import ANSWER_FEEDBACK

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
                compliment=payload.compliment,
                counter_number=payload.counter_number,
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


@never_cache  # the customer's message and our reply, on a phone or a shared tablet (#18)
def box_reply(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's private link: their message, its status and the reply."""
    item = selectors.feedback_by_link(token=token)
    return render(request, "feedback/box_reply.html", {"item": item})


# --- staff ----------------------------------------------------------------------------------------------


PAGE_SIZE = 25


def _trend_chart(
    principal: Principal, where: selectors.FeedbackFilter, list_query: dict[str, str], period: str
) -> dict[str, Any]:
    """The trend chart's data: per bucket and sentiment a count and the link to the messages behind it."""
    points = selectors.sentiment_trend(fetched_by=principal, where=where, period=period)
    labels = dict(FeedbackItem.Sentiment.choices)
    span = dt.timedelta(days=6 if period == "week" else 0)
    base = reverse("feedback:inbox")
    hrefs = []
    for point in points:
        last = min(point["day"] + span, where.end or point["day"])
        row = []
        for name in selectors.SENTIMENTS:
            query = {
                **list_query,
                "start": point["day"].isoformat(),
                "end": last.isoformat(),
                "sentiment": name,
            }
            row.append(base + "?" + urlencode({k: v for k, v in query.items() if v}))
        hrefs.append(row)
    return {
        "days": [p["day"].isoformat() for p in points],
        "series": [
            {"key": name, "name": str(labels[name]), "data": [p[name] for p in points]}
            for name in selectors.SENTIMENTS
        ],
        "hrefs": hrefs,
    }


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The feedback list (F3) and the drill-down behind every F6 figure: filtered, paged, counted, charted."""
    principal = request_principal(request)
    form = FormState(values=request.GET.dict())
    try:
        query = parse(FeedbackQueryIn, request.GET)
    except ValidationFailed as exc:
        query, form = FeedbackQueryIn(), FormState.failed(request.GET, exc)
    unit = core_selectors.org_unit(fetched_by=principal, code=query.unit) if query.unit else None
    where = selectors.FeedbackFilter(
        unit=unit,
        status=query.status or None,
        sentiment=query.sentiment or None,
        topic=query.topic or None,
        term=query.term or None,
        start=query.start,
        end=query.end,
        compliment={"yes": True, "no": False}.get(query.compliment),
    )
    page = Paginator(selectors.feedback_filtered(fetched_by=principal, where=where), PAGE_SIZE).get_page(
        query.page
    )
    # The chart shows the same messages over time: the dates asked, else the last 30 days.
    end = query.end or clock.today()
    start = query.start or end - dt.timedelta(days=29)
    list_query = {
        k: v for k, v in request.GET.dict().items() if k not in ("page", "start", "end", "sentiment") and v
    }
    chart = _trend_chart(principal, replace(where, start=start, end=end), list_query, query.period)
    keep = request.GET.copy()
    keep.pop("page", None)
    labels = _topic_labels()
    rows = [(i, [labels.get(t, t) for t in i.topics]) for i in page.object_list]
    return render(
        request,
        "feedback/inbox.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "query": query,
            "unit": unit,
            "filters": keep.urlencode(),
            "topic_label": labels.get(query.topic, query.topic),
            "chart": chart,
            "chart_start": start,
            "chart_end": end,
            "sentiments": FeedbackItem.Sentiment.choices,
        },
        status=422 if form.message else 200,
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    item = selectors.feedback_item(fetched_by=principal, pk=pk)
    form = FormState()
    triage_form = FormState()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "compliment":
                triage = parse(ComplimentIn, request.POST)
                staff, counter = selectors.compliment_targets(
                    fetched_by=principal, item=item, staff_id=triage.staff, counter_id=triage.counter
                )
                services.feedback_compliment_set(
                    actor=principal,
                    item=item,
                    is_compliment=triage.is_compliment,
                    staff=staff,
                    counter=counter,
                )
            else:
                payload = parse(FeedbackReplyIn, request.POST)
                services.feedback_reply(actor=principal, item=item, text=payload.reply)
        except ValidationFailed as exc:
            if request.POST.get("action") == "compliment":
                triage_form = FormState.failed(request.POST, exc)
            else:
                form = FormState.failed(request.POST, exc)
        else:
            return redirect("feedback:item", pk=pk)
    labels = _topic_labels()
    topics = [labels.get(t, t) for t in item.topics]
    context: dict[str, Any] = {"item": item, "topics": topics, "form": form, "triage_form": triage_form}
    # The triage form is offered to whoever feedback_compliment_set would accept (the service checks again).
    if has(principal, ANSWER_FEEDBACK, unit=item.outlet):
        context["can_triage"] = True
        context["staff_choices"], context["counter_choices"] = selectors.compliment_choices(
            fetched_by=principal, outlet=item.outlet
        )
    return render(
        request,
        "feedback/item.html",
        context,
        status=422 if form.message or triage_form.message else 200,
    )


FOLLOW_UP_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-opened_at",)),
        Sort("due", gettext_lazy("Due soonest"), ("due_at",)),
        Sort("old", gettext_lazy("Oldest first"), ("opened_at",)),
    ),
    text=("summary", "staff__display_name", "owner__display_name"),
    state_field="status",
    states=FollowUp.Status.choices,
    unit_field="outlet",
    date_field="opened_at",
    mine=("owner",),
)


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    return _follow_ups_page(request, request_principal(request))


def _follow_ups_page(
    request: HttpRequest,
    principal: Principal,
    *,
    pad_form: FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    # Paged, counted and newest first (#19): head office reads every outlet's, not the 300 oldest.
    open_only = request.GET.get("all") != "1" and not request.GET.get("state")
    rows = selectors.follow_ups(fetched_by=principal, open_only=open_only)
    found = listing(request, rows, FOLLOW_UP_LIST, principal=principal)
    unit = getattr(principal, "org_unit", None)
    pad = None
    # The form is offered to whoever pad_config_set would accept here (the service checks again).
    if unit is not None and has(principal, "feedback.change_padconfig", unit=unit):
        pad = selectors.pad_settings(fetched_by=principal, outlet=unit)
    return render(
        request,
        "feedback/follow_ups.html",
        {
            **found.context(),
            "open_only": open_only,
            "extra": [("all", "1")] if not open_only and not found.values["state"] else [],
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


MINE_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-when",)),
        Sort("old", gettext_lazy("Oldest first"), ("when",)),
    ),
    search=True,
    state_field="kind",
    states=(("evaluation", gettext_lazy("Pad rating")), ("feedback", gettext_lazy("Feedback box"))),
    state_label=gettext_lazy("Kind"),
    date_field="when",
    narrowed_by_selector=True,  # one union over two tables: own_stream applies the query
)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The staff member's own stream of ratings and feedback, paged and counted (#19; it stopped at 100)."""
    principal = request_principal(request)
    query = parse(ListQueryIn, request.GET)
    rows = selectors.own_stream(
        fetched_by=principal, kind=query.state, since=query.since, until=query.until, q=query.q.strip()
    )
    found = listing(request, rows, MINE_LIST, principal=principal, query=query)
    return render(
        request,
        "feedback/mine.html",
        {**found.context(), "entries": selectors.stream_entries(fetched_by=principal, rows=found.rows)},
    )


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
    """What customers say (F6): the sentiment trend, topics, frequent and rising phrases, and the pad's
    reason tags apart; every number links to the messages (or ratings) behind it."""
    principal = request_principal(request)
    unit = _unit(request, principal)
    start, end = _range(request)
    topic_counts, sentiments = selectors.topic_and_sentiment_counts(
        fetched_by=principal, unit=unit, start=start, end=end
    )
    labels = _topic_labels()
    scope = {"unit": unit.code, "start": start.isoformat(), "end": end.isoformat()}
    inbox_url = reverse("feedback:inbox")

    def drill(**extra: str) -> str:
        return inbox_url + "?" + urlencode({**scope, **extra})

    period = "week" if (end - start).days > 62 else "day"
    where = selectors.FeedbackFilter(unit=unit, start=start, end=end)
    words = selectors.term_insights(fetched_by=principal, unit=unit, start=start, end=end)
    reasons_url = reverse("feedback:reasons")
    can_see_ratings = has(principal, "feedback.view_evaluation", unit=unit)
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "units": core_selectors.org_units(fetched_by=principal),
        "chart": _trend_chart(principal, where, {"unit": unit.code, "period": period}, period),
        "period": period,
        "sentiments": [
            (label, sentiments.get(value, 0), drill(sentiment=value))
            for value, label in FeedbackItem.Sentiment.choices
        ],
        "topics": sorted(
            ((labels.get(k, k), v, drill(topic=k)) for k, v in topic_counts.items()), key=lambda row: -row[1]
        ),
        "words": words,
        "frequent": [(t, n, drill(term=t)) for t, n in words.frequent],
        "rising": [(r, drill(term=r.term)) for r in words.rising],
        "negative_terms": [
            (t, n, drill(term=t, sentiment="negative"))
            for t, n in selectors.trending_terms(
                fetched_by=principal, unit=unit, start=start, end=end, negative_only=True
            )
        ],
        "reasons": [
            (r, n, reasons_url + "?" + urlencode({**scope, "reason": r}))
            for r, n in (
                selectors.reason_counts(fetched_by=principal, unit=unit, start=start, end=end)
                if can_see_ratings
                else []
            )
        ],
        "can_see_ratings": can_see_ratings,
    }
    return render(request, "feedback/insights.html", context)


@login_required
def reasons(request: HttpRequest) -> HttpResponse:
    """Drill-down from one of the pad's reason tags to the ratings that carry it (paged, counted)."""
    principal = request_principal(request)
    query = parse(ReasonQueryIn, request.GET)
    unit = _unit(request, principal, query.unit)
    rated = selectors.rated_with_reason(
        fetched_by=principal, unit=unit, reason=query.reason, start=query.start, end=query.end
    )
    page = Paginator(rated, PAGE_SIZE).get_page(query.page)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "feedback/reasons.html",
        {"page": page, "query": query, "unit": unit, "filters": keep.urlencode()},
    )


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
