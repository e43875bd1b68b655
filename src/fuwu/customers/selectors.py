"""Customer reads: staff through scoping; recognition by identifier for the floor (tier only leaves it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fuwu.core import pii
from fuwu.core.scoping import get_visible, visible
from fuwu.customers.models import Customer


def customers(principal: Any) -> QuerySet[Customer]:
    return visible(Customer.objects.select_related("home_outlet", "relationship_manager"), principal)


def customer(principal: Any, customer_no: str) -> Customer:
    return get_visible(Customer.objects.select_related("home_outlet"), principal, customer_no=customer_no)


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
