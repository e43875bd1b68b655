"""Supervision on the home page (#19): the supervisor's planned inspections, everyone's overdue rectifications."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.inspections import selectors
from fuwu.inspections.models import Inspection

SHOWN = 6


def panels(principal: Principal) -> list[Panel]:
    found = []
    if has(principal, "inspections.conduct_inspection"):
        found.append(_planned(principal))
    if has(principal, "inspections.view_rectificationtask"):
        found.append(_overdue_rectifications(principal))
    return found


def _planned(principal: Principal) -> Panel:
    planned = selectors.inspection_rows(fetched_by=principal, status=Inspection.Status.PLANNED)
    mine = planned.filter(supervisor_id=principal.pk)
    under_way = selectors.inspection_rows(fetched_by=principal, status=Inspection.Status.IN_PROGRESS)
    today = clock.today()
    base = reverse("inspections:list")
    # Mine first, by date; a supervisor with none of their own sees the unit's plan.
    shown = mine if mine.exists() else planned
    rows = [
        Row(
            f"{i.outlet.name} · {i.version.template.name}",
            f"{i.get_kind_display()} · {i.planned_for:%m-%d}" if i.planned_for else i.get_kind_display(),
            reverse("inspections:detail", args=[i.pk]),
            urgent=i.planned_for is not None and i.planned_for < today,
        )
        for i in shown.order_by("planned_for", "pk")[:SHOWN]
    ]
    return Panel(
        title=_("Planned inspections"),
        rows=rows,
        counts=[
            Count(_("Mine"), mine.count(), f"{base}?state=planned&mine=1&sort=planned"),
            Count(_("Planned"), planned.count(), f"{base}?state=planned&sort=planned"),
            Count(_("In progress"), under_way.count(), f"{base}?state=in_progress"),
        ],
        more_url=f"{base}?state=planned&sort=planned",
        empty=_("No inspection is planned."),
        order=15,
    )


def _overdue_rectifications(principal: Principal) -> Panel:
    overdue = selectors.ledger_rows(fetched_by=principal, filt=selectors.LedgerFilter(overdue=True))
    still_open = selectors.ledger_rows(
        fetched_by=principal, filt=selectors.LedgerFilter(status=selectors.OPEN_ALL)
    )
    base = reverse("inspections:ledger")
    rows = [
        Row(
            f"{t.label} · {t.unit.name}",
            _("due %(due)s") % {"due": f"{t.due:%m-%d}"},
            reverse("inspections:task", args=[t.pk]),
            urgent=True,
        )
        for t in overdue.order_by("due", "pk")[:SHOWN]
    ]
    return Panel(
        title=_("Overdue rectifications"),
        rows=rows,
        counts=[
            Count(_("Overdue"), overdue.count(), f"{base}?overdue=true"),
            Count(_("Not yet fixed"), still_open.count(), f"{base}?status={selectors.OPEN_ALL}"),
            Count(
                _("Mine"),
                still_open.filter(owner_id=principal.pk).count(),
                f"{base}?status={selectors.OPEN_ALL}&mine=true",
            ),
        ],
        more_url=f"{base}?overdue=true",
        empty=_("No rectification is overdue."),
        order=25,
    )
