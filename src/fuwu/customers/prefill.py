"""Business forms pre-filled from the profile and the customer's last form of that kind (P4, seed 000).

The customer presents their ID; its keyed hash finds the customer and their last form of the kind asked for
(`FormRecord.id_hash`), so the full number is never stored with the form nor looked up in clear. What a form
shows is always masked: the ID and phone as their masked forms, a payee account as a masked card number. The
fields each form asks for are the materials of the service catalogue's business (开户, 办卡, 转账, 地址变更).
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuwu.core import pii
from fuwu.core.errors import ValidationFailed
from fuwu.customers.models import Customer

FIELDS: dict[str, tuple[str, ...]] = {
    "account_opening": ("name", "id_number", "phone", "address", "occupation"),
    "card_application": ("name", "id_number", "phone", "address"),
    "transfer": ("name", "id_number", "payee_name", "payee_account"),
    "address_change": ("name", "id_number", "phone", "address"),
}
# The kinds as the API's path documents them (#18: schemathesis sends only what the schema allows).
KIND_PATTERN = "^(" + "|".join(FIELDS) + ")$"
LABELS = {
    "name": gettext_lazy("Name"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "occupation": gettext_lazy("Occupation"),
    "payee_name": gettext_lazy("Payee"),
    "payee_account": gettext_lazy("Payee account"),
}
# The floor's businesses whose counter work starts from one of these forms: the kiosk pre-fills it when the
# customer chooses the business with their ID (Q2 pre-fill), through the same service as the counter's page.
SERVICE_FORMS = {"OPEN": "account_opening", "XFER": "transfer"}
EDITABLE = frozenset({"phone", "address", "occupation", "payee_name", "payee_account"})
# A pre-filled page carries this instead of the ID number, so the confirmation needs no full number in the page.
TOKEN_MAX_AGE = 30 * 60
_SALT = "fuwu.customers.prefill"
# What a confirmed form may change in the profile (identifiers other than the phone are the core system's).
PROFILE_FIELDS = ("phone", "address", "occupation")
# Kept from the last form of the kind (not in the profile); the account only masked.
FORM_ONLY = ("payee_name", "payee_account")


def customer_by_id(id_number: str) -> Customer | None:
    """The customer whose ID has this keyed hash (the number itself is never looked up in clear)."""
    if not pii.is_valid_id_number(id_number):
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "id_number", "reason": _("The check digit or the format is wrong.")}],
        )
    return Customer.objects.filter(id_hash=pii.keyed_hash("id", pii.normalize_id(id_number))).first()


def check_kind(kind: str) -> None:
    if kind not in FIELDS:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "kind", "reason": _("Choose one of the offered values.")}],
        )


def token_for(customer: Customer) -> str:
    return signing.dumps(customer.id_hash, salt=_SALT)


def customer_by_token(token: str) -> Customer | None:
    """The customer a pre-filled page was made for (valid for half an hour), or None."""
    try:
        id_hash = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return Customer.objects.filter(id_hash=id_hash).first() if id_hash else None
