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
