"""Staffing on the home page (#19): the contact centre's day so far, and the plans of this week and next."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.core import clock, roles
from fuwu.core.access import has
from fuwu.core.nav import user_roles
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.staffing import selectors
from fuwu.staffing.models import CallLine, StaffingPlan

SHOWN = 6


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}"


def panels(principal: Principal) -> list[Panel]:
    found = []
    held = user_roles(principal)
    if roles.CC_MANAGER in held and has(principal, selectors.VIEW_CALLS):
        found.append(_centre_today(principal))
    if held & {roles.CC_MANAGER, roles.OUTLET_HEAD} and has(principal, "staffing.change_staffingplan"):
        found.append(_plans(principal))
    return found


def _centre_today(principal: Principal) -> Panel:
    today = clock.today()
    centre = reverse("staffing:centre")
    counts: list[Count] = []
    for line, label in CallLine.choices:
        kpi = selectors.call_kpis(fetched_by=principal, line=line, day=today).total
        counts += [
            Count(_("%(line)s: calls offered") % {"line": label}, kpi.offered, f"{centre}?line={line}"),
            Count(_("%(line)s: 20 s service level") % {"line": label}, _percent(kpi.service_level), unit="%"),
            Count(_("%(line)s: answer rate") % {"line": label}, _percent(kpi.answer_rate), unit="%"),
        ]
    return Panel(
        title=_("Contact centre today"),
        counts=counts,
        more_url=centre,
        more_label=_("Open the contact centre"),
        order=8,
    )


def _plans(principal: Principal) -> Panel:
    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    plans = selectors.plans(fetched_by=principal).filter(
        week_start__gte=monday, week_start__lte=monday + dt.timedelta(days=7)
    )
    base = reverse("staffing:plans")
    drafts = plans.filter(status=StaffingPlan.Status.DRAFT)
    return Panel(
        title=_("Staffing plans for this week and next"),
        rows=[
            Row(
                f"{p.unit.name} · {p.get_channel_display()}",
                f"{p.week_start:%m-%d} · {p.get_status_display()}",
                reverse("staffing:plan", args=[p.pk]),
                urgent=p.status == StaffingPlan.Status.DRAFT and p.week_start <= today,
            )
            for p in plans.order_by("week_start", "unit__path")[:SHOWN]
        ],
        counts=[
            Count(_("Drafts to publish"), drafts.count(), f"{base}?state=draft"),
            Count(_("Published"), plans.count() - drafts.count(), f"{base}?state=published"),
        ],
        more_url=base,
        empty=_("No plan for this week or next yet."),
        order=40,
    )
