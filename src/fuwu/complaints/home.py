"""The complaint handler's worklist on the home page: cases by nearest deadline, counts per state, mine (#19)."""

from __future__ import annotations

from django.db.models import Count as Tally
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuwu.complaints import selectors
from fuwu.complaints.context_processors import notice_for
from fuwu.complaints.models import Status
from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row

SHOWN = 8


def panels(principal: Principal) -> list[Panel]:
    found: list[Panel] = []
    notice = notice_for(principal)
    # Told on the home page to whoever enters the schedule or whose case deadlines hang on it, not the front line.
    concerned = has(principal, "core.change_calendarday") or has(principal, "complaints.change_complaint")
    if notice is not None and notice.missing_year and concerned:
        found.append(
            Panel(
                title=_("Holiday schedule missing"),
                rows=[
                    Row(
                        _(
                            "Next year's holiday schedule (%(year)s) is missing: enter it in the business calendar."
                        )
                        % {"year": notice.missing_year},
                        url=f"{reverse('core:calendar')}?year={notice.missing_year}",
                        urgent=True,
                    )
                ],
                order=1,
            )
        )
    if not has(principal, "complaints.change_complaint"):
        return found
    now = clock.now()
    base = reverse("complaints:list")
    # An IN term so SQLite reads the open-cases index (a bare boolean test would read every case).
    open_cases = selectors.complaints(fetched_by=principal).filter(is_open__in=[True])
    by_state = dict(open_cases.order_by().values_list("status").annotate(n=Tally("pk")))
    counts = [
        Count(label, by_state[state], f"{base}?state={state}")
        for state, label in Status.choices
        if by_state.get(state)
    ]
    counts.append(Count(_("Mine"), open_cases.filter(handler_id=principal.pk).count(), f"{base}?mine=1"))
    overdue = open_cases.filter(due_at__lt=now).count()
    if overdue:
        counts.append(Count(_("Overdue"), overdue, f"{base}?overdue=1"))
    rows = [
        Row(
            f"{c.reference} · {c.outlet.name}",
            _("decision due %(due)s") % {"due": timezone.localtime(c.due_at).strftime("%m-%d")}
            + (f" · {c.handler}" if c.handler_id else ""),
            reverse("complaints:detail", args=[c.pk]),
            urgent=c.due_at < now,
        )
        for c in open_cases.order_by("due_at", "pk")[:SHOWN]
    ]
    found.append(
        Panel(
            title=_("Open complaints by nearest deadline"),
            rows=rows,
            counts=counts,
            total=open_cases.count(),
            more_url=base,
            empty=_("No open complaints."),
            order=10,
        )
    )
    return found
