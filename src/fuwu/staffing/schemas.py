"""One schema per staffing action, shared by the API body and the HTML form (`core.inputs.parse`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field

from fuwu.staffing.models import MAX_AHT_SECONDS, MAX_PATIENCE_SECONDS, MIN_AHT_SECONDS


class PlanIn(Schema):
    """Build (or rebuild) a week's plan; targets left out take the channel's defaults.

    `target_level` is a share (0.8); the page's field is a percentage and is sent as `target_pct`.
    """

    unit_code: str = Field(min_length=1)
    channel: str = "branch"
    week_start: dt.date
    target_level: float | None = Field(default=None, gt=0, lt=1)
    target_pct: float | None = Field(default=None, gt=0, lt=100)
    target_seconds: float | None = Field(default=None, ge=0)
    aht_seconds: float | None = Field(default=None, ge=MIN_AHT_SECONDS, le=MAX_AHT_SECONDS)

    def level(self) -> float | None:
        if self.target_level is not None:
            return self.target_level
        return self.target_pct / 100.0 if self.target_pct is not None else None


class PublishIn(Schema):
    """Publish a plan; `accept_shortfall` confirms publishing a roster whose simulation misses the target."""

    accept_shortfall: bool = False


class ShiftIn(Schema):
    """Create or change one person's shift on one day of a draft plan."""

    staff_id: int
    date: dt.date
    start_slot: int = Field(ge=0)
    end_slot: int = Field(ge=1)
    lunch_slot: int | None = None


class ErlangIn(Schema):
    # The formulas' own domain (erlang.py refuses the rest): calls ≥ 0 per interval, a level below 1.
    # The upper bounds are far beyond any hotline and keep one request's work bounded.
    # Strict (#18): numbers only, as the schema says; lax pydantic read `true` as 1 and "20" as 20.
    model_config = ConfigDict(strict=True)

    # Three weeks of quarter-hours, each up to 10,000 Erlangs; with the plan's handle-time and patience bounds the
    # worst request is well under a second of Erlang A (#18: a patience/handle-time ratio of 10^304 never ended).
    traffic: list[Annotated[float, Field(ge=0, le=10_000)]] = Field(min_length=1, max_length=2_016)
    aht_seconds: float = Field(ge=MIN_AHT_SECONDS, le=MAX_AHT_SECONDS)
    target_seconds: float = Field(default=20.0, ge=0, le=86_400)
    target_level: float = Field(default=0.8, ge=0, lt=1)
    patience_seconds: float | None = Field(default=None, gt=0, le=MAX_PATIENCE_SECONDS)
    answer_rate: float | None = Field(default=None, gt=0, lt=1)
