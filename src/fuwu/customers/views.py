"""Pages: find a customer, see the masked record, reveal one full identifier (roles with the right, audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
from fuwu.customers.models import Customer, FormRecord
from fuwu.customers.schemas import (
    FormPrefillIn,
    FormSubmitIn,
    RevealIn,
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
