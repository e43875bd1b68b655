"""One schema per floor action: the device API's request body and what the HTML forms are parsed with.

The device API's contract fixes these shapes (kiosks and counter terminals in the field send them); the
services validate the values (known business, channel, counter kind) after the state check, so a step on a
ticket in the wrong state is a 409 whatever its body says.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class IssueIn(Schema):
    service_code: str
    customer_card: str | None = None
    id_number: str | None = None
    phone: str | None = None
    appointment_code: str | None = None
    channel: str = "kiosk"


class CheckInIn(Schema):
    """An appointment's code typed at the kiosk (and, optionally, the card that identifies the customer)."""

    code: str = Field(min_length=1, max_length=32)
    customer_card: str | None = None
    id_number: str | None = None
    phone: str | None = None


class TransferIn(Schema):
    service_code: str | None = None
    counter_kind: str | None = None


class ReferIn(Schema):
    staff_code: str


class DivertIn(Schema):
    channel: str


class PositionIn(Schema):
    """A lobby position and who holds it today (blank: nobody)."""

    position: int = Field(ge=1, le=7)
    staff: int | None = None
