"""Customers over HTTP: the masked record, and revealing one full identifier for roles with the right."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.params.functions import Path as path_param

from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.models import OrgUnit
from fuwu.core.openapi import raises
from fuwu.core.principals import Principal
from fuwu.customers import prefill, selectors, services, timeline
from fuwu.customers.models import Household, Product, RiskAssessment, Suggestion
from fuwu.customers.schemas import (
    FormPrefillIn,
    FormSubmitIn,
    HouseholdCreateIn,
    HouseholdMemberIn,
    HouseholdMemberRemoveIn,
    PortfolioReassignIn,
    RevealIn,
    RiskAssessmentIn,
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
@raises(Conflict)
def suggestion_react(request: HttpRequest, pk: int, payload: SuggestionReactIn) -> ProductSuggestionOut:
    """Record the customer's answer: accepted or declined."""
    principal = request_principal(request)
    found = selectors.suggestion(fetched_by=principal, pk=pk)
    return _suggestion(
        services.suggestion_react(actor=principal, suggestion=found, reaction=payload.reaction)
    )


@router.post("/suggestions/{pk}/refer", response=ProductSuggestionOut)
@raises(Conflict)
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


class PrefillFieldOut(Schema):
    name: str
    label: str
    value: str  # identifiers only ever masked
    editable: bool


class PrefillOut(Schema):
    kind: str
    known_customer: bool
    values: dict[str, str]
    fields: list[PrefillFieldOut]
    # Sent back with the confirmed form instead of the ID number (valid half an hour); "" for an unknown ID.
    token: str = ""


def _prefill_out(kind: str, values: dict[str, str], *, known: bool, token: str = "") -> PrefillOut:
    return PrefillOut(
        kind=kind,
        known_customer=known,
        values=values,
        fields=[
            PrefillFieldOut(name=f, label=str(prefill.LABELS[f]), value=v, editable=f in prefill.EDITABLE)
            for f, v in values.items()
            if f in prefill.LABELS
        ],
        token=token,
    )


def _outlet(request: HttpRequest) -> OrgUnit:
    unit = getattr(request_principal(request), "org_unit", None)
    if unit is None:
        raise NotFound(_("Not found."))
    return unit


@router.post("/customers/forms/{kind}/prefill", response=PrefillOut)
def form_prefill(
    request: HttpRequest,
    response: HttpResponse,
    payload: FormPrefillIn,
    kind: Annotated[str, path_param(pattern=prefill.KIND_PATTERN)],
) -> PrefillOut:
    """A business form pre-filled from the profile and the last form of its kind; identifiers masked (P4)."""
    found = selectors.form_prefill(
        fetched_by=request_principal(request), outlet=_outlet(request), kind=kind, id_number=payload.id_number
    )
    response["Cache-Control"] = "no-store"
    token = prefill.token_for(found.customer) if found.customer is not None else ""
    return _prefill_out(found.kind, found.values, known=found.customer is not None, token=token)


@router.post("/customers/forms/{kind}", response=PrefillOut)
def form_submit(
    request: HttpRequest,
    payload: FormSubmitIn,
    kind: Annotated[str, path_param(pattern=prefill.KIND_PATTERN)],
) -> PrefillOut:
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
    return _prefill_out(record.kind, {k: str(v) for k, v in record.data.items()}, known=True)


# --- households, RM portfolios, risk assessments, the product catalogue (P2, P3) ------------------------

PAGE_SIZE = 50


def _page(rows: QuerySet[Any], page: int) -> tuple[int, list[Any]]:
    """(total, the rows of page `page`): the same 50-row pages as the screens."""
    found = Paginator(rows, PAGE_SIZE).get_page(page)
    return found.paginator.count, list(found.object_list)


class HouseholdMemberOut(Schema):
    customer_no: str
    name: str
    role: str


class HouseholdOut(Schema):
    id: int
    name: str
    home_outlet: str
    members: list[HouseholdMemberOut]


class HouseholdRowOut(Schema):
    id: int
    name: str
    home_outlet: str
    member_count: int


class HouseholdPageOut(Schema):
    total: int
    page: int
    items: list[HouseholdRowOut]


def _household(principal: Principal, household: Household) -> HouseholdOut:
    members = selectors.household_members(fetched_by=principal, household=household)
    return HouseholdOut(
        id=household.pk,
        name=household.name,
        home_outlet=household.home_outlet.code,
        members=[
            HouseholdMemberOut(customer_no=m.customer_no, name=m.name, role=m.household_role) for m in members
        ],
    )


@router.get("/households", response=HouseholdPageOut)
def household_list(request: HttpRequest, page: int = 1) -> HouseholdPageOut:
    """The households of the caller's outlets, newest first (50 a page)."""
    principal = request_principal(request)
    total, rows = _page(selectors.households(fetched_by=principal).order_by("-created_at", "-pk"), page)
    return HouseholdPageOut(
        total=total,
        page=page,
        items=[
            HouseholdRowOut(id=h.pk, name=h.name, home_outlet=h.home_outlet.code, member_count=h.member_count)
            for h in rows
        ],
    )


@router.post("/households", response={201: HouseholdOut})
@raises(NotFound)
def household_create(request: HttpRequest, payload: HouseholdCreateIn) -> tuple[int, HouseholdOut]:
    """Start a household with its first member."""
    principal = request_principal(request)
    head = selectors.customer(fetched_by=principal, customer_no=payload.customer_no.strip())
    made = services.household_create(
        actor=principal, name=payload.name.strip(), members=[(head, payload.role)]
    )
    return 201, _household(principal, made)


@router.get("/households/{pk}", response=HouseholdOut)
def household_detail(request: HttpRequest, pk: int) -> HouseholdOut:
    principal = request_principal(request)
    return _household(principal, selectors.household(fetched_by=principal, pk=pk))


@router.post("/households/{pk}/members", response=HouseholdOut)
def household_member_add(request: HttpRequest, pk: int, payload: HouseholdMemberIn) -> HouseholdOut:
    """Add a customer of the household's outlet (audited)."""
    principal = request_principal(request)
    household = selectors.household(fetched_by=principal, pk=pk)
    customer = selectors.household_candidate(
        fetched_by=principal, household=household, customer_no=payload.customer_no
    )
    services.household_member_add(actor=principal, household=household, customer=customer, role=payload.role)
    return _household(principal, household)


@router.post("/households/{pk}/members/remove", response=HouseholdOut)
def household_member_remove(request: HttpRequest, pk: int, payload: HouseholdMemberRemoveIn) -> HouseholdOut:
    """Take a member out of the household (audited)."""
    principal = request_principal(request)
    household = selectors.household(fetched_by=principal, pk=pk)
    member = next(
        (
            m
            for m in selectors.household_members(fetched_by=principal, household=household)
            if m.customer_no == payload.customer_no
        ),
        None,
    )
    if member is None:
        raise NotFound(_("Not found."))
    services.household_member_remove(actor=principal, household=household, customer=member)
    return _household(principal, household)


class PortfolioOut(Schema):
    staff_code: str
    name: str
    unit: str
    customer_count: int
    aum: str


class PortfolioPageOut(Schema):
    total: int
    page: int
    items: list[PortfolioOut]


class ReassignedOut(Schema):
    moved: int
    staff_code: str


@router.get("/portfolios", response=PortfolioPageOut)
def portfolio_list(request: HttpRequest, page: int = 1) -> PortfolioPageOut:
    """The relationship managers of the caller's units with their portfolio's size and assets."""
    principal = request_principal(request)
    total, rows = _page(
        selectors.portfolios(fetched_by=principal).order_by(F("customer_count").desc(), "pk"), page
    )
    return PortfolioPageOut(
        total=total,
        page=page,
        items=[
            PortfolioOut(
                staff_code=m.staff_code or "",
                name=m.display_name or m.username,
                unit=m.org_unit.code if m.org_unit else "",
                customer_count=m.customer_count,
                aum=f"{m.aum_total or 0:.2f}",
            )
            for m in rows
        ],
    )


@router.post("/portfolios/reassign", response=ReassignedOut)
@raises(NotFound)
def portfolio_reassign(request: HttpRequest, payload: PortfolioReassignIn) -> ReassignedOut:
    """Move customers to another relationship manager (or none), all or none; each move is audited."""
    principal = request_principal(request)
    chosen = selectors.portfolio_customers(fetched_by=principal, customer_nos=payload.customer_nos)
    target = (
        selectors.portfolio_manager(fetched_by=principal, staff_code=payload.staff_code)
        if payload.staff_code
        else None
    )
    moved = services.portfolio_reassign(actor=principal, customers=chosen, manager=target)
    return ReassignedOut(moved=moved, staff_code=payload.staff_code)


class RiskAssessmentOut(Schema):
    level: str
    assessed_on: dt.date
    expires_on: dt.date
    valid: bool


class RiskAssessmentPageOut(Schema):
    total: int
    page: int
    items: list[RiskAssessmentOut]


def _assessment(a: RiskAssessment) -> RiskAssessmentOut:
    return RiskAssessmentOut(
        level=f"C{a.level}", assessed_on=a.assessed_on, expires_on=a.expires_on, valid=not a.is_expired
    )


@router.get("/customers/{customer_no}/risk-assessments", response=RiskAssessmentPageOut)
def risk_assessment_list(request: HttpRequest, customer_no: str, page: int = 1) -> RiskAssessmentPageOut:
    """The customer's risk assessments, newest first, each with its expiry."""
    principal = request_principal(request)
    found = selectors.customer(fetched_by=principal, customer_no=customer_no)
    total, rows = _page(selectors.risk_assessments(fetched_by=principal, customer=found), page)
    return RiskAssessmentPageOut(total=total, page=page, items=[_assessment(a) for a in rows])


@router.post("/customers/{customer_no}/risk-assessments", response={201: RiskAssessmentOut})
def risk_assessment_record(
    request: HttpRequest, customer_no: str, payload: RiskAssessmentIn
) -> tuple[int, RiskAssessmentOut]:
    """Record a risk assessment taken with the customer (audited)."""
    principal = request_principal(request)
    found = selectors.customer(fetched_by=principal, customer_no=customer_no)
    made = services.risk_assessment_record(
        actor=principal,
        customer=found,
        level=payload.level,
        assessed_on=payload.assessed_on,
        valid_days=payload.valid_days,
    )
    return 201, _assessment(made)


class CatalogueProductOut(Schema):
    code: str
    name: str
    category: str
    risk_level: str
    fees: str
    min_age: int
    max_age: int | None
    on_sale: bool
    holders: int


class CatalogueProductPageOut(Schema):
    total: int
    page: int
    items: list[CatalogueProductOut]


class PublishedFeeOut(Schema):
    item: str
    price: str
    basis: str


class CatalogueProductDetailOut(CatalogueProductOut):
    published_title: str
    published_risk_level: str
    published_fees: list[PublishedFeeOut]


def _product(p: Product, holders: int) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "category": p.category,
        "risk_level": f"R{p.risk_level}",
        "fees": p.fees,
        "min_age": p.min_age,
        "max_age": p.max_age,
        "on_sale": p.is_active,
        "holders": holders,
    }


@router.get("/products", response=CatalogueProductPageOut)
def product_list(request: HttpRequest, page: int = 1) -> CatalogueProductPageOut:
    """The product catalogue with each product's risk level R1–R5 and fees."""
    principal = request_principal(request)
    total, rows = _page(selectors.products(fetched_by=principal).order_by("code"), page)
    return CatalogueProductPageOut(
        total=total, page=page, items=[CatalogueProductOut(**_product(p, p.holder_count)) for p in rows]
    )


@router.get("/products/{code}", response=CatalogueProductDetailOut)
def product_detail(request: HttpRequest, code: str) -> CatalogueProductDetailOut:
    """One product, with what the knowledge base publishes about it where it has a product entry."""
    found = selectors.product(fetched_by=request_principal(request), code=code)
    published = found.published
    return CatalogueProductDetailOut(
        **_product(found.product, found.holders),
        published_title=published.title if published else "",
        published_risk_level=published.risk_level if published else "",
        published_fees=[
            PublishedFeeOut(item=i, price=p, basis=b) for i, p, b in (published.fees if published else [])
        ],
    )
