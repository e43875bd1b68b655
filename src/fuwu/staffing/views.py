"""Staffing pages: plan list and build form, a week's plan (requirement vs roster, edits, what-if), contact centre."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import User
from fuwu.core.scoping import get_visible
from fuwu.staffing import selectors, services
from fuwu.staffing.models import CallLine, Channel


def _next_monday() -> dt.date:
    today = clock.today()
    return today + dt.timedelta(days=7 - today.weekday())


def _date(value: str | None, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("Not a date.", details=[{"field": field, "reason": value}]) from exc


def _int(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationFailed("Not a number.", details=[{"field": field, "reason": value}]) from exc


def _float(value: str | None, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise ValidationFailed("Not a number.", details=[{"field": field, "reason": value}]) from exc


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": selectors.plans(request.user)[:100],
        "units": core_selectors.org_units(fetched_by=request.user),
        "channels": Channel.choices,
        "next_monday": _next_monday(),
    }
    return render(request, "staffing/plans.html", context)


@login_required
@require_POST
def plan_build(request: HttpRequest) -> HttpResponse:
    unit = core_selectors.org_unit(fetched_by=request.user, code=request.POST.get("unit", ""))
    channel = request.POST.get("channel", Channel.BRANCH)
    level = _float(request.POST.get("target_level"), "target_level")  # a percentage on the form
    plan = services.staffing_plan_build(
        actor=request.user,
        unit=unit,
        channel=channel,
        week_start=_date(request.POST.get("week_start"), "week_start", _next_monday()),
        targets=services.plan_targets(channel, target_level=level / 100.0 if level is not None else None),
    )
    return redirect("staffing:plan", plan_id=plan.pk)


def _plan_context(request: HttpRequest, plan_id: int) -> dict[str, object]:
    plan = selectors.plan(request.user, plan_id)
    grid = selectors.plan_grid(plan)
    labels = [c.label for c in grid[0].cells] if grid else []
    rows = [(labels[i], [day.cells[i] for day in grid]) for i in range(len(labels))]
    return {
        "plan": plan,
        "grid": grid,
        "rows": rows,
        "slot_labels": [(i, selectors.slot_label(plan, i)) for i in range(plan.slots + 1)],
        "staff": selectors.rosterable_staff(request.user, plan),
        "can_edit": request.user.has_perm(services.PLAN_PERMISSION) and plan.status == plan.Status.DRAFT,
        "backtest": plan.backtest,
    }


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render(request, "staffing/plan.html", _plan_context(request, plan_id))


@login_required
@require_POST
def plan_roster(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan(request.user, plan_id)
    services.staffing_plan_roster(actor=request.user, plan=plan)
    return redirect("staffing:plan", plan_id=plan.pk)


@login_required
@require_POST
def plan_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan(request.user, plan_id)
    services.staffing_plan_publish(actor=request.user, plan=plan)
    return redirect("staffing:plan", plan_id=plan.pk)


@login_required
def plan_simulate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan(request.user, plan_id)
    days = selectors.plan_simulation(plan, replications=20)
    return render(request, "staffing/partials/simulation.html", {"plan": plan, "days": days})


def _grid_response(request: HttpRequest, plan_id: int) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, "staffing/partials/plan_grid.html", _plan_context(request, plan_id))
    return redirect("staffing:plan", plan_id=plan_id)


@login_required
@require_POST
def shift_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan(request.user, plan_id)
    staff = get_visible(User.objects.all(), request.user, pk=_int(request.POST.get("staff"), "staff"))
    start, end = (
        _int(request.POST.get("start_slot"), "start_slot"),
        _int(request.POST.get("end_slot"), "end_slot"),
    )
    if start is None or end is None:
        raise ValidationFailed(
            "Give the start and the end.", details=[{"field": "start_slot", "reason": "missing"}]
        )
    services.shift_set(
        actor=request.user,
        plan=plan,
        staff=staff,
        date=_date(request.POST.get("date"), "date", plan.week_start),
        start_slot=start,
        end_slot=end,
        lunch_slot=_int(request.POST.get("lunch_slot"), "lunch_slot"),
    )
    return _grid_response(request, plan.pk)


@login_required
@require_POST
def shift_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = selectors.shift(request.user, shift_id)
    services.shift_delete(actor=request.user, shift=shift)
    return _grid_response(request, shift.plan_id)


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    day = _date(request.GET.get("date"), "date", clock.today())
    line = request.GET.get("line", CallLine.HOTLINE)
    if line not in CallLine.values:
        line = CallLine.HOTLINE
    # the chosen line's day comes from its 14-day trend: each line's calls are read once per page
    trend = selectors.line_days(request.user, line=line, first=day - dt.timedelta(days=13), last=day)
    lines = [
        trend[-1] if code == line else selectors.call_kpis(request.user, line=code, day=day)
        for code in CallLine.values
    ]
    plan, rows = selectors.intraday(request.user, line=line, day=day, actual=trend[-1])
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
