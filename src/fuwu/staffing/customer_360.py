"""The contact centre's side of a customer's history (P1): their calls to the 95599 and credit-card lines.

Found by `fuwu.customers.timeline` through `core.discovery`. A call is linked to its caller on import (customer
number, or the keyed hash of the calling number). Like a visit it is the customer's own history, so a principal
with the customer-calls right sees every call of the customer, whichever centre took it; the hotline's figures
stay behind `staffing.view_callrecord`. Each read is one query on the call's customer index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.customers.timeline import Cursor, Entry, after
from fuwu.staffing.models import CallRecord

if TYPE_CHECKING:
    from fuwu.customers.models import Customer

KINDS = {"call": _("Call")}
VIEW = "staffing.view_customer_calls"


def _entry(c: CallRecord) -> Entry:
    if c.answered_at is not None:
        parts = [
            gettext("answered after %(n)s s") % {"n": round((c.answered_at - c.offered_at).total_seconds())}
        ]
        if c.ended_at is not None:
            minutes = round((c.ended_at - c.answered_at).total_seconds() / 60, 1)
            parts.append(gettext("talked %(n)s min") % {"n": minutes})
        if c.agent:
            parts.append(gettext("agent %(agent)s") % {"agent": c.agent})
    else:
        parts = [gettext("abandoned")]
    return Entry(
        at=c.offered_at,
        kind="call",
        pk=c.pk,
        title=f"{c.get_line_display()} · {c.centre.name}",
        detail=" · ".join(parts),
        urgent=c.answered_at is None,
    )


def entries(
    customer: Customer, *, fetched_by: Principal, kinds: frozenset[str], cursor: Cursor | None, limit: int
) -> list[Entry]:
    if "call" not in kinds or not has(fetched_by, VIEW):
        return []
    rows = (
        CallRecord.objects.filter(customer=customer)
        .filter(after(cursor, "call", "offered_at"))
        .select_related("centre")
        .order_by("-offered_at", "-pk")[:limit]
    )
    return [_entry(c) for c in rows]


def count(customer: Customer, *, fetched_by: Principal, kinds: frozenset[str]) -> int:
    if "call" not in kinds or not has(fetched_by, VIEW):
        return 0
    return CallRecord.objects.filter(customer=customer).count()
