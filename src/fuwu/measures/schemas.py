"""One schema per measures action, shared by the API body and the HTML form (`core.inputs.parse`)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class TargetIn(Schema):
    """Set (create or change) the target of one measure at one unit, due on a date (K2)."""

    measure: str = Field(min_length=1, max_length=40)
    unit_code: str = Field(min_length=1, max_length=32)
    # `1e999` is valid JSON that Python reads as infinity, and a form field may say "nan" (#18).
    baseline: float = Field(allow_inf_nan=False)
    value: float = Field(allow_inf_nan=False)
    start_date: dt.date
    due_date: dt.date
    note: str = Field(default="", max_length=200)
