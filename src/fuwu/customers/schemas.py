"""Inputs of the customer actions: one schema each, for the API body and the HTML form."""

from __future__ import annotations

import datetime as dt
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


HouseholdRoleName = Literal["head", "spouse", "child", "parent", "other"]


class HouseholdCreateIn(Schema):
    """A new household (relationship group) and its first member, named by customer number."""

    name: str = Field(min_length=1, max_length=50)
    customer_no: str = Field(min_length=1, max_length=20)
    role: HouseholdRoleName = "head"


class HouseholdMemberIn(Schema):
    """A customer of the household's outlet to add, with their role in it."""

    customer_no: str = Field(min_length=1, max_length=20)
    role: HouseholdRoleName


class HouseholdMemberRemoveIn(Schema):
    """The member to take out of the household."""

    customer_no: str = Field(min_length=1, max_length=20)


class PortfolioReassignIn(Schema):
    """Customers to move to another relationship manager (staff code; empty: to none), all or none."""

    customer_nos: list[str] = Field(min_length=1, max_length=200)
    staff_code: str = Field(default="", max_length=32)


class RiskAssessmentIn(Schema):
    """A risk tolerance assessment (风险测评) taken with the customer: level C1–C5, valid a year by default."""

    level: int = Field(ge=1, le=5)
    assessed_on: dt.date
    valid_days: int = Field(default=365, ge=1, le=730)
