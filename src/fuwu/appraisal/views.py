"""Appraisal screens: rankings that explain every score, and the quarterly briefing page (thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fuwu.appraisal import figures, selectors, services
from fuwu.appraisal.schemas import BriefingIn
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.models import OrgUnit
from fuwu.core.scoping import get_visible


def _default_quarter() -> str:
    """The last complete quarter (the one a briefing is usually about)."""
    month = figures.period(figures.current_month())
    label = f"{month.start.year}-Q{(month.start.month - 1) // 3 + 1}"
    return figures.shift(label, -1)


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    cards = list(selectors.scorecards(principal))
    chosen = next((c for c in cards if str(c.pk) == request.GET.get("card")), cards[0] if cards else None)
    period_label = request.GET.get("period") or _default_quarter()
    within = None
    if request.GET.get("unit"):
        within = get_visible(OrgUnit.objects.all(), principal, pk=request.GET["unit"])
    ranked = None
    if chosen is not None:
        ranked = selectors.ranking(principal, scorecard=chosen, period_label=period_label, within=within)
    return render(
        request,
        "appraisal/ranking.html",
        {
            "cards": cards,
            "card": chosen,
            "ranked": ranked,
            "period_label": ranked.period.label if ranked else period_label,
            "prev_label": figures.shift(ranked.period.label, -1) if ranked else "",
            "next_label": figures.shift(ranked.period.label, 1) if ranked else "",
            "within": within,
        },
    )


@login_required
def briefings(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    units = selectors.briefing_units(principal)
    jobs = list(selectors.briefing_jobs(principal)[:20])
    form = form or FormState(
        values={"quarter": _default_quarter(), "unit_code": units[0].code if units else ""}
    )
    return render(
        request, "appraisal/briefings.html", {"units": units, "jobs": jobs, "form": form}, status=status
    )


@login_required
@require_POST
def briefing_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(BriefingIn, request.POST)
        unit = next((u for u in selectors.briefing_units(principal) if u.code == payload.unit_code), None)
        if unit is None:
            raise ValidationFailed(
                _unit_unknown(), details=[{"field": "unit_code", "reason": _unit_unknown()}]
            )
        services.briefing_request(
            actor=principal, unit=unit, quarter=payload.quarter.upper(), whole_bank=payload.whole_bank
        )
    except ValidationFailed as exc:
        return briefings(request, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:briefings")


def _unit_unknown() -> str:
    from django.utils.translation import gettext as _

    return _("Choose one of the offered values.")


@login_required
def briefing_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.briefing_job(request_principal(request), job_id)
    return render(request, "appraisal/partials/briefing_job.html", {"job": job})


@login_required
def briefing_download(request: HttpRequest, job_id: int, name: str) -> FileResponse:
    path = selectors.briefing_file(request_principal(request), job_id=job_id, name=name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
