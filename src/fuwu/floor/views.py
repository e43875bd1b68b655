"""Floor pages: counter console, lobby console (staff); kiosk and display board (device token or staff)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fuwu.core import clock, roles
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.scoping import visible
from fuwu.floor import selectors, services
from fuwu.floor.models import CounterKind


def _outlet_for(request: HttpRequest) -> OrgUnit:
    code = request.GET.get("outlet") or request.POST.get("outlet")
    if code:
        return selectors.outlet(request.user, code)
    unit: OrgUnit | None = getattr(request.user, "org_unit", None)
    if unit is None or unit.kind != OrgUnit.Kind.OUTLET:
        first = selectors.outlets(request.user).first()
        if first is None:
            raise NotFound(gettext("No outlet visible to you."))
        return first
    return unit


@login_required
def counter_console(request: HttpRequest) -> HttpResponse:
    outlet = _outlet_for(request)
    counters = list(selectors.counters(request.user, outlet))
    code = request.GET.get("counter")
    current = next((c for c in counters if c.code == code), None) or next(
        (c for c in counters if c.staff_id == request.user.pk), counters[0] if counters else None
    )
    colleagues = visible(
        User.objects.filter(
            org_unit=outlet, is_active=True, groups__name__in=[roles.RM, roles.OUTLET_HEAD]
        ).distinct(),
        request.user,
    ).order_by("display_name")
    return render(
        request,
        "floor/counter.html",
        {
            "outlet": outlet,
            "counters": counters,
            "counter": current,
            "services": selectors.services(request.user, outlet),
            "kinds": CounterKind.choices,
            "colleagues": colleagues,
        },
    )


@login_required
def lobby(request: HttpRequest) -> HttpResponse:
    outlet = _outlet_for(request)
    day = clock.today()
    return render(
        request,
        "floor/lobby.html",
        {
            "outlet": outlet,
            "outlets": selectors.outlets(request.user),
            "day": day,
            "services": selectors.services(request.user, outlet),
            "divert_channels": {k: str(v) for k, v in services.DIVERT_CHANNELS.items()},
            "stats": selectors.diversion_stats(request.user, outlet, day),
            **_positions_context(request, outlet, day),
        },
    )


def _positions_context(request: HttpRequest, outlet: OrgUnit, day: dt.date) -> dict[str, object]:
    return {
        "positions": selectors.positions(request.user, outlet, day),
        "outlet_staff": visible(User.objects.filter(org_unit=outlet, is_active=True), request.user).order_by(
            "display_name"
        ),
        "outlet": outlet,
        "day": day,
    }


@login_required
@require_POST
def position_assign(request: HttpRequest) -> HttpResponse:
    outlet = _outlet_for(request)
    day = clock.today()
    staff_id = request.POST.get("staff") or ""
    staff = None
    if staff_id:
        staff = visible(User.objects.filter(org_unit=outlet), request.user).filter(pk=staff_id).first()
        if staff is None:
            raise ValidationFailed(
                gettext("Choose a colleague of this outlet."),
                details=[{"field": "staff", "reason": "unknown"}],
            )
    try:
        position = int(request.POST.get("position", ""))
    except ValueError as exc:
        raise ValidationFailed(
            gettext("Positions are 1 to 7."), details=[{"field": "position", "reason": "range"}]
        ) from exc
    services.position_assign(actor=request.user, outlet=outlet, date=day, position=position, staff=staff)
    return render(request, "floor/partials/positions.html", _positions_context(request, outlet, day))


def kiosk(request: HttpRequest) -> HttpResponse:
    """The self-service ticket screen; authenticates to the API with its device token (URL fragment) or a session."""
    return render(request, "floor/kiosk.html", {"outlet_code": request.GET.get("outlet", "")})


def display(request: HttpRequest) -> HttpResponse:
    """The hall display board with voice calling; device token in the URL fragment, or a staff session."""
    return render(request, "floor/display.html", {"outlet_code": request.GET.get("outlet", "")})
