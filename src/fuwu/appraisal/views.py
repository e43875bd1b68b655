"""Appraisal screens: rankings that explain every score, and the quarterly briefing page (thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.appraisal import figures, scoring, selectors, services
from fuwu.appraisal.models import BriefingJob, Level, Rule, StarPolicy, StarRound
from fuwu.appraisal.schemas import (
    BriefingIn,
    NominationIn,
    PeerFigureIn,
    ScorecardIn,
    ScorecardItemIn,
    StarPolicyIn,
    WeightIn,
)
from fuwu.core import access
from fuwu.core import roles as core_roles
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.models import OrgUnit, User
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


BRIEFING_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-requested_at",)),
        Sort("old", gettext_lazy("Oldest first"), ("requested_at",)),
        Sort("quarter", gettext_lazy("Latest quarter first"), ("-quarter", "unit__path")),
    ),
    text=("quarter", "unit__name", "message"),
    state_field="status",
    states=BriefingJob.Status.choices,
    unit_field="unit",
    date_field="requested_at",
    mine=("requested_by",),
    per_page=20,
)


@login_required
def briefings(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    units = selectors.briefing_units(principal)
    # Paged, counted and filtered (#19): the page showed the newest 20 briefings.
    found = listing(request, selectors.briefing_jobs(principal), BRIEFING_LIST, principal=principal)
    form = form or FormState(
        values={"quarter": _default_quarter(), "unit_code": units[0].code if units else ""}
    )
    return render(
        request,
        "appraisal/briefings.html",
        {**found.context(), "units": units, "form": form},
        status=status,
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


# --- service stars (K5) ----------------------------------------------------------------------------


@login_required
def stars(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    month = request.GET.get("month") or figures.current_month()
    rounds = list(selectors.star_rounds(principal, month=month))
    pending = list(selectors.star_rounds(principal, status=StarRound.Status.SUBMITTED))
    home = access.home_unit(principal)
    can_open = (
        home is not None
        and home.kind == OrgUnit.Kind.OUTLET
        and access.has(principal, "appraisal.nominate_star", unit=home)
    )
    return render(
        request,
        "appraisal/stars.html",
        {
            "month": month,
            "rounds": rounds,
            "pending": [r for r in pending if r.month != month or r not in rounds],
            "can_open": can_open and not any(r.outlet_id == home.pk for r in rounds if home is not None),
            "home": home,
            "prev_month": figures.shift(month, -1),
            "next_month": figures.shift(month, 1),
        },
    )


@login_required
@require_POST
def star_open(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    home = access.home_unit(principal)
    if home is None:
        raise NotFound()
    r = services.star_round_open(actor=principal, outlet=home, month=request.POST.get("month", ""))
    return redirect("appraisal:star_round", round_id=r.pk)


@login_required
def star_round(
    request: HttpRequest, round_id: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    principal = request_principal(request)
    r = selectors.star_round(principal, round_id)
    staff = User.objects.filter(org_unit=r.outlet, is_active=True).order_by("display_name")
    return render(
        request,
        "appraisal/star_round.html",
        {
            "round": r,
            "candidates": selectors.star_candidates(principal, r),
            "nominations": list(r.nominations.select_related("staff")),
            "staff": staff,
            "policy": selectors.star_policy(principal, month=r.month),
            "form": form or FormState(),
        },
        status=status,
    )


@login_required
@require_POST
def star_nominate(request: HttpRequest, round_id: int) -> HttpResponse:
    principal = request_principal(request)
    r = selectors.star_round(principal, round_id)
    try:
        payload = parse(NominationIn, request.POST)
        staff = User.objects.filter(pk=payload.staff_id, org_unit=r.outlet).first()
        if staff is None:
            raise ValidationFailed(
                _unit_unknown(), details=[{"field": "staff_id", "reason": _unit_unknown()}]
            )
        services.star_nominate(actor=principal, round=r, staff=staff, reason=payload.reason)
    except ValidationFailed as exc:
        return star_round(request, round_id, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:star_round", round_id=r.pk)


STAR_ACTIONS = {
    "rank": services.star_round_rank,
    "submit": services.star_submit,
    "approve": services.star_approve,
    "send_back": services.star_send_back,
}


@login_required
@require_POST
def star_act(request: HttpRequest, round_id: int, name: str) -> HttpResponse:
    principal = request_principal(request)
    r = selectors.star_round(principal, round_id)
    act = STAR_ACTIONS.get(name)
    if act is None:
        raise NotFound()
    try:
        act(actor=principal, round=r)
    except ValidationFailed as exc:
        return star_round(request, round_id, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:star_round", round_id=r.pk)


@login_required
def star_policy(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    schedule = selectors.star_policies(principal)
    month = figures.shift(figures.current_month(), 1)
    if form is None:
        # The form starts from next month with the rule in force then, to be changed where needed.
        base = selectors.star_policy(principal, month=month)
        form = FormState(
            values={
                "month": month,
                **{
                    name: f"{getattr(base, name):g}"
                    if isinstance(getattr(base, name), float)
                    else str(getattr(base, name))
                    for name in StarPolicyIn.model_fields
                    if name != "month"
                },
            }
        )
    return render(
        request,
        "appraisal/star_policy.html",
        {
            "schedule": schedule,
            "current": selectors.star_policy(principal, month=figures.current_month()),
            "form": form,
            "actions": StarPolicy.Upheld.choices,
            "can_edit": access.has(principal, "appraisal.change_starpolicy"),
        },
        status=status,
    )


@login_required
@require_POST
def star_policy_set(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(StarPolicyIn, request.POST)
        services.star_policy_set(actor=principal, **payload.rule())
    except ValidationFailed as exc:
        failed = FormState.failed(request.POST, exc)
        if "effective_from" in failed.errors:  # the service names the date the form asks as a month
            failed.errors["month"] = failed.errors.pop("effective_from")
        return star_policy(request, failed, status=422)
    return redirect("appraisal:star_policy")


@login_required
def star_wall(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    return render(request, "appraisal/star_wall.html", {"stars": selectors.star_wall(principal)})


# --- benchmarking (K7) -----------------------------------------------------------------------------


@login_required
def peers(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    year = request.GET.get("year")
    rows = selectors.benchmark(principal, year=int(year) if year and year.isdigit() else None)
    return render(
        request,
        "appraisal/peers.html",
        {
            "rows": rows,
            "measures": figures.peer_measures(),
            "form": form or FormState(values={"same_definition": "true"}),
            "can_edit": access.has(principal, "appraisal.add_peerfigure"),
        },
        status=status,
    )


@login_required
@require_POST
def peer_save(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(PeerFigureIn, request.POST)
        services.peer_figure_set(actor=principal, **payload.dict())
    except ValidationFailed as exc:
        return peers(request, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:peers")


@login_required
@require_POST
def peer_import(request: HttpRequest) -> HttpResponse:
    import tempfile
    from pathlib import Path

    from fuwu.appraisal import importers
    from fuwu.core.tabular import MAX_BYTES

    principal = request_principal(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(_unit_unknown(), details=[{"field": "file", "reason": _unit_unknown()}])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "peers.xlsx"
            # One byte over the limit is enough for core.tabular to refuse it; the rest is never read.
            path.write_bytes(upload.read(MAX_BYTES + 1))
            rows = importers.read_rows(path)
        importers.import_rows(principal, rows)
    except ValidationFailed as exc:
        reasons = "; ".join(f"{d.get('row', '')}: {d.get('reason', '')}" for d in exc.details or [])
        failed = FormState(values={}, errors={"file": reasons}, message=exc.message)
        return peers(request, failed, status=422)
    return redirect("appraisal:peers")


# --- scorecards (K4) -------------------------------------------------------------------------------


@login_required
def scorecards(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    cards = []
    for card in selectors.scorecards(principal):
        items = list(card.items.all())
        dates = sorted({w.effective_from for item in items for w in item.weights.all()})
        rows = [
            {
                "item": item,
                "measure": figures.measure(item.measure),
                "weights": [
                    next((w.weight for w in item.weights.all() if w.effective_from == d), None) for d in dates
                ],
            }
            for item in items
        ]
        totals = [
            sum(
                scoring.weight_on(
                    [scoring.WeightStep(w.effective_from, w.weight) for w in i.weights.all()], d
                )
                for i in items
            )
            for d in dates
        ]
        cards.append({"card": card, "dates": dates, "rows": rows, "totals": totals})
    return render(
        request,
        "appraisal/scorecards.html",
        {
            "cards": cards,
            "form": form or FormState(),
            "can_edit": access.has(principal, "appraisal.change_scorecard"),
            "levels": Level.choices,
            "rules": Rule.choices,
            "roles": [(r.code, r.label) for r in core_roles.ROLES],
            "measures": figures.measures(),
        },
        status=status,
    )


@login_required
@require_POST
def scorecard_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(ScorecardIn, request.POST)
        services.scorecard_create(actor=principal, **payload.dict())
    except ValidationFailed as exc:
        return scorecards(request, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:scorecards")


@login_required
@require_POST
def item_new(request: HttpRequest, card_id: int) -> HttpResponse:
    principal = request_principal(request)
    card = selectors.scorecard(principal, card_id)
    try:
        payload = parse(ScorecardItemIn, request.POST)
        services.scorecard_item_add(actor=principal, scorecard=card, **payload.dict())
    except ValidationFailed as exc:
        return scorecards(request, FormState.failed(request.POST, exc), status=422)
    return redirect("appraisal:scorecards")


@login_required
@require_POST
def weight_set(request: HttpRequest, item_id: int) -> HttpResponse:
    principal = request_principal(request)
    item = selectors.scorecard_item(principal, item_id)
    try:
        payload = parse(WeightIn, request.POST)
        services.scorecard_weight_set(
            actor=principal, item=item, effective_from=payload.effective_from, weight=payload.weight
        )
    except ValidationFailed as exc:
        failed = FormState.failed(request.POST, exc)
        failed.values = {**failed.values, "item": str(item_id)}
        return scorecards(request, failed, status=422)
    return redirect("appraisal:scorecards")
