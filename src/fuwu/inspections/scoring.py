"""Inspection scoring, pure: weighted items, N/A out of the denominator, a failed critical item caps the score.

score = 100 × Σ(weight × earned) / Σ(weight) over the answered, applicable items, where earned is 1 for a
pass, 0 for a fail and points / max_points for a points item. A failed critical item (a fail, or fewer than
full points) caps the score at CRITICAL_CAP, which is inside the 不合格 band. An item whose finding was
removed on appeal scores as a pass. Unanswered items are left out (a draft's running score); nothing
applicable answered gives no score (None).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CRITICAL_CAP = Decimal("59")
# Bands (seed 004 speaks of 神秘人 scores out of 100; the thresholds are the usual bank practice).
BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("90"), "excellent"),  # 优秀
    (Decimal("80"), "good"),  # 良好
    (Decimal("60"), "pass"),  # 合格
)
FAIL_BAND = "fail"  # 不合格


@dataclass(frozen=True)
class Answer:
    weight: int
    result: str  # "pass" | "fail" | "na" | "" (unanswered) — for yes/no items
    points: int | None = None  # for points items
    max_points: int | None = None  # set for points items
    critical: bool = False
    appeal_upheld: bool = False

    @property
    def is_points(self) -> bool:
        return self.max_points is not None

    @property
    def applicable(self) -> bool:
        if self.appeal_upheld:
            return True
        if self.is_points:
            return self.points is not None
        return self.result in ("pass", "fail")

    @property
    def earned(self) -> Decimal:
        if self.appeal_upheld:
            return Decimal(1)
        if self.is_points:
            assert self.max_points is not None and self.points is not None
            return Decimal(min(self.points, self.max_points)) / Decimal(max(self.max_points, 1))
        return Decimal(1) if self.result == "pass" else Decimal(0)

    @property
    def failed(self) -> bool:
        return self.applicable and not self.appeal_upheld and self.earned < 1


@dataclass(frozen=True)
class Score:
    value: Decimal | None
    band: str
    critical_failed: bool


def band_for(value: Decimal | None) -> str:
    if value is None:
        return ""
    for threshold, band in BANDS:
        if value >= threshold:
            return band
    return FAIL_BAND


def score(answers: Iterable[Answer]) -> Score:
    """The 0–100 score (two decimals), its band and whether a critical item failed."""
    total = Decimal(0)
    earned = Decimal(0)
    critical_failed = False
    for a in answers:
        if not a.applicable or a.weight <= 0:
            continue
        total += a.weight
        earned += a.weight * a.earned
        if a.critical and a.failed:
            critical_failed = True
    if total == 0:
        return Score(None, "", critical_failed)
    value = (Decimal(100) * earned / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if critical_failed:
        value = min(value, CRITICAL_CAP)
    return Score(value, band_for(value), critical_failed)


def answers(responses: Iterable[Any]) -> list[Answer]:
    """Stored responses (with their item) as scoring answers."""
    return [
        Answer(
            weight=r.item.weight,
            result=r.result,
            points=r.points,
            max_points=r.item.max_points if r.item.response == "points" else None,
            critical=r.item.critical,
            appeal_upheld=r.appeal_upheld,
        )
        for r in responses
    ]
