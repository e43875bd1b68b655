"""The floor's side of a customer's history (P1): visits with their wait and who served, and referrals.

Found by `fuwu.customers.timeline` through `core.discovery`. Visits and referrals are the customer's own
history, so a principal who may see the customer and the floor's tickets sees all of them, at any outlet.
Each read is one query on the ticket's partial customer index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.customers.timeline import Cursor, Entry, after
from fuwu.floor.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from fuwu.customers.models import Customer

KINDS = {"visit": _("Visit"), "referral": _("Referral")}
VIEW = "floor.view_ticket"
S = Ticket.Status
# Today's tickets that hold the customer's place or are with a counter: a wait past target counts on these.
_PRESENT = (S.WAITING, S.CALLED, S.SERVING)


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _visit(t: Ticket) -> Entry:
    parts = []
    if t.called_at is not None:
        minutes = round((t.called_at - t.issued_at).total_seconds() / 60)
        parts.append(gettext("waited %(n)s min") % {"n": minutes})
    if t.staff is not None:
        parts.append(gettext("served by %(name)s") % {"name": _name(t.staff)})
    parts.append(t.get_status_display())
    late = (
        t.called_at is not None
        and (t.called_at - t.issued_at).total_seconds() > t.service.target_wait_seconds
    )
    return Entry(
        at=t.issued_at,
        kind="visit",
        pk=t.pk,
        title=f"{t.number} {t.service.name} · {t.outlet.name}",
        detail=" · ".join(str(p) for p in parts),
        urgent=late,
    )


def _referral(e: TicketEvent) -> Entry:
    target = e.ticket.referred_to
    return Entry(
        at=e.at,
        kind="referral",
        pk=e.pk,
        title=gettext("Referred to %(name)s") % {"name": _name(target)},
        detail=gettext("credited to %(name)s") % {"name": e.data.get("credited_staff", "")},
    )


def entries(
    customer: Customer, *, fetched_by: Principal, kinds: frozenset[str], cursor: Cursor | None, limit: int
) -> list[Entry]:
    if not has(fetched_by, VIEW):
        return []
    found: list[Entry] = []
    if "visit" in kinds:
        tickets = (
            Ticket.objects.filter(customer=customer)
            .filter(after(cursor, "visit", "issued_at"))
            .select_related("service", "outlet", "staff")
            .order_by("-issued_at", "-pk")[:limit]
        )
        found.extend(_visit(t) for t in tickets)
    if "referral" in kinds:
        events = (
            TicketEvent.objects.filter(ticket__customer=customer, kind=TicketEvent.Kind.REFERRED)
            .filter(after(cursor, "referral", "at"))
            .select_related("ticket__referred_to")
            .order_by("-at", "-pk")[:limit]
        )
        found.extend(_referral(e) for e in events)
    return found


def count(customer: Customer, *, fetched_by: Principal, kinds: frozenset[str]) -> int:
    if not has(fetched_by, VIEW):
        return 0
    total = 0
    if "visit" in kinds:
        total += Ticket.objects.filter(customer=customer).count()
    if "referral" in kinds:
        total += TicketEvent.objects.filter(ticket__customer=customer, kind=TicketEvent.Kind.REFERRED).count()
    return total


def serving(principal: Principal) -> set[int]:
    """The customers at `principal`'s counter now: a ticket called or being served by them today."""
    if not isinstance(principal, User):
        return set()
    rows = Ticket.objects.filter(
        staff=principal,
        status__in=(S.CALLED, S.SERVING),
        business_date=clock.today(),
        customer__isnull=False,
    ).values_list("customer_id", flat=True)
    return {pk for pk in rows if pk is not None}


def selling_blocks(customer: Customer) -> list[str]:
    """No selling to a customer whose wait today went past the business's target (P3)."""
    now = clock.now()
    for t in Ticket.objects.filter(
        customer=customer, business_date=clock.today(), status__in=_PRESENT
    ).select_related("service"):
        waited = ((t.called_at or now) - (t.queued_at or t.issued_at)).total_seconds()
        if waited > t.service.target_wait_seconds:
            return [gettext("The customer waited longer than the target time today.")]
    return []
