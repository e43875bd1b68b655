"""Pages: find a customer, see the masked record, reveal one full identifier (roles with the right, audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.core.services import PII_PERMISSION
from fuwu.customers import prefill, selectors, services, timeline
from fuwu.customers.models import Customer, FormRecord, HouseholdRole, Product
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

# The selector searches number and name itself (an exact number, never a partial ID).
CUSTOMER_LIST = ListSpec(
    sorts=(
        Sort("no", gettext_lazy("By customer number"), ("customer_no",)),
        Sort("new", gettext_lazy("Newest first"), ("-created_at",)),
    ),
    search=True,
    state_field="tier",
    states=Customer.Tier.choices,
    unit_field="home_outlet",
    mine=("relationship_manager",),
)


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    search = request.GET.get("q", "")[:100]
    rows = selectors.customers(fetched_by=principal, search=search)
    found = listing(request, rows, CUSTOMER_LIST, principal=principal)
    return render(request, "customers/list.html", {**found.context(), "q": search})


def _detail(
    request: HttpRequest,
    principal: Principal,
    customer_no: str,
    *,
    revealed: dict[str, str] | None = None,
    form: FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    v = selectors.view_360(fetched_by=principal, customer_no=customer_no)
    found = v.customer
    if v.compact:
        context = {"c": found, "v": v}
        return render(request, "customers/compact_page.html", context, status=status)
    chosen = frozenset(k for k in request.GET.getlist("kind") if k in timeline.kinds())
    context = {
        "c": found,
        "v": v,
        "can_reveal": has(principal, PII_PERMISSION, unit=found.home_outlet),
        "revealed": revealed or {},
        "form": form or FormState(),
        "kinds": list(timeline.kinds().items()),
        "chosen": chosen,
        "page": selectors.customer_timeline(
            fetched_by=principal, customer=found, kinds=chosen or None, cursor=request.GET.get("cursor", "")
        ),
    }
    response = render(request, "customers/detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"  # a full identifier must not stay in any cache
    return response


@login_required
@never_cache
def customer_detail(request: HttpRequest, customer_no: str) -> HttpResponse:
    principal = request_principal(request)
    return _detail(request, principal, customer_no)


@login_required
@require_POST
@never_cache
def customer_reveal(request: HttpRequest, customer_no: str) -> HttpResponse:
    """Show one full identifier on this response only (not stored in the session), audited by the service."""
    principal = request_principal(request)
    found, _compact = selectors.customer_view(fetched_by=principal, customer_no=customer_no)
    try:
        payload = parse(RevealIn, request.POST)
    except ValidationFailed as exc:
        return _detail(request, principal, customer_no, form=FormState.failed(request.POST, exc), status=422)
    value = services.customer_reveal(actor=principal, customer=found, field=payload.field)
    return _detail(request, principal, customer_no, revealed={payload.field: value})


def _compact(request: HttpRequest, principal: Principal, found: Customer, *, error: str = "") -> HttpResponse:
    """The teller's compact 360 of the customer at the counter, with up to three suggestions (P1, P3)."""
    unit = principal.org_unit if isinstance(principal, User) and principal.org_unit else found.home_outlet
    shown = services.suggestions_show(actor=principal, customer=found, outlet=unit)
    context = {
        "c": found,
        "v": selectors.view_360(fetched_by=principal, customer_no=found.customer_no),
        "suggestions": shown,
        "colleagues": selectors.referral_managers(fetched_by=principal, outlet=unit),
        "error": error,
    }
    return render(request, "customers/partials/compact.html", context)


@login_required
@never_cache
def customer_compact(request: HttpRequest, customer_no: str) -> HttpResponse:
    principal = request_principal(request)
    found, _compact_only = selectors.customer_view(fetched_by=principal, customer_no=customer_no)
    return _compact(request, principal, found)


@login_required
@require_POST
def suggestion_react(request: HttpRequest, pk: int) -> HttpResponse:
    """Record accepted/declined, or a referral to a relationship manager; answer with the fresh compact view."""
    principal = request_principal(request)
    found = selectors.suggestion(fetched_by=principal, pk=pk)
    try:
        if request.POST.get("reaction") == "refer":
            refer = parse(SuggestionReferIn, request.POST)
            services.suggestion_refer(actor=principal, suggestion=found, staff_code=refer.staff_code)
        else:
            react = parse(SuggestionReactIn, request.POST)
            services.suggestion_react(actor=principal, suggestion=found, reaction=react.reaction)
    except ValidationFailed as exc:
        return _compact(request, principal, found.customer, error=str(exc))
    return _compact(request, principal, found.customer)


def _form_page(
    request: HttpRequest,
    kind: str,
    *,
    filled: selectors.Prefilled | None = None,
    form: FormState | None = None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    rows = []
    if filled is not None:
        rows = [(f, prefill.LABELS[f], value, f in prefill.EDITABLE) for f, value in filled.values.items()]
    context = {
        "rows": rows,
        "token": prefill.token_for(filled.customer) if filled is not None and filled.customer else "",
        "kind": kind,
        "kind_label": dict(FormRecord.Kind.choices).get(kind, ""),
        "kinds": FormRecord.Kind.choices,
        "filled": filled,
        "form": form or FormState(),
        "saved": saved,
    }
    response = render(request, "customers/form.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def business_form(request: HttpRequest, kind: str) -> HttpResponse:
    """A business form pre-filled for the customer whose ID is presented (POST: the ID never goes in a URL).

    The first post (ID only) shows the form filled from the profile and the last form of its kind, masked;
    the second (with `confirm`) keeps the form and applies the confirmed changes to the profile (P4).
    """
    principal = request_principal(request)
    if request.method != "POST":
        return _form_page(request, kind)
    outlet = principal.org_unit if isinstance(principal, User) else None
    if outlet is None:
        raise NotFound(_("Not found."))
    try:
        if "confirm" in request.POST:
            submitted = parse(FormSubmitIn, request.POST)
            services.form_submit(
                actor=principal,
                outlet=outlet,
                kind=kind,
                token=submitted.token,
                values=submitted.dict(exclude={"id_number", "token"}),
            )
            return _form_page(request, kind, saved=True)
        presented = parse(FormPrefillIn, request.POST)
        filled = selectors.form_prefill(
            fetched_by=principal, outlet=outlet, kind=kind, id_number=presented.id_number
        )
    except ValidationFailed as exc:
        # What was typed comes back, except the ID number itself: the page never echoes a full identifier.
        typed = request.POST.copy()
        typed.pop("id_number", None)
        return _form_page(request, kind, form=FormState.failed(typed, exc), status=422)
    return _form_page(request, kind, filled=filled)


# --- households, RM portfolios, risk assessments, the product catalogue (P2, P3) ------------------------

HOUSEHOLD_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-created_at",)),
        Sort("name", gettext_lazy("By name"), ("name",)),
    ),
    text=("name",),
    unit_field="home_outlet",
)


def _failed(request: HttpRequest, exc: ValidationFailed) -> FormState:
    return FormState.failed(request.POST, exc)


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """The households of the reader's outlets; a manager starts a new one with its first member."""
    principal = request_principal(request)
    form = FormState()
    status = 200
    if request.method == "POST":
        try:
            made = parse(HouseholdCreateIn, request.POST)
            head = selectors.customer(fetched_by=principal, customer_no=made.customer_no.strip())
            household = services.household_create(
                actor=principal, name=made.name.strip(), members=[(head, made.role)]
            )
            return redirect("customers:household", pk=household.pk)
        except (ValidationFailed, NotFound) as exc:
            form, status = _refused(request, exc, "customer_no"), 422
    found = listing(request, selectors.households(fetched_by=principal), HOUSEHOLD_LIST, principal=principal)
    context = {
        **found.context(),
        "form": form,
        "roles": HouseholdRole.choices,
        "can_manage": has(principal, "customers.add_household"),
    }
    return render(request, "customers/households.html", context, status=status)


def _refused(request: HttpRequest, exc: ValidationFailed | NotFound, field: str) -> FormState:
    """A refused form: its errors, or for a customer number that finds nobody, that field's error."""
    if isinstance(exc, ValidationFailed):
        return _failed(request, exc)
    reason = _("No such customer at your outlets.")
    return FormState.failed(
        request.POST, ValidationFailed(reason, details=[{"field": field, "reason": reason}])
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One household: its members and their roles; managers add and remove members (each change audited)."""
    principal = request_principal(request)
    household = selectors.household(fetched_by=principal, pk=pk)
    form = FormState()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                gone = parse(HouseholdMemberRemoveIn, request.POST)
                member = next(
                    (
                        m
                        for m in selectors.household_members(fetched_by=principal, household=household)
                        if m.customer_no == gone.customer_no
                    ),
                    None,
                )
                if member is None:
                    raise NotFound(_("Not found."))
                services.household_member_remove(actor=principal, household=household, customer=member)
            else:
                added = parse(HouseholdMemberIn, request.POST)
                customer = selectors.household_candidate(
                    fetched_by=principal, household=household, customer_no=added.customer_no
                )
                services.household_member_add(
                    actor=principal, household=household, customer=customer, role=added.role
                )
            return redirect("customers:household", pk=household.pk)
        except ValidationFailed as exc:
            form, status = _failed(request, exc), 422
    context = {
        "h": household,
        "members": selectors.household_members(fetched_by=principal, household=household),
        "form": form,
        "roles": HouseholdRole.choices,
        "can_manage": has(principal, "customers.change_household", unit=household.home_outlet),
    }
    return render(request, "customers/household.html", context, status=status)


PORTFOLIO_LIST = ListSpec(
    sorts=(
        Sort("size", gettext_lazy("Most customers first"), ("-customer_count",)),
        Sort("name", gettext_lazy("By name"), ("display_name", "username")),
    ),
    text=("display_name", "staff_code"),
    unit_field="org_unit",
)
PORTFOLIO_CUSTOMERS = ListSpec(
    sorts=(
        Sort("aum", gettext_lazy("Largest assets first"), ("-aum",)),
        Sort("no", gettext_lazy("By customer number"), ("customer_no",)),
    ),
    text=("name", "customer_no"),
    state_field="tier",
    states=Customer.Tier.choices,
    unit_field="home_outlet",
)
NO_MANAGER = "-"  # the portfolio of the customers with no relationship manager


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    """The relationship managers of the reader's units with their portfolio's size and assets."""
    principal = request_principal(request)
    found = listing(request, selectors.portfolios(fetched_by=principal), PORTFOLIO_LIST, principal=principal)
    unassigned = selectors.portfolio(fetched_by=principal, manager=None).count()
    context = {**found.context(), "unassigned": unassigned, "none": NO_MANAGER}
    return render(request, "customers/portfolios.html", context)


@login_required
def portfolio_detail(request: HttpRequest, staff_code: str) -> HttpResponse:
    """One manager's customers (or those with none); the outlet head moves the ticked ones to another
    manager in one audited step."""
    principal = request_principal(request)
    manager = (
        None
        if staff_code == NO_MANAGER
        else selectors.portfolio_manager(fetched_by=principal, staff_code=staff_code)
    )
    form = FormState()
    status = 200
    moved = 0
    can_move = has(principal, "customers.change_customer")
    if request.method == "POST":
        field = "customer_nos"  # what a NotFound is about: the customers, then the target manager
        try:
            asked = parse(PortfolioReassignIn, request.POST)
            chosen = selectors.portfolio_customers(fetched_by=principal, customer_nos=asked.customer_nos)
            field = "staff_code"
            target = (
                selectors.portfolio_manager(fetched_by=principal, staff_code=asked.staff_code)
                if asked.staff_code
                else None
            )
            moved = services.portfolio_reassign(actor=principal, customers=chosen, manager=target)
        except ValidationFailed as exc:
            form, status = _failed(request, exc), 422
        except NotFound:
            reason = (
                _("No such customer at your outlets.")
                if field == "customer_nos"
                else _("Not a relationship manager of this branch.")
            )
            form = FormState.failed(
                request.POST, ValidationFailed(reason, details=[{"field": field, "reason": reason}])
            )
            status = 422
    rows = selectors.portfolio(fetched_by=principal, manager=manager)
    found = listing(request, rows, PORTFOLIO_CUSTOMERS, principal=principal)
    context = {
        **found.context(),
        "manager": manager,
        "staff_code": staff_code,
        "form": form,
        "moved": moved,
        "targets": selectors.reassign_targets(fetched_by=principal) if can_move else [],
        "can_move": can_move,
    }
    return render(request, "customers/portfolio.html", context, status=status)


RISK_LIST = ListSpec(sorts=(Sort("new", gettext_lazy("Newest first"), ("-assessed_on",)),), per_page=20)


@login_required
def risk_assessments(request: HttpRequest, customer_no: str) -> HttpResponse:
    """The customer's risk assessments with their expiry; a relationship manager records a new one."""
    principal = request_principal(request)
    customer = selectors.customer(fetched_by=principal, customer_no=customer_no)
    rows = selectors.risk_assessments(fetched_by=principal, customer=customer)
    form = FormState()
    status = 200
    if request.method == "POST":
        try:
            taken = parse(RiskAssessmentIn, request.POST)
            services.risk_assessment_record(
                actor=principal,
                customer=customer,
                level=taken.level,
                assessed_on=taken.assessed_on,
                valid_days=taken.valid_days,
            )
            return redirect("customers:risk", customer_no=customer.customer_no)
        except ValidationFailed as exc:
            form, status = _failed(request, exc), 422
    found = listing(request, rows, RISK_LIST, principal=principal)
    context = {
        **found.context(),
        "c": customer,
        "form": form,
        "levels": [(n, f"C{n}") for n in range(1, 6)],
        "can_record": has(principal, "customers.add_riskassessment", unit=customer.home_outlet),
    }
    return render(request, "customers/risk.html", context, status=status)


PRODUCT_LIST = ListSpec(
    sorts=(
        Sort("code", gettext_lazy("By product code"), ("code",)),
        Sort("risk", gettext_lazy("By risk level"), ("risk_level", "code")),
        Sort("held", gettext_lazy("Most held first"), ("-holder_count",)),
    ),
    text=("name", "code"),
    state_field="category",
    states=Product.Category.choices,
    state_label=gettext_lazy("Category"),
)


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    found = listing(request, selectors.products(fetched_by=principal), PRODUCT_LIST, principal=principal)
    return render(request, "customers/products.html", found.context())


@login_required
def product_detail(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    return render(
        request, "customers/product.html", {"p": selectors.product(fetched_by=principal, code=code)}
    )
