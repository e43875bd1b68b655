from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fuwu.core import clock, roles, selectors, services
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.models import DeviceToken
from fuwu.core.nav import items_for, user_roles
from fuwu.core.schemas import DeviceIssueIn


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: the work it does, as links."""
    held = user_roles(request.user)
    items = items_for(request.user)
    sections = []
    for role in roles.ROLES:
        if role.code not in held:
            continue
        links = [(item, url) for item, url in items if role.code in item.roles]
        sections.append({"role": role, "links": links})
    common = [(item, url) for item, url in items if not item.roles]
    return render(request, "core/home.html", {"sections": sections, "common": common, "today": clock.today()})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = selectors.audit_events(
        fetched_by=request_principal(request), action=request.GET.get("action") or None
    )
    return render(request, "core/audit_log.html", {"events": events})


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", clock.today().year))
    except ValueError:
        year = clock.today().year
    days = selectors.calendar_exceptions(year)
    return render(request, "core/calendar.html", {"days": days, "year": year})


@login_required
def devices(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    context = {
        "tokens": selectors.device_tokens(fetched_by=principal)[:300],
        "outlets": selectors.org_units(fetched_by=principal, kind="outlet"),
        "kinds": DeviceToken.Kind.choices,
        "new_token": request.session.pop("new_device_token", None),
        "form": form or FormState(),
    }
    return render(request, "core/devices.html", context, status=status)


@login_required
@require_POST
def device_issue(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        payload = parse(DeviceIssueIn, request.POST)
        _token, raw = services.device_token_issue(
            actor=principal,
            org_unit=selectors.org_unit(fetched_by=principal, code=payload.outlet_code),
            kind=payload.kind,
            counter_code=payload.counter_code.strip(),
            name=payload.name.strip(),
        )
    except ValidationFailed as exc:
        return devices(request, FormState.failed(request.POST, exc), status=422)
    request.session["new_device_token"] = raw
    return redirect("core:devices")


@login_required
@require_POST
def device_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    principal = request_principal(request)
    token = selectors.device_token(fetched_by=principal, pk=token_id)
    services.device_token_revoke(actor=principal, token=token)
    return redirect("core:devices")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    """django-axes' answer to a locked account or address: when to retry, as a 429 with Retry-After."""
    cooloff = settings.AXES_COOLOFF_TIME
    retry_at = timezone.localtime(clock.now() + cooloff)
    response = render(
        request,
        "core/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(cooloff.total_seconds() // 60),
            "retry_at": retry_at,
        },
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
