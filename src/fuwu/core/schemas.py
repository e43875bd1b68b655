"""Inputs of the platform's actions: one schema each, shared by the API endpoint and the HTML form."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class DeviceIssueIn(Schema):
    outlet_code: str = Field(min_length=1, max_length=32)
    kind: str = Field(min_length=1, max_length=16)
    counter_code: str = Field(default="", max_length=16)
    name: str = Field(default="", max_length=100)


class AuditQueryIn(Schema):
    """What the auditor asks of the trail; the same filter for the page, its downloads and the API."""

    action: str = Field(default="", max_length=64)
    person: str = Field(default="", max_length=150)
    unit: str = Field(default="", max_length=32)
    object_type: str = Field(default="", max_length=64)
    object_id: str = Field(default="", max_length=64)
    start: dt.date | None = None
    end: dt.date | None = None
    # Periodic sweeps write most rows on a quiet day; an auditor asks for them explicitly.
    system: bool = False
    page: int = Field(default=1, ge=1, le=100_000)
