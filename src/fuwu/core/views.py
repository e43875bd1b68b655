from __future__ import annotations

import io
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.core import clock, notifications, roles, selectors, services
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.files import csv_text, xlsx_append
from fuwu.core.inputs import FormState, parse
from fuwu.core.links import object_label, object_url
from fuwu.core.listing import ListSpec, Select, Sort, listing
from fuwu.core.models import DeviceToken
from fuwu.core.nav import items_for, user_roles
from fuwu.core.schemas import AuditQueryIn, DeviceIssueIn
from fuwu.core.worklists import panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: its work first (apps' worklist panels), then the links to its pages."""
    held = user_roles(request.user)
    items = items_for(request.user)
    sections = []
    for role in roles.ROLES:
        if role.code not in held:
            continue
        links = [(item, url) for item, url in items if role.code in item.roles]
        sections.append({"role": role, "links": links})
    common = [(item, url) for item, url in items if not item.roles]
    panels = panels_for(request_principal(request))
    context = {"sections": sections, "common": common, "today": clock.today(), "panels": panels}
    return render(request, "core/home.html", context)


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", clock.today().year))
    except ValueError:
        year = clock.today().year
    days = selectors.calendar_exceptions(year)
    return render(request, "core/calendar.html", {"days": days, "year": year})


DEVICE_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-created_at",)),
        Sort("used", gettext_lazy("Last used first"), (F("last_used_at").desc(nulls_last=True),)),
        Sort("unit", gettext_lazy("By outlet"), ("org_unit__path", "kind", "counter_code")),
    ),
    text=("name", "counter_code", "prefix"),
    state_field="kind",
    states=DeviceToken.Kind.choices,
    state_label=gettext_lazy("Kind"),
    unit_field="org_unit",
    date_field="created_at",
    mine=("created_by",),
)
REVOKED = {"live": False, "revoked": True}  # ?live= → device_tokens(revoked=…)


@login_required
def devices(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    # Paged, counted and filtered (#19): the list stopped at 300 tokens.
    live = Select("live", _("Status"), [("live", _("In use")), ("revoked", _("Revoked"))])
    rows = selectors.device_tokens(fetched_by=principal, revoked=REVOKED.get(request.GET.get("live", "")))
    found = listing(request, rows, DEVICE_LIST, principal=principal, selects=[live])
    context = {
        **found.context(),
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


AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_LIMIT = 50_000


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail: filter by action, person, unit, object and dates; paged and counted (#19)."""
    principal = request_principal(request)
    try:
        query = parse(AuditQueryIn, request.GET)
        form = FormState(values=request.GET.dict())
    except ValidationFailed as exc:
        query, form = AuditQueryIn(), FormState.failed(request.GET, exc)
    events = selectors.audit_events(fetched_by=principal, query=query)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(query.page)
    rows = [(e, object_url(e.target_type, e.target_id)) for e in page.object_list]
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "rows": rows, "form": form, "filters": keep.urlencode(), "query": query},
    )


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    event = selectors.audit_event(fetched_by=principal, pk=pk)
    changes = selectors.audit_changes(fetched_by=principal, event=event)
    url = object_url(event.target_type, event.target_id)
    return render(request, "core/audit_detail.html", {"event": event, "changes": changes, "url": url})


@login_required
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered trail as CSV or Excel; the export itself is recorded in the trail."""
    principal = request_principal(request)
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    query = parse(AuditQueryIn, request.GET)
    events = list(selectors.audit_events(fetched_by=principal, query=query)[:AUDIT_EXPORT_LIMIT])
    services.audit_export_record(actor=principal, query=query.dict(), rows=len(events), fmt=fmt)
    header = [
        _("Time"),
        _("Who"),
        _("Action"),
        _("Object type"),
        _("Object"),
        _("Org unit"),
        "IP",
        _("Details"),
    ]
    body = [
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            e.action,
            e.target_type,
            e.target_id,
            e.org_unit.name if e.org_unit else "",
            e.ip_address or "",
            json.dumps(e.data, ensure_ascii=False) if e.data else "",
        ]
        for e in events
    ]
    stamp = clock.today().isoformat()
    if fmt == "csv":
        response = HttpResponse(csv_text([header, *body]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "audit"
    for row in [header, *body]:
        xlsx_append(sheet, [str(c) for c in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


NOTIFICATION_PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The viewer's inbox: newest first, paged and counted, each row linked to its object."""
    principal = request_principal(request)
    unread = request.GET.get("unread") == "1"
    rows = selectors.notifications(fetched_by=principal, unread=unread)
    page = Paginator(rows, NOTIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "n": n,
            "text": notifications.text(n),
            "url": object_url(n.target_type, n.target_id),
            "object": object_label(n.target_type, n.target_id),
        }
        for n in page.object_list
    ]
    context = {
        "page": page,
        "items": items,
        "unread": unread,
        "unread_count": selectors.notifications_unread_count(fetched_by=principal),
        "filters": "unread=1" if unread else "",
    }
    return render(request, "core/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with `open`, go on to its object (the inbox link)."""
    principal = request_principal(request)
    n = services.notification_mark_read(actor=principal, notification_id=pk)
    url = object_url(n.target_type, n.target_id) if request.POST.get("open") else ""
    return redirect(url or "core:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request_principal(request))
    return redirect("core:notifications")
