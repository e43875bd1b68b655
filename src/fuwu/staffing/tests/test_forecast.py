from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fuwu.staffing import forecast
from fuwu.staffing.tests.factories import branch_series

pytestmark = pytest.mark.usefixtures("seeded_calendar")


def test_backtest_picks_the_regression_and_beats_seasonal_naive_on_holiday_and_month_end_weeks() -> None:
    days, counts = branch_series(dt.date(2025, 1, 1), 365, seed=1)
    result = forecast.backtest(days, counts, folds=40)
    assert result.best == "seasonal_regression"
    assert result.improvement_over_naive() > 0.2
    assert result.holiday_wape["seasonal_regression"] < 0.7 * result.holiday_wape["seasonal_naive"]
    assert result.month_end_wape["seasonal_regression"] < result.month_end_wape["seasonal_naive"]
    assert set(result.mape) == set(forecast.MODELS)


def test_backtest_is_reproducible() -> None:
    days, counts = branch_series(dt.date(2025, 3, 1), 140, seed=2)
    assert forecast.backtest(days, counts).as_dict() == forecast.backtest(days, counts).as_dict()


def test_forecast_knows_national_day_and_the_make_up_workday() -> None:
    days, counts = branch_series(dt.date(2024, 9, 1), 390, seed=3)  # through 2025-09-25
    targets = [dt.date(2025, 9, 28) + dt.timedelta(days=i) for i in range(14)]  # make-up Sunday, then 国庆
    result = forecast.forecast(days, counts, targets)
    daily = result.values.sum(axis=1)
    assert result.model == "seasonal_regression"
    sunday_makeup, holiday = daily[0], daily[targets.index(dt.date(2025, 10, 3))]
    after = daily[targets.index(dt.date(2025, 10, 9))]
    assert sunday_makeup > 300  # a make-up workday is busy, unlike an ordinary Sunday (~180)
    assert holiday < 120
    assert after > 450  # the first business day after the holiday (10-09) brings the backlog


def test_seasonal_naive_repeats_last_week_and_wma_weights_recent_weeks() -> None:
    days = [dt.date(2025, 6, 2) + dt.timedelta(days=i) for i in range(28)]
    counts = np.arange(28, dtype=np.float64)[:, None] * np.ones((1, 2))
    target = [dt.date(2025, 6, 30)]  # a Monday: history Mondays are rows 0, 7, 14, 21
    assert forecast.seasonal_naive(days, counts, target)[0, 0] == 21
    assert forecast.weighted_moving_average(days, counts, target)[0, 0] == pytest.approx(
        (4 * 21 + 3 * 14 + 2 * 7) / 10
    )


def test_short_history_falls_back_to_seasonal_naive_and_errors_are_reported() -> None:
    days, counts = branch_series(dt.date(2025, 5, 5), 30, seed=4)
    result = forecast.forecast(days, counts, [dt.date(2025, 6, 4)])
    assert result.model == "seasonal_naive" and result.backtest is None
    with pytest.raises(ValueError, match="history"):
        forecast.backtest(days, counts)


def test_wape_and_mape() -> None:
    actual = np.array([[10.0, 10.0], [0.0, 0.0]])
    predicted = np.array([[12.0, 6.0], [1.0, 0.0]])
    assert forecast.wape(actual, predicted) == pytest.approx(7 / 20)
    assert forecast.mape(actual, predicted) == pytest.approx(2 / 20)
