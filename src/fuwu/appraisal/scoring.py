"""Scoring rules as pure functions: points per measure, renormalised weights, totals and ranks.

- target: 100 points at or beyond the target; short of it, the ratio value ÷ target (higher is better) or
  target ÷ value (lower is better), times 100.
- progress: the share of the way from baseline to target covered, 0–100 (works in either direction).
- rank: among the units (or staff) with a value, competition ranks ("1, 1, 3"); points 100 × (n − rank) ÷
  (n − 1), 100 when alone.
A measure with no value for a subject drops out; the weights of the others are renormalised to 100 %, and
the line says so. A subject with no measure at all has no score (None), never 0.

The bank's cap on satisfaction (seed 002: at most 40 %) holds on the *effective* weights: when another
measure drops out, the capped lines are scaled up only to the cap and the uncapped lines share the rest. When
only capped lines have data the cap cannot hold, and the subject has no score (shown, not hidden). A card
whose own weights give the capped lines more than the cap (a satisfaction-only card) keeps that share.

The rank rule compares a subject with all its peers (`peers`: every unit of the level bank-wide), not only
with the subjects being listed, so a unit's points do not depend on who is looking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

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
    capped: bool = False  # counts towards the satisfaction cap


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
    capped: bool = False  # counts towards the satisfaction cap

    @property
    def dropped(self) -> bool:
        return self.value is None


@dataclass
class Result:
    total: float | None
    lines: list[Line] = field(default_factory=list)
    capped: bool = False  # the satisfaction lines were held down to the cap after renormalising
    cap_blocked: bool = False  # only capped lines had data: no score, since they may not make up all of it

    @property
    def renormalised(self) -> bool:
        return any(line.dropped for line in self.lines) and self.total is not None


def effective_weights(weights: Sequence[tuple[float, bool]], cap: float | None) -> list[float] | None:
    """Renormalise (nominal weight, capped) pairs to 100 % with the capped ones together at most `cap`.

    None when nothing weighs, or when the capped lines would have to exceed the cap with nothing else to
    carry the rest.
    """
    total = sum(w for w, _c in weights)
    if total <= 0:
        return None
    shares = [w / total * 100 for w, _c in weights]
    capped_share = sum(share for share, (_w, c) in zip(shares, weights, strict=True) if c)
    if cap is None or capped_share <= cap + 1e-9:
        return shares
    capped_nominal = sum(w for w, c in weights if c)
    free_nominal = sum(w for w, c in weights if not c)
    if free_nominal <= 0:
        return None
    return [w / capped_nominal * cap if c else w / free_nominal * (100 - cap) for w, c in weights]


def score_all(
    specs: Sequence[Spec],
    values: Mapping[K, Mapping[str, float | None]],
    *,
    cap: float | None = None,
    peers: Mapping[Any, Mapping[str, float | None]] | None = None,
) -> dict[K, Result]:
    """Every subject's score from its values: points per line, renormalised (capped) weights, the total.

    `peers` (default: `values`) are the subjects a rank-rule line compares with; it must include every
    key of `values` with the same figures.
    """
    active = [s for s in specs if s.weight > 0]
    pool: Mapping[Any, Mapping[str, float | None]] = values if peers is None else peers
    rank_points = {
        s.measure_id: points_rank({k: v.get(s.measure_id) for k, v in pool.items()}, s.higher_is_better)
        for s in active
        if s.rule == "rank"
    }
    # Renormalising may never lift the capped lines above the cap, nor above their share of a complete card
    # (a card whose own weights give satisfaction everything, e.g. a satisfaction-only card, is scored).
    full = sum(s.weight for s in active)
    limit = (
        None if cap is None or full <= 0 else max(cap, sum(s.weight for s in active if s.capped) / full * 100)
    )
    out: dict[K, Result] = {}
    for key, vals in values.items():
        lines: list[Line] = []
        for s in active:
            value = vals.get(s.measure_id)
            points: float | None = None
            if value is not None:
                if s.rule == "rank":
                    points = rank_points[s.measure_id].get(key)
                elif s.rule == "progress" and s.baseline is not None and s.target is not None:
                    points = points_progress(value, s.baseline, s.target)
                elif s.rule == "target" and s.target is not None:
                    points = points_target(value, s.target, s.higher_is_better)
            if points is None:
                value = None  # a line that cannot be scored drops out like one without data
            lines.append(
                Line(s.measure_id, s.rule, value, points, s.weight, 0.0, 0.0, s.target, s.baseline, s.capped)
            )
        scored = [line for line in lines if line.points is not None]
        weights = effective_weights([(line.weight, line.capped) for line in scored], limit)
        total: float | None = None
        result = Result(None, lines)
        if weights is not None:
            total = 0.0
            for line, weight in zip(scored, weights, strict=True):
                line.effective_weight = weight
                line.contribution = (line.points or 0.0) * weight / 100
                total += line.contribution
            result.total = round(total, DECIMALS)
            present = sum(line.weight for line in scored)
            result.capped = any(
                line.capped and line.effective_weight < line.weight / present * 100 - 1e-9 for line in scored
            )
        else:
            result.cap_blocked = any(line.capped for line in scored)
        out[key] = result
    return out


def movement(rank: int | None, previous_rank: int | None) -> int | None:
    """Places gained since the last period (positive: moved up); None without both ranks."""
    if rank is None or previous_rank is None:
        return None
    return previous_rank - rank
