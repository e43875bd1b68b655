"""Scoring rules as pure functions: points per measure, renormalised weights, totals and ranks.

- target: 100 points at or beyond the target; short of it, the ratio value ÷ target (higher is better) or
  target ÷ value (lower is better), times 100.
- progress: the share of the way from baseline to target covered, 0–100 (works in either direction).
- rank: among the units (or staff) with a value, competition ranks ("1, 1, 3"); points 100 × (n − rank) ÷
  (n − 1), 100 when alone.
A measure with no value for a subject drops out; the weights of the others are renormalised to 100 %, and
the line says so. A subject with no measure at all has no score (None), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
DECIMALS = 2  # totals are compared as shown: equal to two decimals is a tie


@dataclass(frozen=True)
class WeightStep:
    effective_from: dt.date
    weight: float


def weight_on(schedule: Sequence[WeightStep], day: dt.date) -> float:
    """The weight in force on `day`: the latest step starting on or before it (0 before the first)."""
    current = 0.0
    for step in sorted(schedule, key=lambda s: s.effective_from):
        if step.effective_from <= day:
            current = step.weight
    return current


@dataclass(frozen=True)
class Spec:
    """One scorecard line as scored in one period."""

    measure_id: str
    rule: str
    weight: float  # nominal, in force at the period's start
    higher_is_better: bool
    target: float | None = None
    baseline: float | None = None


def _clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def points_target(value: float, target: float, higher_is_better: bool) -> float:
    if higher_is_better:
        if value >= target:
            return 100.0
        return _clamp(value / target * 100) if target > 0 else 0.0
    if value <= target:
        return 100.0
    return _clamp(target / value * 100) if value > 0 else 100.0


def points_progress(value: float, baseline: float, target: float) -> float:
    span = target - baseline
    if span == 0:
        return 100.0 if value == target else 0.0
    return _clamp((value - baseline) / span * 100)


def competition_ranks(values: Mapping[K, float | None], higher_is_better: bool) -> dict[K, int | None]:
    """Rank 1 is best; equal values share a rank and the next rank skips ("1, 1, 3"); None is unranked."""
    present = [(k, v) for k, v in values.items() if v is not None]
    present.sort(key=lambda kv: kv[1], reverse=higher_is_better)
    ranks: dict[K, int | None] = dict.fromkeys(values)
    previous: float | None = None
    rank = 0
    for position, (key, value) in enumerate(present, start=1):
        if previous is None or value != previous:
            rank = position
            previous = value
        ranks[key] = rank
    return ranks


def points_rank(values: Mapping[K, float | None], higher_is_better: bool) -> dict[K, float | None]:
    ranks = competition_ranks(values, higher_is_better)
    n = sum(1 for r in ranks.values() if r is not None)
    return {
        k: None if r is None else (100.0 if n == 1 else 100.0 * (n - r) / (n - 1)) for k, r in ranks.items()
    }


@dataclass
class Line:
    measure_id: str
    rule: str
    value: float | None
    points: float | None
    weight: float  # nominal
    effective_weight: float  # after dropping measures without data (0 when dropped)
    contribution: float  # points × effective weight ÷ 100
    target: float | None = None
    baseline: float | None = None

    @property
    def dropped(self) -> bool:
        return self.value is None


@dataclass
class Result:
    total: float | None
    lines: list[Line] = field(default_factory=list)

    @property
    def renormalised(self) -> bool:
        return any(line.dropped for line in self.lines) and self.total is not None


def score_all(specs: Sequence[Spec], values: Mapping[K, Mapping[str, float | None]]) -> dict[K, Result]:
    """Every subject's score from its values: points per line, renormalised weights, the total."""
    active = [s for s in specs if s.weight > 0]
    rank_points = {
        s.measure_id: points_rank({k: v.get(s.measure_id) for k, v in values.items()}, s.higher_is_better)
        for s in active
        if s.rule == "rank"
    }
    out: dict[K, Result] = {}
    for key, vals in values.items():
        lines: list[Line] = []
        for s in active:
            value = vals.get(s.measure_id)
            points: float | None = None
            if value is not None:
                if s.rule == "rank":
                    points = rank_points[s.measure_id][key]
                elif s.rule == "progress" and s.baseline is not None and s.target is not None:
                    points = points_progress(value, s.baseline, s.target)
                elif s.rule == "target" and s.target is not None:
                    points = points_target(value, s.target, s.higher_is_better)
            if points is None:
                value = None  # a line that cannot be scored drops out like one without data
            lines.append(Line(s.measure_id, s.rule, value, points, s.weight, 0.0, 0.0, s.target, s.baseline))
        present = sum(line.weight for line in lines if line.points is not None)
        total: float | None = None
        if present > 0:
            total = 0.0
            for line in lines:
                if line.points is not None:
                    line.effective_weight = line.weight / present * 100
                    line.contribution = line.points * line.effective_weight / 100
                    total += line.contribution
            total = round(total, DECIMALS)
        out[key] = Result(total, lines)
    return out


def movement(rank: int | None, previous_rank: int | None) -> int | None:
    """Places gained since the last period (positive: moved up); None without both ranks."""
    if rank is None or previous_rank is None:
        return None
    return previous_rank - rank
