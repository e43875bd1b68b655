"""Arrival forecasts per 30 minutes (W1): three simple models and a rolling-origin backtest that picks the best.

A series is a days × slots matrix of arrival counts (one row per calendar day, closed days included as
zeros) plus the list of its dates. Day features come from the core business calendar: weekday, public
holiday, make-up workday (调休), the first business day after a holiday, month end and payday.

Models:
* seasonal naive — the same slot one week earlier;
* weighted moving average — the same weekday over the last four weeks, weights 4:3:2:1;
* seasonal regression — daily volume from a ridge regression on calendar features (log scale), spread over
  the day by the intraday shape of that kind of day (each business weekday, make-up workday, weekend/holiday).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from fuwu.core import calendar

Matrix = NDArray[np.float64]
Model = Callable[[Sequence[dt.date], Matrix, Sequence[dt.date]], Matrix]


@dataclass(frozen=True)
class DayInfo:
    weekday: int
    business: bool
    holiday: bool
    makeup: bool
    after_holiday: bool
    month_end: bool
    payday: bool


def day_info(days: Sequence[dt.date]) -> list[DayInfo]:
    """Calendar features per day; month end = the last two business days of the month."""
    out = []
    for day in days:
        business = calendar.is_business_day(day)
        after = False
        if business:
            prev = day - dt.timedelta(days=1)
            after = calendar.is_holiday(prev) or calendar.is_holiday(prev - dt.timedelta(days=1))
        month_end = False
        if business:
            following = 0
            probe = day + dt.timedelta(days=1)
            while probe.month == day.month:
                following += calendar.is_business_day(probe)
                probe += dt.timedelta(days=1)
            month_end = following < 2
        out.append(
            DayInfo(
                day.weekday(),
                business,
                calendar.is_holiday(day),
                calendar.is_makeup_workday(day),
                after,
                month_end,
                business and day.day in (10, 15),
            )
        )
    return out


def _kind(info: DayInfo) -> int:
    """Intraday shape group: 0–4 business Mon–Fri, 5 make-up workday, 6 weekend or holiday."""
    if not info.business:
        return 6
    if info.makeup:
        return 5
    return info.weekday


def _features(infos: Sequence[DayInfo], index: NDArray[np.float64]) -> Matrix:
    rows = []
    for info, t in zip(infos, index, strict=True):
        weekday = [1.0 if info.weekday == k else 0.0 for k in range(1, 7)]
        rows.append(
            [
                1.0,
                *weekday,
                float(info.business),
                float(info.holiday),
                float(info.makeup),
                float(info.after_holiday),
                float(info.month_end),
                float(info.payday),
                t / 365.0,
            ]
        )
    return np.asarray(rows, dtype=np.float64)


def seasonal_naive(days: Sequence[dt.date], history: Matrix, targets: Sequence[dt.date]) -> Matrix:
    index = {d: i for i, d in enumerate(days)}
    out = np.zeros((len(targets), history.shape[1]))
    for row, day in enumerate(targets):
        back = day - dt.timedelta(days=7)
        while back not in index and back > days[0]:
            back -= dt.timedelta(days=7)
        if back in index:
            out[row] = history[index[back]]
    return out


def weighted_moving_average(days: Sequence[dt.date], history: Matrix, targets: Sequence[dt.date]) -> Matrix:
    index = {d: i for i, d in enumerate(days)}
    weights = np.array([4.0, 3.0, 2.0, 1.0])
    out = np.zeros((len(targets), history.shape[1]))
    last = days[-1]
    for row, day in enumerate(targets):
        weeks_ahead = max(1, -(-(day - last).days // 7))
        picks = [day - dt.timedelta(days=7 * (weeks_ahead + k)) for k in range(4)]
        found = [(w, index[p]) for w, p in zip(weights, picks, strict=True) if p in index]
        if found:
            w = np.array([f[0] for f in found])
            out[row] = (w[:, None] * history[[f[1] for f in found]]).sum(axis=0) / w.sum()
    return out


def seasonal_regression(days: Sequence[dt.date], history: Matrix, targets: Sequence[dt.date]) -> Matrix:
    infos = day_info(days)
    target_infos = day_info(targets)
    origin = days[0]
    t_hist = np.array([(d - origin).days for d in days], dtype=np.float64)
    t_target = np.array([(d - origin).days for d in targets], dtype=np.float64)
    x = _features(infos, t_hist)
    totals = history.sum(axis=1)
    y = np.log1p(totals)
    ridge = 1e-2 * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    coef = np.linalg.solve(x.T @ x + ridge, x.T @ y)
    predicted = np.expm1(_features(target_infos, t_target) @ coef).clip(min=0.0)
    # intraday shape per kind of day, from its last eight occurrences
    shapes: dict[int, NDArray[np.float64]] = {}
    overall = history.sum(axis=0)
    fallback = (
        overall / overall.sum() if overall.sum() > 0 else np.full(history.shape[1], 1.0 / history.shape[1])
    )
    kinds = np.array([_kind(i) for i in infos])
    for kind in range(7):
        rows = np.flatnonzero(kinds == kind)[-8:]
        block = history[rows].sum(axis=0)
        shapes[kind] = block / block.sum() if block.sum() > 0 else fallback
    return np.vstack([predicted[i] * shapes[_kind(info)] for i, info in enumerate(target_infos)])


MODELS: dict[str, Model] = {
    "seasonal_naive": seasonal_naive,
    "weighted_moving_average": weighted_moving_average,
    "seasonal_regression": seasonal_regression,
}


def wape(actual: Matrix, predicted: Matrix) -> float:
    total = float(np.abs(actual).sum())
    return float(np.abs(actual - predicted).sum() / total) if total > 0 else 0.0


def mape(actual: Matrix, predicted: Matrix) -> float:
    """Mean absolute percentage error of daily totals over days with arrivals."""
    a, p = actual.sum(axis=1), predicted.sum(axis=1)
    keep = a > 0
    return float(np.mean(np.abs(a[keep] - p[keep]) / a[keep])) if keep.any() else 0.0


@dataclass
class Backtest:
    """Errors per model over rolling weekly folds, overall and on holiday and month-end weeks."""

    folds: int
    wape: dict[str, float]
    mape: dict[str, float]
    holiday_wape: dict[str, float]
    month_end_wape: dict[str, float]
    best: str

    def improvement_over_naive(self) -> float:
        """Relative WAPE reduction of the chosen model against seasonal naive (0.2 = 20 % lower error)."""
        base = self.wape["seasonal_naive"]
        return (base - self.wape[self.best]) / base if base > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "folds": self.folds,
            "wape": self.wape,
            "mape": self.mape,
            "holiday_wape": self.holiday_wape,
            "month_end_wape": self.month_end_wape,
            "best": self.best,
            "improvement_over_naive": self.improvement_over_naive(),
        }


def backtest(
    days: Sequence[dt.date], history: Matrix, *, folds: int = 8, min_train_days: int = 56
) -> Backtest:
    """Rolling origin: for each of the last `folds` weeks, fit on everything before it and forecast it."""
    days = list(days)
    n = len(days)
    folds = max(0, min(folds, (n - min_train_days) // 7))
    if folds == 0:
        raise ValueError(f"need at least {min_train_days + 7} days of history, got {n}")
    infos = day_info(days)
    actual_parts: list[Matrix] = []
    predicted: dict[str, list[Matrix]] = {name: [] for name in MODELS}
    tags: list[tuple[bool, bool]] = []
    for fold in range(folds, 0, -1):
        cut = n - 7 * fold
        train_days, test_days = days[:cut], days[cut : cut + 7]
        actual_parts.append(history[cut : cut + 7])
        week = infos[cut : cut + 7]
        tags.append(
            (any(i.holiday or i.makeup or i.after_holiday for i in week), any(i.month_end for i in week))
        )
        for name, model in MODELS.items():
            predicted[name].append(model(train_days, history[:cut], test_days))

    def errors(
        select: Callable[[tuple[bool, bool]], bool], metric: Callable[[Matrix, Matrix], float]
    ) -> dict[str, float]:
        chosen = [i for i, tag in enumerate(tags) if select(tag)]
        if not chosen:
            return {}
        act = np.vstack([actual_parts[i] for i in chosen])
        return {name: metric(act, np.vstack([parts[i] for i in chosen])) for name, parts in predicted.items()}

    overall = errors(lambda _tag: True, wape)
    best = min(overall, key=lambda name: (overall[name], name != "seasonal_naive"))
    return Backtest(
        folds=folds,
        wape=overall,
        mape=errors(lambda _tag: True, mape),
        holiday_wape=errors(lambda tag: tag[0], wape),
        month_end_wape=errors(lambda tag: tag[1], wape),
        best=best,
    )


@dataclass
class Forecast:
    model: str
    days: list[dt.date]
    values: Matrix
    backtest: Backtest | None = field(default=None)


def forecast(
    days: Sequence[dt.date], history: Matrix, targets: Sequence[dt.date], *, folds: int = 8
) -> Forecast:
    """Forecast `targets` with the model that won the backtest (seasonal naive when history is too short)."""
    days = list(days)
    try:
        result: Backtest | None = backtest(days, history, folds=folds)
    except ValueError:
        result = None
    name = result.best if result is not None else "seasonal_naive"
    if len(days) < 7:
        return Forecast(model="none", days=list(targets), values=np.zeros((len(targets), history.shape[1])))
    return Forecast(
        model=name, days=list(targets), values=MODELS[name](days, history, list(targets)), backtest=result
    )


def counts_matrix(
    local_times: Sequence[dt.datetime],
    first: dt.date,
    last: dt.date,
    *,
    day_start: dt.time,
    slots: int,
    slot_minutes: int = 30,
) -> tuple[list[dt.date], Matrix]:
    """Bucket naive local timestamps into days × slots counts (arrivals outside the opening hours dropped)."""
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    out = np.zeros((len(days), slots))
    origin = dt.datetime.combine(first, day_start)
    for ts in local_times:
        delta = ts - origin
        row = delta.days
        slot = int(delta.seconds // (slot_minutes * 60))
        if 0 <= row < len(days) and 0 <= slot < slots:
            out[row, slot] += 1
    return days, out
