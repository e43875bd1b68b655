"""Complaints in a customer's history (P1) with status and clock, and the no-selling rule while one is open (P3).

Found by `fuwu.customers.timeline` through `core.discovery`. A complaint is a case file: the principal sees the
complaints of the units they may see (core.scoping) and only with the complaint view right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.complaints.models import OPEN_STATUSES, Complaint
from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible
from fuwu.customers.timeline import Cursor, Entry, after

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fuwu.customers.models import Customer

KINDS = {"complaint": _("Complaint")}
VIEW = "complaints.view_complaint"


def _mine(customer: Customer, fetched_by: Principal) -> QuerySet[Complaint]:
    return visible(Complaint.objects.filter(customer=customer), fetched_by)


def _entry(c: Complaint) -> Entry:
    is_open = c.status in OPEN_STATUSES
    if is_open:
        clock_text = gettext("decision due %(day)s") % {"day": clock.business_date(c.due_at)}
    elif c.closed_at is not None:
        clock_text = gettext("closed %(day)s") % {"day": clock.business_date(c.closed_at)}
    else:
        clock_text = ""
    return Entry(
        at=c.received_at,
        kind="complaint",
        pk=c.pk,
        title=gettext("Complaint %(ref)s") % {"ref": c.reference},
        detail=" · ".join(p for p in (str(c.get_status_display()), clock_text) if p),
        url=reverse("complaints:detail", args=[c.pk]),
        urgent=is_open and c.due_at < clock.now(),
    )


def entries(
    customer: Customer, *, fetched_by: Principal, kinds: frozenset[str], cursor: Cursor | None, limit: int
) -> list[Entry]:
    if "complaint" not in kinds or not has(fetched_by, VIEW):
        return []
    rows = _mine(customer, fetched_by).filter(after(cursor, "complaint", "received_at"))
    return [_entry(c) for c in rows.order_by("-received_at", "-pk")[:limit]]


def count(customer: Customer, *, fetched_by: Principal, kinds: frozenset[str]) -> int:
    if "complaint" not in kinds or not has(fetched_by, VIEW):
        return 0
    return _mine(customer, fetched_by).count()


def selling_blocks(customer: Customer) -> list[str]:
    """Nothing is sold to a customer while a complaint of theirs is open (P3)."""
    if Complaint.objects.filter(customer=customer, status__in=OPEN_STATUSES).exists():
        return [gettext("The customer has an open complaint.")]
    return []
