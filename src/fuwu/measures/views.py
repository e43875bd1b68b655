"""Dashboards (K3) and targets (K2): thin views over `selectors` and `services`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState
from fuwu.core.scoping import visible_units
from fuwu.measures import catalogue, reports, selectors, services
from fuwu.measures.facts import NONE_KEY


def _link(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    who = selectors.subject(
        unit_id=request.GET.get("unit"), staff_id=request.GET.get("staff"), fetched_by=principal
    )
    period = selectors.parse_period(request.GET.get("period") or selectors.current_month())
    focus = request.GET.get("measure") or who.default_focus
    if focus not in who.measure_ids:
        focus = who.default_focus
    data = selectors.dashboard(who, period, focus, fetched_by=principal)
    for row in data["league"]:
        if row["kind"] == "unit":
            row["href"] = _link(unit=row["key"], period=period.label, measure=focus)
        elif row["kind"] == "staff" and row["key"] != NONE_KEY:
            row["href"] = _link(staff=row["key"], period=period.label, measure=focus)
    file_format = request.GET.get("format")
    if file_format in {"csv", "xlsx"}:
        return _download(who, period, data, file_format)
    base = {
        "unit": who.unit.pk if not who.staff else None,
        "staff": who.staff.pk if who.staff else None,
        "measure": focus,
    }
    # Next-product conversion by product (P3): a unit's table, shown once anything was suggested under it.
    products = [] if who.staff else selectors.by_product(who.unit, period, fetched_by=principal)
    context = {
        "who": who,
        "data": data,
        "products": products,
        "product_ids": selectors.PRODUCT_MEASURES,
        "period": period,
        "focus": focus,
        "base": base,
        "crumbs": selectors.breadcrumbs(who.unit, fetched_by=principal),
        "measures": [catalogue.BY_ID[m] for m in who.measure_ids],
        "league_ids": who.league_ids,
        "prev_link": _link(**base, period=data["previous"].label),
        "next_link": _link(**base, period=selectors.shift_label(period.label, 1)),
        "csv_link": _link(**base, period=period.label, format="csv"),
        "xlsx_link": _link(**base, period=period.label, format="xlsx"),
        "quick": [(label, _link(**base, period=value)) for label, value in _quick_periods()],
        "chart": {
            "series": data["series"],
            "unit": data["measure"].unit_label,
            "name": str(data["measure"].name),
            "target": data["target_value"],
            "league": _ranking(data["league"], focus),
        },
    }
    return render(request, "measures/dashboard.html", context)


def _ranking(rows: list[dict[str, Any]], focus: str) -> list[dict[str, Any]]:
    """The league chart: units or staff with the focus measure's minimum volume, best first (#19)."""
    measure = catalogue.BY_ID[focus]
    shown = [
        {"name": r["label"], "value": _r(r["values"].get(focus)), "href": r.get("href")}
        for r in rows
        # tickets no one served ("(none)") are not a person to rank
        if r["kind"] in {"unit", "staff"}
        and r["key"] != NONE_KEY
        and r["ranked"].get(focus, True)
        and r["values"].get(focus) is not None
    ]
    shown.sort(key=lambda r: r["value"], reverse=measure.higher_is_better)
    return shown


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _quick_periods() -> list[tuple[str, str]]:
    month = selectors.current_month()
    today = selectors.parse_period(month).start
    return [
        (_("This month"), month),
        (_("Last month"), selectors.shift_label(month, -1)),
        (_("This quarter"), f"{today.year}-Q{(today.month - 1) // 3 + 1}"),
        (_("This year"), str(today.year)),
    ]


def _download(
    who: selectors.Subject, period: selectors.Period, data: dict[str, Any], file_format: str
) -> HttpResponse:
    ids = list(who.measure_ids)
    rows = [
        {
            "code": who.unit.code if not who.staff else who.staff.staff_code or who.staff.username,
            "label": who.label,
            "values": {c["measure"].id: c["value"] for c in data["cards"]},
        }
    ]
    rows += [{"code": r["key"], "label": r["label"], "values": r["values"]} for r in data["league"]]
    stem = f"measures-{who.unit.code}-{reports.period_stamp(period)}"
    if file_format == "csv":
        response = HttpResponse(
            reports.as_csv(rows, ids).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    response = HttpResponse(
        reports.as_xlsx(rows, ids, period.label),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """The catalogue (K1): every measure's name, unit, direction and exact definition, in the reader's language."""
    selectors.visible_unit(None, fetched_by=request_principal(request))  # a reader of figures
    return render(request, "measures/definitions.html", {"measures": catalogue.MEASURES})


@login_required
def target_list(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    progress = selectors.targets_progress(selectors.targets(fetched_by=principal), fetched_by=principal)
    context = {
        "progress": progress,
        "can_change": has(principal, services.TARGET_PERMISSION),
        "measures": catalogue.MEASURES,
        "units": visible_units(principal).order_by("path"),
        "form": form or FormState(),
    }
    return render(request, "measures/targets.html", context, status=status)


@login_required
@require_POST
def target_save(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        # The service checks the permission before it reads a number: a teller gets 403, not a field error.
        services.target_set_from_form(actor=principal, form=request.POST)
    except ValidationFailed as exc:
        return target_list(request, FormState.failed(request.POST, exc), status=422)
    messages.success(request, _("Target saved."))
    return redirect("measures:targets")


@login_required
@require_POST
def target_remove(request: HttpRequest, target_id: int) -> HttpResponse:
    principal = request_principal(request)
    target = selectors.target(target_id, fetched_by=principal)
    services.target_delete(actor=principal, target=target)
    messages.success(request, _("Target removed."))
    return redirect("measures:targets")
