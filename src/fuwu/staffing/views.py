"""Staffing pages: plan list and build form, a week's plan (requirement vs roster, edits, what-if), contact centre."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.staffing import selectors, services
from fuwu.staffing.models import CallLine, Channel, StaffingPlan
from fuwu.staffing.schemas import PlanIn, PublishIn, ShiftIn


def _next_monday() -> dt.date:
    today = clock.today()
    return today + dt.timedelta(days=7 - today.weekday())


def _date(value: str | None, default: dt.date) -> dt.date:
    """A date from the query string; anything unreadable means the default (a page, not a form)."""
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


PLAN_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Latest week first"), ("-week_start",)),
        Sort("unit", gettext_lazy("By unit"), ("unit__path", "-week_start")),
    ),
    text=("unit__name",),
    state_field="status",
    states=StaffingPlan.Status.choices,
    unit_field="unit",
    date_field="week_start",
)


@login_required
def plans(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    found = listing(request, selectors.plans(fetched_by=principal), PLAN_LIST, principal=principal)
    context = {
        **found.context(),
        "units": core_selectors.org_units(fetched_by=principal),
        "channels": Channel.choices,
        "next_monday": _next_monday(),
        "form": form or FormState(),
    }
    return render(request, "staffing/plans.html", context, status=status)


@login_required
@require_POST
def plan_build(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        data = parse(PlanIn, request.POST)
        unit = core_selectors.org_unit(fetched_by=principal, code=data.unit_code)
        plan = services.staffing_plan_build(
            actor=principal,
            unit=unit,
            channel=data.channel,
            week_start=data.week_start,
            targets=services.plan_targets(
                data.channel,
                target_level=data.level(),
                target_seconds=data.target_seconds,
                aht_seconds=data.aht_seconds,
            ),
        )
    except ValidationFailed as exc:
        return plans(request, FormState.failed(request.POST, exc), status=422)
    return redirect("staffing:plan", plan_id=plan.pk)


def _plan_context(request: HttpRequest, plan_id: int) -> dict[str, object]:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    grid = selectors.plan_grid(fetched_by=principal, plan=plan)
    labels = [c.label for c in grid[0].cells] if grid else []
    rows = [(labels[i], [day.cells[i] for day in grid]) for i in range(len(labels))]
    # The week at a glance: forecast arrivals against required and rostered staff, interval by interval.
    chart = {
        "labels": [f"{day.date:%m-%d} {c.label}" for day in grid for c in day.cells],
        "forecast": [round(c.forecast, 1) for day in grid for c in day.cells],
        "required": [c.required for day in grid for c in day.cells],
        "rostered": [c.rostered for day in grid for c in day.cells],
        "names": {
            "arrivals": _("Arrivals"),
            "staff": _("Staff on duty"),
            "forecast": _("Forecast"),
            "required": _("Required"),
            "rostered": _("Rostered"),
        },
    }
    return {
        "chart": chart,
        "plan": plan,
        "grid": grid,
        "rows": rows,
        "slot_labels": selectors.slot_labels(plan),
        "staff": selectors.rosterable_staff(fetched_by=principal, plan=plan),
        "backtest": plan.backtest,
        "form": FormState(),
    }


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render(request, "staffing/plan.html", _plan_context(request, plan_id))


@login_required
@require_POST
def plan_roster(request: HttpRequest, plan_id: int) -> HttpResponse:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    services.staffing_plan_roster(actor=principal, plan=plan)
    return redirect("staffing:plan", plan_id=plan.pk)


@login_required
@require_POST
def plan_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    try:
        data = parse(PublishIn, request.POST)
        services.staffing_plan_publish(actor=principal, plan=plan, accept_shortfall=data.accept_shortfall)
    except Conflict as exc:
        if exc.code != "below_target":
            raise
        # The page says which days miss the target and asks for an explicit confirmation.
        context = {
            **_plan_context(request, plan_id),
            "shortfall": exc.details["days"],
            "shortfall_message": exc.message,
        }
        return render(request, "staffing/plan.html", context, status=409)
    return redirect("staffing:plan", plan_id=plan.pk)


@login_required
def plan_simulate(request: HttpRequest, plan_id: int) -> HttpResponse:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    days = selectors.plan_simulation(fetched_by=principal, plan=plan, replications=20)
    return render(request, "staffing/partials/simulation.html", {"plan": plan, "days": days})


def _grid_response(
    request: HttpRequest, plan_id: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    if request.headers.get("HX-Request") or form is not None:
        context = _plan_context(request, plan_id)
        if form is not None:
            context["form"] = form
        template = (
            "staffing/partials/plan_grid.html" if request.headers.get("HX-Request") else "staffing/plan.html"
        )
        return render(request, template, context, status=status)
    return redirect("staffing:plan", plan_id=plan_id)


@login_required
@require_POST
def shift_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    principal = request_principal(request)
    plan = selectors.plan(fetched_by=principal, plan_id=plan_id)
    try:
        data = parse(ShiftIn, request.POST)
        services.shift_set(
            actor=principal,
            plan=plan,
            staff=selectors.staff_member(fetched_by=principal, staff_id=data.staff_id),
            date=data.date,
            start_slot=data.start_slot,
            end_slot=data.end_slot,
            lunch_slot=data.lunch_slot,
        )
    except ValidationFailed as exc:
        return _grid_response(request, plan.pk, FormState.failed(request.POST, exc), status=422)
    return _grid_response(request, plan.pk)


@login_required
@require_POST
def shift_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    principal = request_principal(request)
    shift = selectors.shift(fetched_by=principal, shift_id=shift_id)
    services.shift_delete(actor=principal, shift=shift)
    return _grid_response(request, shift.plan_id)


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    day = _date(request.GET.get("date"), clock.today())
    line = request.GET.get("line", CallLine.HOTLINE)
    if line not in CallLine.values:
        line = CallLine.HOTLINE
    # the chosen line's day comes from its 14-day trend: each line's calls are read once per page
    trend = selectors.line_days(fetched_by=principal, line=line, first=day - dt.timedelta(days=13), last=day)
    lines = [
        trend[-1] if code == line else selectors.call_kpis(fetched_by=principal, line=code, day=day)
        for code in CallLine.values
    ]
    plan, rows = selectors.intraday(fetched_by=principal, line=line, day=day, actual=trend[-1])
    chart = {
        "labels": [r.label for r in rows],
        "offered": [r.actual.offered for r in rows],
        "forecast": [round(r.forecast, 1) if r.forecast is not None else None for r in rows],
        "agents": [len(r.actual.agents) for r in rows],
        "required": [r.required for r in rows],
        "names": {
            "calls": _("Calls"),
            "agents": _("Agents"),
            "offered": _("Offered"),
            "forecast": _("Forecast"),
            "required": _("Required"),
        },
    }
    context = {
        "chart": chart,
        "day": day,
        "line": line,
        "line_choices": CallLine.choices,
        "lines": lines,
        "trend": trend,
        "plan": plan,
        "rows": rows,
        "line_labels": dict(CallLine.choices),
    }
    return render(request, "staffing/centre.html", context)
