"""Customer reads: staff through access and scoping; recognition by identifier for the floor (tier only leaves it)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fuwu.core import pii
from fuwu.core.access import require
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible
from fuwu.customers.models import Customer

VIEW = "customers.view_customer"


def customers(*, fetched_by: Principal, search: str = "") -> QuerySet[Customer]:
    """The customers whose home outlet is in the principal's units; `search` matches number or name."""
    require(fetched_by, VIEW)
    qs = visible(Customer.objects.select_related("home_outlet", "relationship_manager"), fetched_by)
    search = search.strip()
    if search:
        qs = qs.filter(Q(customer_no__iexact=search) | Q(name__icontains=search))
    return qs.order_by("customer_no")


def customer(*, fetched_by: Principal, customer_no: str) -> Customer:
    require(fetched_by, VIEW)
    return get_visible(
        Customer.objects.select_related("home_outlet", "relationship_manager"),
        fetched_by,
        customer_no=customer_no,
    )


def recognize(
    *, card: str | None = None, id_number: str | None = None, phone: str | None = None
) -> Customer | None:
    """Match a presented card, ID or phone to a customer anywhere in the bank (customers visit any outlet).

    Callers must only pass on what the counter may show (tier, special groups, masked identifiers).
    """
    qs = Customer.objects.all()
    if card:
        digits = "".join(ch for ch in card if ch.isdigit())
        return qs.filter(card_hash=pii.keyed_hash("card", digits)).first()
    if id_number:
        return qs.filter(id_hash=pii.keyed_hash("id", pii.normalize_id(id_number))).first()
    if phone:
        return qs.filter(phone_hash=pii.keyed_hash("phone", pii.normalize_phone(phone))).first()
    return None
