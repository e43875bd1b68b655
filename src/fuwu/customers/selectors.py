"""Customer reads: staff through access and scoping; recognition by identifier for the floor (tier only leaves it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from fuwu.core import clock, pii, roles
from fuwu.core.access import has, require
from fuwu.core.discovery import app_modules
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import can_see_unit, get_visible, visible, visible_units
from fuwu.customers import prefill, rules, timeline
from fuwu.customers.models import (
    Customer,
    FormRecord,
    Household,
    Product,
    RiskAssessment,
    Suggestion,
    TierChange,
)

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


# --- the customer 360 (P1) -------------------------------------------------------------------------------

PROFILE = "customers.view_profile"
EXACT = "customers.view_exact_balance"


@dataclass(frozen=True)
class HoldingLine:
    product: Product
    amount: str  # exact (yuan, two decimals) for roles with the right, else a band


@dataclass(frozen=True)
class View360:
    customer: Customer
    compact: bool  # the teller's view: no holdings amounts, no household, no timeline beyond today
    holdings: list[HoldingLine]
    assessment: RiskAssessment | None
    assessment_valid: bool
    household: list[Customer]
    tier_changes: list[TierChange]
    selling_blocks: list[str]


def customer_view(*, fetched_by: Principal, customer_no: str) -> tuple[Customer, bool]:
    """The customer and whether `fetched_by` gets only the compact view (P1 scoping).

    Full view: the profile right and the customer's home outlet in the principal's units. Compact view: the
    customer right and either the home outlet in the principal's units or the customer at the principal's
    counter right now (a teller of another outlet serving a visitor). Anyone else: not found.
    """
    require(fetched_by, VIEW)
    found = (
        Customer.objects.select_related("home_outlet", "relationship_manager")
        .filter(customer_no=customer_no)
        .first()
    )
    if found is None:
        raise NotFound(_("Not found."))
    in_scope = can_see_unit(fetched_by, found.home_outlet)
    if in_scope and has(fetched_by, PROFILE):
        return found, False
    if in_scope or found.pk in timeline.serving(fetched_by):
        return found, True
    raise NotFound(_("Not found."))


def view_360(*, fetched_by: Principal, customer_no: str) -> View360:
    """The profile part of the 360 as `fetched_by` may see it (customer_view decides full or compact):
    holdings (exact, banded, or names only), risk assessment, household, tier history."""
    customer, compact = customer_view(fetched_by=fetched_by, customer_no=customer_no)
    today = clock.today()
    exact = not compact and has(fetched_by, EXACT, unit=customer.home_outlet)
    holdings = [
        HoldingLine(h.product, "" if compact else f"{h.balance:,.2f}" if exact else rules.band(h.balance))
        for h in customer.holdings.select_related("product").order_by("product__category", "product__code")
    ]
    assessment = customer.risk_assessments.order_by("-assessed_on", "-pk").first()
    household: list[Customer] = []
    changes: list[TierChange] = []
    if not compact:
        if customer.household_id is not None:
            household = list(
                Customer.objects.filter(household_id=customer.household_id).exclude(pk=customer.pk)
            )
        changes = list(customer.tier_changes.all()[:10])
    return View360(
        customer=customer,
        compact=compact,
        holdings=holdings,
        assessment=assessment,
        assessment_valid=assessment is not None and assessment.expires_on >= today,
        household=household,
        tier_changes=changes,
        selling_blocks=timeline.selling_blocks(customer),
    )


def customer_timeline(
    *,
    fetched_by: Principal,
    customer: Customer,
    kinds: frozenset[str] | None = None,
    cursor: str = "",
    limit: int = 20,
) -> timeline.Page:
    """One page of the customer's history across the apps, newest first (full-view readers only)."""
    require(fetched_by, PROFILE, unit=customer.home_outlet)
    return timeline.page(
        customer,
        fetched_by=fetched_by,
        only=kinds,
        cursor=timeline.Cursor.decode(cursor) if cursor else None,
        limit=limit,
    )


def suggestion(*, fetched_by: Principal, pk: int) -> Suggestion:
    require(fetched_by, "customers.view_suggestion")
    return get_visible(Suggestion.objects.select_related("customer", "product", "outlet"), fetched_by, pk=pk)


def referrals_to(*, fetched_by: Principal) -> QuerySet[Suggestion]:
    """Suggestions referred to `fetched_by` (the relationship manager's list), newest first."""
    require(fetched_by, "customers.view_suggestion")
    return (
        visible(Suggestion.objects.filter(referred_to_id=getattr(fetched_by, "pk", None)), fetched_by)
        .select_related("customer", "product", "credited_staff")
        .order_by("-reacted_at", "-pk")
    )


def referral_managers(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[User]:
    """The relationship managers of `outlet` a suggestion's customer may be referred to."""
    require(fetched_by, "customers.change_suggestion", unit=outlet)
    return User.objects.filter(org_unit=outlet, is_active=True, groups__name=roles.RM).order_by(
        "display_name"
    )


# --- pre-filled business forms (P4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Prefilled:
    customer: Customer | None
    kind: str
    values: dict[str, str]  # field → what the form shows: masked identifiers, never a full one


def form_prefill(*, fetched_by: Principal, outlet: OrgUnit, kind: str, id_number: str) -> Prefilled:
    """The form of `kind` filled from the profile and the last form of that kind, identifiers masked (P4)."""
    require(fetched_by, "customers.add_formrecord", unit=outlet)
    prefill.check_kind(kind)
    customer = prefill.customer_by_id(id_number)
    wanted = prefill.FIELDS[kind]
    if customer is None:
        return Prefilled(None, kind, {"id_number": pii.mask_id(id_number)} if "id_number" in wanted else {})
    last = (
        FormRecord.objects.filter(id_hash=customer.id_hash, kind=kind)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    known = {
        "name": customer.name,
        "id_number": customer.id_masked,
        "phone": customer.phone_masked,
        "address": customer.address,
        "occupation": customer.occupation,
        **{f: str(last.data.get(f, "")) for f in prefill.FORM_ONLY if last is not None},
    }
    return Prefilled(customer, kind, {f: known.get(f, "") for f in wanted})


# --- households, RM portfolios, risk assessments, the product catalogue (P2, P3 screens) -----------------

VIEW_HOUSEHOLD = "customers.view_household"


def households(*, fetched_by: Principal) -> QuerySet[Household]:
    """The households of the principal's outlets, with how many members each has."""
    require(fetched_by, VIEW_HOUSEHOLD)
    return visible(Household.objects.select_related("home_outlet"), fetched_by).annotate(
        member_count=Count("members")
    )


def household(*, fetched_by: Principal, pk: int) -> Household:
    require(fetched_by, VIEW_HOUSEHOLD)
    return get_visible(Household.objects.select_related("home_outlet"), fetched_by, pk=pk)


def household_members(*, fetched_by: Principal, household: Household) -> list[Customer]:
    require(fetched_by, VIEW_HOUSEHOLD, unit=household.home_outlet)
    return list(household.members.select_related("relationship_manager").order_by("customer_no"))


def household_candidate(*, fetched_by: Principal, household: Household, customer_no: str) -> Customer:
    """A customer of the household's outlet to add to it (the manager's form names them by number)."""
    require(fetched_by, "customers.change_household", unit=household.home_outlet)
    found = Customer.objects.filter(
        customer_no=customer_no.strip(), home_outlet=household.home_outlet
    ).first()
    if found is None:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "customer_no", "reason": _("No such customer at this outlet.")}],
        )
    return found


def _managers(fetched_by: Principal) -> QuerySet[User]:
    return User.objects.filter(
        groups__name=roles.RM, is_active=True, org_unit__in=visible_units(fetched_by)
    ).select_related("org_unit")


def portfolios(*, fetched_by: Principal) -> QuerySet[User]:
    """The relationship managers of the principal's units, each with their customers' count and AUM."""
    require(fetched_by, PROFILE)
    return _managers(fetched_by).annotate(
        customer_count=Count("managed_customers"), aum_total=Sum("managed_customers__aum")
    )


def portfolio_manager(*, fetched_by: Principal, staff_code: str) -> User:
    """One relationship manager of the principal's units, by staff code."""
    require(fetched_by, PROFILE)
    found = _managers(fetched_by).filter(staff_code=staff_code).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def portfolio(*, fetched_by: Principal, manager: User | None) -> QuerySet[Customer]:
    """The customers of one relationship manager (None: the customers with none) that the principal sees."""
    require(fetched_by, PROFILE)
    return visible(
        Customer.objects.filter(relationship_manager=manager).select_related("home_outlet"), fetched_by
    )


def reassign_targets(*, fetched_by: Principal) -> QuerySet[User]:
    """The relationship managers a portfolio may be moved to (the service checks each customer's branch)."""
    require(fetched_by, "customers.change_customer")
    return _managers(fetched_by).order_by("display_name", "username")


def portfolio_customers(*, fetched_by: Principal, customer_nos: list[str]) -> list[Customer]:
    """The customers a reassignment names, all visible to the principal (one unknown: NotFound for all)."""
    require(fetched_by, "customers.change_customer")
    wanted = sorted(set(customer_nos))
    found = list(visible(Customer.objects.filter(customer_no__in=wanted), fetched_by).order_by("customer_no"))
    if len(found) != len(wanted):
        raise NotFound(_("No such customer at your outlets."))
    return found


def risk_assessments(*, fetched_by: Principal, customer: Customer) -> QuerySet[RiskAssessment]:
    """The customer's risk assessments, newest first (the newest unexpired one decides suitability)."""
    require(fetched_by, "customers.view_riskassessment", unit=customer.home_outlet)
    return customer.risk_assessments.order_by("-assessed_on", "-pk")


VIEW_PRODUCT = "customers.view_product"


def products(*, fetched_by: Principal) -> QuerySet[Product]:
    """The bank's product catalogue with how many customers hold each product."""
    require(fetched_by, VIEW_PRODUCT)
    return Product.objects.annotate(holder_count=Count("holdings"))


@dataclass(frozen=True)
class Published:
    """What the knowledge base publishes about a product (its 价格公示): risk level, fee lines, documents."""

    title: str
    risk_level: str  # "R1".."R5", or "" when the entry does not rate it
    fees: list[tuple[str, str, str]]  # (item, price, basis)
    documents: list[str]
    url: str


@dataclass(frozen=True)
class ProductView:
    product: Product
    holders: int
    published: Published | None


def product(*, fetched_by: Principal, code: str) -> ProductView:
    """One product with its holders and, where the knowledge base has a live product entry, what it publishes.

    The knowledge base sits above this app: it answers through its `customer_products.py` hook
    (`published(name) -> Published | None`), found through core.discovery.
    """
    require(fetched_by, VIEW_PRODUCT)
    found = Product.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("Not found."))
    published = None
    for _app, module in app_modules("customer_products"):
        published = module.published(found.name)
        if published is not None:
            break
    return ProductView(found, found.holdings.count(), published)
