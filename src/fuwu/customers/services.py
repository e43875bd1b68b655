"""Writes to customer records; identifiers are only ever stored hashed, masked and encrypted."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.core import audit, clock, pii
from fuwu.core import services as core_services
from fuwu.core.access import require
from fuwu.core.errors import ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.customers.models import Customer

# The API's and the page's names for the protected identifiers → the model's column prefix.
REVEALABLE = {"id_number": "id", "phone": "phone"}


@transaction.atomic
def customer_create(
    *,
    actor: Principal,
    customer_no: str,
    name: str,
    home_outlet: OrgUnit,
    tier: str = Customer.Tier.NORMAL,
    id_number: str | None = None,
    phone: str | None = None,
    card_number: str | None = None,
    birth_date: dt.date | None = None,
    gender: str = "",
    special_groups: tuple[str, ...] = (),
) -> Customer:
    """Register a customer; the ID number must pass its check digit."""
    require(actor, "customers.add_customer", unit=home_outlet)
    problems = []
    if id_number and not pii.is_valid_id_number(id_number):
        problems.append({"field": "id_number", "reason": _("The check digit or the format is wrong.")})
    if tier not in Customer.Tier.values:
        problems.append({"field": "tier", "reason": _("Choose one of the offered values.")})
    unknown = set(special_groups) - {"elderly", "disabled", "pregnant", "military"}
    if unknown:
        problems.append(
            {
                "field": "special_groups",
                "reason": _("Unknown group: %(names)s") % {"names": ", ".join(sorted(unknown))},
            }
        )
    if problems:
        raise ValidationFailed(_("Customer data is not valid."), details=problems)
    customer = Customer(
        customer_no=customer_no,
        name=name,
        home_outlet=home_outlet,
        tier=tier,
        birth_date=birth_date,
        gender=gender,
        created_at=clock.now(),
        is_elderly="elderly" in special_groups,
        is_disabled="disabled" in special_groups,
        is_pregnant="pregnant" in special_groups,
        is_military="military" in special_groups,
    )
    apply_identifiers(customer, id_number=id_number, phone=phone, card_number=card_number)
    by(customer, actor).save()
    audit.record(actor=actor, action="customer.create", target=customer, org_unit=home_outlet)
    return customer


def apply_identifiers(
    customer: Customer, *, id_number: str | None, phone: str | None, card_number: str | None
) -> Customer:
    """Fill the hash/masked/cipher columns (no save: bulk loaders call this too)."""
    if id_number:
        p = pii.protect_id(id_number)
        customer.id_hash, customer.id_masked, customer.id_cipher = p.hash, p.masked, p.cipher
    if phone:
        p = pii.protect_phone(phone)
        customer.phone_hash, customer.phone_masked, customer.phone_cipher = p.hash, p.masked, p.cipher
    if card_number:
        digits = "".join(ch for ch in card_number if ch.isdigit())
        customer.card_hash = pii.keyed_hash("card", digits)
        customer.card_masked = pii.mask_card(digits)
    return customer


def customer_reveal(*, actor: Principal, customer: Customer, field: str) -> str:
    """The full ID or phone number of one customer, for roles with core.view_full_pii; audited (pii.reveal)."""
    if field not in REVEALABLE:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "field", "reason": _("Choose one of the offered values.")}],
        )
    return core_services.pii_reveal(
        actor=actor, obj=customer, field=REVEALABLE[field], org_unit=customer.home_outlet
    )
