"""Customers over HTTP: the masked record, and revealing one full identifier for roles with the right."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from fuwu.core.auth import request_principal
from fuwu.customers import selectors, services
from fuwu.customers.schemas import RevealIn

router = Router(tags=["customers"])


class CustomerDetailOut(Schema):
    customer_no: str
    name: str
    tier: str
    home_outlet: str
    id_masked: str
    phone_masked: str
    special_groups: list[str]


class RevealOut(Schema):
    customer_no: str
    field: str
    value: str


@router.get("/customers/{customer_no}", response=CustomerDetailOut)
def customer_detail(request: HttpRequest, customer_no: str) -> CustomerDetailOut:
    """One customer as staff see them: identifiers masked."""
    found = selectors.customer(fetched_by=request_principal(request), customer_no=customer_no)
    return CustomerDetailOut(
        customer_no=found.customer_no,
        name=found.name,
        tier=found.tier,
        home_outlet=found.home_outlet.code,
        id_masked=found.id_masked,
        phone_masked=found.phone_masked,
        special_groups=found.special_groups,
    )


@router.post("/customers/{customer_no}/reveal", response=RevealOut)
def customer_reveal(
    request: HttpRequest, response: HttpResponse, customer_no: str, payload: RevealIn
) -> RevealOut:
    """The full ID or phone number (roles with core.view_full_pii only; every reveal is in the audit trail)."""
    principal = request_principal(request)
    found = selectors.customer(fetched_by=principal, customer_no=customer_no)
    value = services.customer_reveal(actor=principal, customer=found, field=payload.field)
    response["Cache-Control"] = "no-store"
    return RevealOut(customer_no=found.customer_no, field=payload.field, value=value)
