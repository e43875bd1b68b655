"""Access table rows for the customers app's services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

from typing import Any

from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase
from fuwu.customers import selectors, services

S = "fuwu.customers.services."
Q = "fuwu.customers.selectors."


def _customer(w: Any) -> None:
    w.customer = services.customer_create(
        actor=SYSTEM, customer_no="CA1", name="刘建华", home_outlet=w.outlet_a, phone="13912345678"
    )


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


CASES = [
    AccessCase(
        S + "customer_create",
        call=lambda w, who: services.customer_create(
            actor=who, customer_no=f"N{who.pk}", name="新客户", home_outlet=w.outlet_a
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "customer_reveal",
        setup=_customer,
        call=lambda w, who: services.customer_reveal(actor=who, customer=w.customer, field="phone"),
        holder=lambda w: w.auditor,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("handler_x", w.outlet_x, roles.COMPLAINT_HANDLER),
    ),
    AccessCase(
        Q + "customers",
        setup=_customer,
        call=lambda w, who: selectors.customers(fetched_by=who),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.customer not in rows,
    ),
    AccessCase(
        Q + "customer",
        setup=_customer,
        call=lambda w, who: selectors.customer(fetched_by=who, customer_no="CA1"),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
    ),
]

EXEMPT = {
    S + "apply_identifiers": "fills the hash/masked/cipher columns of an unsaved instance: no read, no write",
    Q + "recognize": "the floor's ticket services call it after their own kiosk/counter checks and pass on "
    "the tier only (limiting it to a customer at the counter is issue 18's work)",
}
