"""Inputs of the appraisal actions: one schema each, shared by the API and the HTML forms."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class BriefingIn(Schema):
    quarter: str = Field(pattern=r"^\d{4}-[Qq][1-4]$")
    unit_code: str = Field(min_length=1, max_length=32)
    whole_bank: bool = False


class WeightIn(Schema):
    effective_from: dt.date
    weight: float = Field(ge=0, le=100)


class NominationIn(Schema):
    staff_id: int
    reason: str = Field(min_length=2, max_length=200)


class PeerFigureIn(Schema):
    bank: str = Field(min_length=1, max_length=40)
    year: int = Field(ge=2000, le=2100)
    measure: str = Field(min_length=1, max_length=40)
    value: float
    source: str = Field(min_length=1, max_length=200)
    same_definition: bool = True
    note: str = Field(default="", max_length=200)


class ScorecardIn(Schema):
    level: str = Field(min_length=1, max_length=8)
    staff_role: str = Field(default="", max_length=32)
    name: str = Field(min_length=1, max_length=60)
    satisfaction_cap: float = Field(default=40.0, gt=0, le=100)


class ScorecardItemIn(Schema):
    measure: str = Field(min_length=1, max_length=40)
    rule: str = Field(min_length=1, max_length=8)
    target: float | None = None
    baseline: float | None = None


class StarPolicyIn(Schema):
    """The service-star rule from a month on (K5)."""

    month: str = Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")  # 20xx: "0000-01" would be no date at all
    upheld_action: Literal["disqualify", "deduct"]
    deduction: float = Field(ge=0, le=100)
    critical_action: Literal["disqualify", "deduct"]
    critical_deduction: float = Field(ge=0, le=100)
    min_evaluations: int = Field(ge=0, le=1000)
    nomination_bonus: float = Field(ge=0, le=100)
    compliment_points: float = Field(ge=0, le=100)
    max_compliments: int = Field(ge=0, le=100)
    stars_per_outlet: int = Field(ge=1, le=20)

    def rule(self) -> dict[str, Any]:
        """The service's keywords: the month as its first day."""
        values: dict[str, Any] = self.dict(exclude={"month"})
        return {"effective_from": dt.date.fromisoformat(f"{self.month}-01"), **values}
