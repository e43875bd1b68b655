from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fuwu.core import clock, roles, selectors, services
from fuwu.core.errors import Forbidden
from fuwu.core.models import DeviceToken
from fuwu.core.nav import items_for, user_roles
from fuwu.core.scoping import get_visible


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
    if not ({roles.AUDITOR, roles.HQ_MANAGER} & user_roles(request.user)):
        raise Forbidden("Only auditors and head-office service management read the audit trail.")
    events = selectors.audit_events(request.user, action=request.GET.get("action") or None)
    return render(request, "core/audit_log.html", {"events": events})


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", clock.today().year))
    except ValueError:
        year = clock.today().year
    days = selectors.calendar_exceptions(year)
    return render(request, "core/calendar.html", {"days": days, "year": year})


def _require_device_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("core.manage_devices") and not request.user.is_superuser:
        raise Forbidden("Your role may not manage device tokens.")


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    _require_device_manager(request)
    context = {
        "tokens": selectors.device_tokens(request.user)[:300],
        "outlets": selectors.org_units(request.user, kind="outlet"),
        "kinds": DeviceToken.Kind.choices,
        "new_token": request.session.pop("new_device_token", None),
    }
    return render(request, "core/devices.html", context)


@login_required
@require_POST
def device_issue(request: HttpRequest) -> HttpResponse:
    _require_device_manager(request)
    outlet = selectors.org_unit(request.user, request.POST.get("outlet", ""))
    _token, raw = services.device_token_issue(
        actor=request.user,
        org_unit=outlet,
        kind=request.POST.get("kind", ""),
        counter_code=request.POST.get("counter", "").strip(),
        name=request.POST.get("name", "").strip(),
    )
    request.session["new_device_token"] = raw
    return redirect("core:devices")


@login_required
@require_POST
def device_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_device_manager(request)
    token = get_visible(DeviceToken.objects.all(), request.user, pk=token_id)
    services.device_token_revoke(actor=request.user, token=token)
    return redirect("core:devices")
