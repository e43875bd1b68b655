"""The assistant's hand-overs on the home page (#19): customers waiting for a person, longest first."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.knowledge import selectors
from fuwu.knowledge.models import Conversation

SHOWN = 5


def panels(principal: Principal) -> list[Panel]:
    if not has(principal, "knowledge.view_conversation") or not has(
        principal, "knowledge.change_conversation"
    ):
        return []
    waiting = selectors.queue(fetched_by=principal).filter(status=Conversation.Status.WAITING)
    total = waiting.count()
    if not total:
        return []  # an empty queue is no work: the panel appears when someone waits
    base = reverse("knowledge:queue")
    return [
        Panel(
            title=_("Customers waiting in the assistant queue"),
            rows=[
                Row(
                    c.unit.name,
                    _("handed over %(at)s") % {"at": timezone.localtime(c.handed_over_at).strftime("%H:%M")}
                    if c.handed_over_at
                    else "",
                    reverse("knowledge:conversation", args=[c.pk]),
                )
                for c in waiting.order_by("handed_over_at", "pk")[:SHOWN]
            ],
            counts=[Count(_("Waiting"), total, base)],
            more_url=base,
            order=12,
        )
    ]
