"""Customers over HTTP: the masked record, and revealing one full identifier for roles with the right."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit
from fuwu.customers import selectors, services, timeline
from fuwu.customers.models import Suggestion
from fuwu.customers.schemas import (
    FormPrefillIn,
    FormSubmitIn,
    RevealIn,
    SuggestionReactIn,
    SuggestionReferIn,
)

router = Router(tags=["customers"])


class HoldingOut(Schema):
    product_code: str
    product_name: str
    risk_level: int
    amount: str  # exact for roles with the right, a band otherwise, empty in the compact view


class EntryOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    detail: str
    urgent: bool


class TimelineOut(Schema):
    total: int
    entries: list[EntryOut]
    next_cursor: str


class CustomerDetailOut(Schema):
    customer_no: str
    name: str
    tier: str
    home_outlet: str
    id_masked: str
    phone_masked: str
    special_groups: list[str]
    compact: bool
    relationship_manager: str
    risk_level: int | None
    risk_assessment_valid: bool
    holdings: list[HoldingOut]
    selling_blocks: list[str]
    timeline: TimelineOut | None


def _timeline(page: timeline.Page) -> TimelineOut:
    return TimelineOut(
        total=page.total,
        next_cursor=page.next_cursor,
        entries=[
            EntryOut(at=e.at, kind=e.kind, title=e.title, detail=e.detail, urgent=e.urgent)
            for e in page.entries
        ],
    )


class RevealOut(Schema):
    customer_no: str
    field: str
    value: str


@router.get("/customers/{customer_no}", response=CustomerDetailOut)
def customer_detail(
    request: HttpRequest, customer_no: str, kind: str = "", cursor: str = ""
) -> CustomerDetailOut:
    """The customer 360 (P1): identifiers masked, holdings exact or banded, and one page of history
    (`kind`: comma-separated kinds; `cursor`: the previous page's next_cursor). Tellers get the compact view."""
    principal = request_principal(request)
    v = selectors.view_360(fetched_by=principal, customer_no=customer_no)
    found, compact = v.customer, v.compact
    kinds = frozenset(k for k in kind.split(",") if k) or None
    page = (
        None
        if compact
        else selectors.customer_timeline(fetched_by=principal, customer=found, kinds=kinds, cursor=cursor)
    )
    rm = found.relationship_manager
    return CustomerDetailOut(
        customer_no=found.customer_no,
        name=found.name,
        tier=found.tier,
        home_outlet=found.home_outlet.code,
        id_masked="" if compact else found.id_masked,
        phone_masked=found.phone_masked,
        special_groups=found.special_groups,
        compact=compact,
        relationship_manager=(rm.display_name or rm.username) if rm else "",
        risk_level=v.assessment.level if v.assessment else None,
        risk_assessment_valid=v.assessment_valid,
        holdings=[
            HoldingOut(
                product_code=h.product.code,
                product_name=h.product.name,
                risk_level=h.product.risk_level,
                amount=h.amount,
            )
            for h in v.holdings
        ],
        selling_blocks=v.selling_blocks,
        timeline=_timeline(page) if page is not None else None,
    )


class ProductSuggestionOut(Schema):
    id: int
    product_code: str
    product_name: str
    reason: str
    status: str


def _suggestion(s: Suggestion) -> ProductSuggestionOut:
    return ProductSuggestionOut(
        id=s.pk, product_code=s.product.code, product_name=s.product.name, reason=s.reason, status=s.status
    )


@router.post("/customers/{customer_no}/suggestions", response=list[ProductSuggestionOut])
def suggestions_show(request: HttpRequest, customer_no: str) -> list[ProductSuggestionOut]:
    """At most three suitable products for the customer, recorded as shown at the caller's outlet (P3)."""
    principal = request_principal(request)
    found, _compact = selectors.customer_view(fetched_by=principal, customer_no=customer_no)
    unit = getattr(principal, "org_unit", None) or found.home_outlet
    return [_suggestion(s) for s in services.suggestions_show(actor=principal, customer=found, outlet=unit)]


@router.post("/suggestions/{pk}/react", response=ProductSuggestionOut)
def suggestion_react(request: HttpRequest, pk: int, payload: SuggestionReactIn) -> ProductSuggestionOut:
    """Record the customer's answer: accepted or declined."""
    principal = request_principal(request)
    found = selectors.suggestion(fetched_by=principal, pk=pk)
    return _suggestion(
        services.suggestion_react(actor=principal, suggestion=found, reaction=payload.reaction)
    )


@router.post("/suggestions/{pk}/refer", response=ProductSuggestionOut)
def suggestion_refer(request: HttpRequest, pk: int, payload: SuggestionReferIn) -> ProductSuggestionOut:
    """Refer the customer to a relationship manager for the product; the referrer is credited (Q5)."""
    principal = request_principal(request)
    found = selectors.suggestion(fetched_by=principal, pk=pk)
    return _suggestion(
        services.suggestion_refer(actor=principal, suggestion=found, staff_code=payload.staff_code)
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


class PrefillOut(Schema):
    kind: str
    known_customer: bool
    values: dict[str, str]


def _outlet(request: HttpRequest) -> OrgUnit:
    unit = getattr(request_principal(request), "org_unit", None)
    if unit is None:
        raise NotFound(_("Not found."))
    return unit


@router.post("/customers/forms/{kind}/prefill", response=PrefillOut)
def form_prefill(
    request: HttpRequest, response: HttpResponse, kind: str, payload: FormPrefillIn
) -> PrefillOut:
    """A business form pre-filled from the profile and the last form of its kind; identifiers masked (P4)."""
    found = selectors.form_prefill(
        fetched_by=request_principal(request), outlet=_outlet(request), kind=kind, id_number=payload.id_number
    )
    response["Cache-Control"] = "no-store"
    return PrefillOut(kind=found.kind, known_customer=found.customer is not None, values=found.values)


@router.post("/customers/forms/{kind}", response=PrefillOut)
def form_submit(request: HttpRequest, kind: str, payload: FormSubmitIn) -> PrefillOut:
    """Keep the confirmed form; its changes update the profile (with history)."""
    principal = request_principal(request)
    record = services.form_submit(
        actor=principal,
        outlet=_outlet(request),
        kind=kind,
        id_number=payload.id_number,
        token=payload.token,
        values=payload.dict(exclude={"id_number", "token"}),
    )
    return PrefillOut(
        kind=record.kind, known_customer=True, values={k: str(v) for k, v in record.data.items()}
    )
