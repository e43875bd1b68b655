"""Inputs of the platform's actions: one schema each, shared by the API endpoint and the HTML form."""

from __future__ import annotations

from ninja import Field, Schema


class DeviceIssueIn(Schema):
    outlet_code: str = Field(min_length=1, max_length=32)
    kind: str = Field(min_length=1, max_length=16)
    counter_code: str = Field(default="", max_length=16)
    name: str = Field(default="", max_length=100)
