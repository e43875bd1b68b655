"""Inputs of the customer actions: one schema each, for the API body and the HTML form."""

from __future__ import annotations

from typing import Literal

from ninja import Schema


class RevealIn(Schema):
    """Which protected identifier to show in full (each reveal is audited)."""

    field: Literal["id_number", "phone"]
