"""Inputs of the approval actions: one schema each, for the API body and the HTML form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class CaseStartIn(Schema):
    process_code: str = Field(min_length=1, max_length=32)
    outlet_code: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    external_ref: str | None = Field(default=None, max_length=64)


class DecisionIn(Schema):
    comment: str = Field(default="", max_length=2000)


class CaseOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    version: int


class ReassignIn(Schema):
    assignee_id: int


class DelegationIn(Schema):
    delegate_id: int
    starts_on: dt.date
    ends_on: dt.date
