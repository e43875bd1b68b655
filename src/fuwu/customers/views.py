"""Pages: find a customer, see the masked record, reveal one full identifier (roles with the right, audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuwu.core.access import has
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.principals import Principal
from fuwu.core.services import PII_PERMISSION
from fuwu.customers import selectors, services
from fuwu.customers.models import Customer
from fuwu.customers.schemas import RevealIn

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
    found: Customer,
    *,
    revealed: dict[str, str] | None = None,
    form: FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "c": found,
        "can_reveal": has(principal, PII_PERMISSION, unit=found.home_outlet),
        "revealed": revealed or {},
        "form": form or FormState(),
    }
    response = render(request, "customers/detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"  # a full identifier must not stay in any cache
    return response


@login_required
@never_cache
def customer_detail(request: HttpRequest, customer_no: str) -> HttpResponse:
    principal = request_principal(request)
    return _detail(request, principal, selectors.customer(fetched_by=principal, customer_no=customer_no))


@login_required
@require_POST
@never_cache
def customer_reveal(request: HttpRequest, customer_no: str) -> HttpResponse:
    """Show one full identifier on this response only (not stored in the session), audited by the service."""
    principal = request_principal(request)
    found = selectors.customer(fetched_by=principal, customer_no=customer_no)
    try:
        payload = parse(RevealIn, request.POST)
    except ValidationFailed as exc:
        return _detail(request, principal, found, form=FormState.failed(request.POST, exc), status=422)
    value = services.customer_reveal(actor=principal, customer=found, field=payload.field)
    return _detail(request, principal, found, revealed={payload.field: value})
