"""Approvals on the home page (#19): the steps waiting for the reader's decision, nearest deadline first."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuwu.approvals import selectors
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row

SHOWN = 6


def panels(principal: Principal) -> list[Panel]:
    if not has(principal, "approvals.decide_step"):
        return []
    summary = selectors.inbox_summary(fetched_by=principal, first=SHOWN)
    inbox = reverse("approvals:inbox")
    counts = [
        Count(_("Waiting for me"), summary.waiting, inbox),
        Count(_("Past the step's limit"), summary.overdue, inbox),
    ]
    if has(principal, "approvals.reassign_step"):
        counts.append(
            Count(_("Escalated to my units"), len(selectors.escalations(fetched_by=principal)), inbox)
        )
    return [
        Panel(
            title=_("Approvals waiting for me"),
            rows=[
                Row(
                    f"{s.case.reference} · {s.case.title}",
                    _("due %(at)s") % {"at": timezone.localtime(s.due_at).strftime("%m-%d %H:%M")},
                    reverse("approvals:detail", args=[s.case_id]),
                    urgent=s.is_overdue,
                )
                for s in summary.first
            ],
            counts=counts,
            more_url=inbox,
            empty=_("No approval waits for you."),
            order=35,
        )
    ]
