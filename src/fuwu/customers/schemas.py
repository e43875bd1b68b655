"""Inputs of the customer actions: one schema each, for the API body and the HTML form."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema


class RevealIn(Schema):
    """Which protected identifier to show in full (each reveal is audited)."""

    field: Literal["id_number", "phone"]


class SuggestionReactIn(Schema):
    """The customer's answer to a suggestion (recorded as a reaction)."""

    reaction: Literal["accept", "decline"]


class SuggestionReferIn(Schema):
    """The relationship manager (staff code) a suggestion's customer is referred to."""

    staff_code: str = Field(min_length=1, max_length=32)


class FormPrefillIn(Schema):
    """The ID the customer presents; its keyed hash finds their profile and last form of the kind (P4)."""

    id_number: str = Field(min_length=15, max_length=20)


class FormSubmitIn(Schema):
    """A confirmed form: the presented ID (API) or the pre-filled page's token; a masked value means "unchanged"."""

    id_number: str = Field(default="", max_length=20)
    token: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=200)
    occupation: str = Field(default="", max_length=50)
    payee_name: str = Field(default="", max_length=50)
    payee_account: str = Field(default="", max_length=32)
