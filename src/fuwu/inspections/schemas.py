"""One input schema per action: the API body and the HTML form parse the same thing."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from fuwu.core import clock


class InspectionPlanIn(Schema):
    outlet_code: str = Field(min_length=1, max_length=32)
    template_code: str = Field(min_length=1, max_length=32)
    kind: Literal["mystery", "video", "onsite"]
    supervisor_id: int
    planned_for: dt.date


class ScheduleIn(Schema):
    branch_code: str = Field(min_length=1, max_length=32)
    quarter: str = Field(pattern=r"^\d{4}Q[1-4]$")
    template_code: str = Field(min_length=1, max_length=32)
    kind: Literal["mystery", "video", "onsite"] = "mystery"


class PieceRateQuery(Schema):
    month: str = Field(default="", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")  # YYYY-MM; this month when empty

    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.month + "-01") if self.month else clock.today().replace(day=1)


class StartIn(Schema):
    outlet_code: str = Field(min_length=1, max_length=32)
    template_code: str = Field(min_length=1, max_length=32)
    kind: Literal["mystery", "video", "onsite"]


class ResponseIn(Schema):
    item_id: int
    result: Literal["", "pass", "fail", "na"] = ""
    points: int | None = Field(default=None, ge=0, le=100)
    note: str = Field(default="", max_length=2000)
    staff_id: int | None = None
    position: int | None = Field(default=None, ge=1, le=7)


class ObserveIn(Schema):
    staff_id: int | None = None
    position: int | None = Field(default=None, ge=1, le=7)
    note: str = Field(default="", max_length=2000)


class EvidenceIn(Schema):
    evidence: str = Field(min_length=2, max_length=4000)


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


class ReopenIn(Schema):
    note: str = Field(min_length=2, max_length=2000)


class AppealIn(Schema):
    reason: str = Field(min_length=4, max_length=4000)


class RectificationDecideIn(Schema):
    uphold: bool
    note: str = Field(min_length=2, max_length=2000)


class LedgerQuery(Schema):
    source_kind: Literal["", "inspection", "complaint", "evaluation", "language"] = ""
    status: str = Field(default="", max_length=16)
    unit_code: str = Field(default="", max_length=32)
    overdue: bool = False
    mine: bool = False
    q: str = Field(default="", max_length=100)


class ItemIn(Schema):
    section: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=300)
    weight: int = Field(default=1, ge=0, le=100)
    points: int | None = Field(default=None, ge=1, le=100)
    critical: bool = False
    photo: bool = False
    severity: Literal["minor", "normal", "major", "critical"] = "normal"
    position: int | None = Field(default=None, ge=1, le=7)
    guidance: str = Field(default="", max_length=2000)


class TemplateIn(Schema):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=200)
    items: list[ItemIn] = Field(min_length=1)
