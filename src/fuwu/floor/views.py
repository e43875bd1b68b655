"""Floor pages: counter console, lobby console (staff); kiosk and display board (device token or staff)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuwu.core import clock
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.floor import mobile, selectors, services
from fuwu.floor.models import CounterKind
from fuwu.floor.schemas import PositionIn


def _outlet_for(request: HttpRequest, principal: Principal) -> OrgUnit:
    code = request.GET.get("outlet") or request.POST.get("outlet")
    if code:
        return selectors.outlet(fetched_by=principal, code=code)
    unit: OrgUnit | None = getattr(principal, "org_unit", None)
    if unit is None or unit.kind != OrgUnit.Kind.OUTLET:
        first = selectors.outlets(fetched_by=principal).first()
        if first is None:
            raise NotFound(gettext("No outlet visible to you."))
        return first
    return unit


@login_required
def counter_console(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    outlet = selectors.workplace(
        fetched_by=principal, outlet=_outlet_for(request, principal), place="counter"
    )
    counters = list(selectors.workable_counters(fetched_by=principal, outlet=outlet))
    code = request.GET.get("counter")
    current = next((c for c in counters if c.code == code), None) or next(
        (c for c in counters if c.staff_id == principal.pk), counters[0] if counters else None
    )
    return render(
        request,
        "floor/counter.html",
        {
            "outlet": outlet,
            "counters": counters,
            "counter": current,
            "services": selectors.services(fetched_by=principal, outlet=outlet),
            "kinds": CounterKind.choices,
            "colleagues": selectors.referral_colleagues(fetched_by=principal, outlet=outlet),
            # The step buttons; the script shows those the server allows on the current ticket.
            # With each its path in the device API (/tickets/<id>/<path>).
            "steps": [
                (services.TICKETS.action(n), n.replace("_", "-"))
                for n in ("recall", "start", "finish", "no_show")
            ],
        },
    )


@login_required
def lobby(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    outlet = selectors.workplace(fetched_by=principal, outlet=_outlet_for(request, principal), place="lobby")
    day = clock.today()
    return render(
        request,
        "floor/lobby.html",
        {
            "outlet": outlet,
            "outlets": selectors.outlets(fetched_by=principal),
            "day": day,
            "services": selectors.services(fetched_by=principal, outlet=outlet),
            "divert_channels": {k: str(v) for k, v in services.DIVERT_CHANNELS.items()},
            "stats": selectors.diversion_stats(fetched_by=principal, outlet=outlet, day=day),
            **_positions_context(principal, outlet, day),
        },
    )


def _positions_context(
    principal: Principal, outlet: OrgUnit, day: dt.date, form: FormState | None = None
) -> dict[str, object]:
    return {
        "positions": selectors.positions(fetched_by=principal, outlet=outlet, day=day),
        "outlet_staff": selectors.outlet_staff(fetched_by=principal, outlet=outlet),
        "outlet": outlet,
        "day": day,
        "form": form or FormState(),
    }


@login_required
@require_POST
def position_assign(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    outlet = _outlet_for(request, principal)
    day = clock.today()
    try:
        payload = parse(PositionIn, request.POST)
        staff: User | None = None
        if payload.staff is not None:
            staff = (
                selectors.outlet_staff(fetched_by=principal, outlet=outlet).filter(pk=payload.staff).first()
            )
            if staff is None:
                raise ValidationFailed(
                    gettext("Choose a colleague of this outlet."),
                    details=[
                        {
                            "field": "staff",
                            "code": "unknown",
                            "reason": gettext("Choose a colleague of this outlet."),
                        }
                    ],
                )
        services.position_assign(
            actor=principal, outlet=outlet, date=day, position=payload.position, staff=staff
        )
    except ValidationFailed as exc:
        context = _positions_context(principal, outlet, day, FormState.failed(request.POST, exc))
        return render(request, "floor/partials/positions.html", context, status=422)
    return render(request, "floor/partials/positions.html", _positions_context(principal, outlet, day))


def kiosk(request: HttpRequest) -> HttpResponse:
    """The self-service ticket screen; authenticates to the API with its device token (URL fragment) or a session."""
    return render(request, "floor/kiosk.html", {"outlet_code": request.GET.get("outlet", "")})


def display(request: HttpRequest) -> HttpResponse:
    """The hall display board with voice calling; device token in the URL fragment, or a staff session."""
    return render(request, "floor/display.html", {"outlet_code": request.GET.get("outlet", "")})


# --- the customer's mobile ticket (public: the signed link is the key; Q2, Q6) -----------------------

MY_TICKET_POLL_SECONDS = 15


def _my_ticket_context(view: selectors.MyTicket | None) -> dict[str, object]:
    return {
        "t": view,
        "poll": MY_TICKET_POLL_SECONDS,
        "updated": clock.local_now(),
    }


@never_cache
def my_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the QR code on the ticket slip: number, place in line, estimated wait, where to go."""
    return render(request, "floor/my_ticket.html", _my_ticket_context(selectors.my_ticket(token)))


@never_cache
def my_ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """The part of the page htmx polls. Once the link has expired, htmx gets 286: it swaps that in and stops."""
    try:
        view = selectors.my_ticket(token)
    except NotFound:
        if not request.headers.get("HX-Request"):
            raise
        return render(request, "floor/partials/my_ticket_status.html", _my_ticket_context(None), status=286)
    return render(request, "floor/partials/my_ticket_status.html", _my_ticket_context(view))


@never_cache
@require_POST
def my_ticket_leave(request: HttpRequest, token: str) -> HttpResponse:
    """ "I'm leaving": the customer gives up their place from their own ticket's page (the link is the key)."""
    services.ticket_leave(actor=selectors.MOBILE, ticket=selectors.my_ticket_segment(token))
    if not request.headers.get("HX-Request"):
        return redirect("floor:my_ticket", token=token)
    return render(
        request, "floor/partials/my_ticket_status.html", _my_ticket_context(selectors.my_ticket(token))
    )


def my_ticket_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code on the kiosk slip: the absolute link to this ticket's page."""
    mobile.read_token(token)
    url = mobile.absolute_url(reverse("floor:my_ticket", kwargs={"token": token}), request)
    response = HttpResponse(mobile.qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response
