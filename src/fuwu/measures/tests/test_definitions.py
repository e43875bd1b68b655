"""Each measure on tiny hand-computed cases, through the rollups and through Ibis on DuckDB."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.measures import catalogue, definitions, facts, selectors, services
from fuwu.measures.tests import factories as f

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)


def rollup_figures(world: Any, unit: Any, start: dt.date, end: dt.date) -> dict[str, float | None]:
    services.rollup_rebuild(actor=SYSTEM, start=start, end=end)
    return catalogue.evaluate(selectors.total(unit, start, end, fetched_by=world.hq_manager))


def duckdb_figures(unit: Any, start: dt.date, end: dt.date) -> dict[str, float | None]:
    tables = definitions.duckdb_tables(facts.arrow_tables(start, end, [unit]))
    t = tables["tickets"]
    tables["tickets"] = t.filter((t.business_date >= start) & (t.business_date <= end))
    rows = definitions.parts_frame(tables, by=[])
    return catalogue.evaluate(rows[0] if rows else catalogue.empty_parts())


def both(world: Any, unit: Any, start: dt.date, end: dt.date = MON) -> dict[str, float | None]:
    rolled = rollup_figures(world, unit, start, end)
    raw = duckdb_figures(unit, start, end)
    assert rolled.keys() == raw.keys()
    for key, value in rolled.items():
        assert (value is None) == (raw[key] is None), key
        if value is not None:
            assert value == pytest.approx(raw[key]), key
    return rolled


def test_an_empty_period_has_no_data_not_zero(world: Any) -> None:
    got = both(world, world.outlet_a, MON)
    assert got["tickets_issued"] == 0
    for measure in (
        "avg_wait",
        "p90_wait",
        "served_within_target",
        "avg_service",
        "no_show_rate",
        "diversion_rate",
        "evaluation_rate",
        "satisfaction",
        "satisfaction_broad",
        "complaints_per_10k",
        "complaint_cycle_days",
        "complaint_cycle_business_days",
        "complaint_on_time",
    ):
        assert got[measure] is None, measure


def test_wait_service_target_and_rates_on_four_tickets(world: Any) -> None:
    svc = f.service(world.outlet_a, "CASH", target_wait_seconds=600)
    nine = f.at(MON, 9)
    f.ticket(world.outlet_a, nine, svc=svc, wait=300, service_seconds=600, rating="satisfied")
    f.ticket(world.outlet_a, nine, svc=svc, wait=900, service_seconds=1200, rating="basically_satisfied")
    f.ticket(world.outlet_a, nine, svc=svc, wait=600, status="no_show")
    f.ticket(world.outlet_a, nine, svc=svc, status="diverted")
    got = both(world, world.outlet_a, MON)
    assert got["tickets_issued"] == 4
    assert got["tickets_served"] == 2
    assert got["avg_wait"] == pytest.approx((300 + 900 + 600) / 3 / 60)  # 10 min over 3 called
    assert got["served_within_target"] == pytest.approx(2 / 3 * 100)  # 300 and 600 (≤ target) of 3
    assert got["avg_service"] == pytest.approx(15.0)
    assert got["no_show_rate"] == pytest.approx(100 / 3)
    assert got["diversion_rate"] == pytest.approx(25.0)
    assert got["evaluation_rate"] == pytest.approx(100.0)
    assert got["satisfaction"] == pytest.approx(50.0)
    assert got["satisfaction_broad"] == pytest.approx(100.0)
    assert got["p90_wait"] == pytest.approx(16.0)  # 900 s lies in the 15–16 min bucket
    assert got["complaints_per_10k"] == 0.0
    assert got["complaint_cycle_days"] is None


def test_p90_is_within_one_bucket_of_the_exact_nearest_rank(world: Any) -> None:
    waits = [5, 70, 130, 200, 610, 615, 1900, 2000, 4000, 8000]
    for w in waits:
        f.ticket(world.outlet_a, f.at(MON, 10), wait=w)
    got = both(world, world.outlet_a, MON)
    exact = sorted(waits)[9 - 1]  # nearest rank: ceil(0.9 × 10) = 9th
    assert exact == 4000
    assert got["p90_wait"] == pytest.approx(4500 / 60)  # the 60–75 min bucket's upper edge
    assert got["p90_wait"] * 60 - exact <= 900


def test_evaluation_rate_counts_only_finished_tickets(world: Any) -> None:
    f.ticket(world.outlet_a, f.at(MON, 9), wait=60, service_seconds=60, rating="dissatisfied")
    f.ticket(world.outlet_a, f.at(MON, 9), wait=60, service_seconds=60)
    got = both(world, world.outlet_a, MON)
    assert got["evaluation_rate"] == pytest.approx(50.0)
    assert got["satisfaction"] == 0.0
    assert got["satisfaction_broad"] == 0.0


def test_complaint_measures_calendar_and_business_days(world: Any, seeded_calendar: None) -> None:
    # Friday 2026-02-27 → Monday 2026-03-02: 3 calendar days, 2 business days — Saturday 28 Feb is a
    # Spring Festival make-up workday.
    f.complaint(world.outlet_a, f.at(dt.date(2026, 2, 27), 10), closed_at=f.at(MON, 16), due_days=4)
    # Monday → Thursday: 3 calendar, 3 business days; closed late (due after 1 day).
    f.complaint(world.outlet_a, f.at(MON, 9), closed_at=f.at(dt.date(2026, 3, 5), 9), due_days=1)
    f.complaint(world.outlet_a, f.at(MON, 11))  # open
    f.complaint(world.outlet_a, f.at(MON, 12), status="merged")  # a duplicate: not counted
    for _ in range(3):
        f.ticket(world.outlet_a, f.at(MON, 9), wait=60, service_seconds=60)
    start, end = dt.date(2026, 2, 27), dt.date(2026, 3, 5)
    got = both(world, world.outlet_a, start, end)
    assert got["complaints_per_10k"] == pytest.approx(3 / 3 * 10_000)
    assert got["complaint_cycle_days"] == pytest.approx(3.0)
    assert got["complaint_cycle_business_days"] == pytest.approx((2 + 3) / 2)
    assert got["complaint_on_time"] == pytest.approx(50.0)


def test_complaints_with_no_served_tickets_have_no_rate(world: Any) -> None:
    f.complaint(world.outlet_a, f.at(MON, 10))
    got = both(world, world.outlet_a, MON)
    assert got["complaints_per_10k"] is None


def test_the_catalogue_describes_every_measure_in_both_languages() -> None:
    ids = {m.id for m in catalogue.MEASURES}
    assert {
        "tickets_issued",
        "tickets_served",
        "avg_wait",
        "p90_wait",
        "served_within_target",
        "avg_service",
        "no_show_rate",
        "diversion_rate",
        "evaluation_rate",
        "satisfaction",
        "satisfaction_broad",
        "complaints_per_10k",
        "complaint_cycle_days",
        "complaint_cycle_business_days",
        "complaint_on_time",
    } <= ids
    for m in catalogue.MEASURES:
        d = catalogue.describe(m)
        assert d["name_zh"] and d["name"] and d["definition"] and d["facts"] and d["grains"]
        assert d["direction"] in {"higher", "lower"}


def test_wait_buckets_have_fixed_edges() -> None:
    assert catalogue.wait_bucket(-5) == 0
    assert catalogue.wait_bucket(59) == 0
    assert catalogue.wait_bucket(60) == 1
    assert catalogue.WAIT_EDGES[catalogue.wait_bucket(1799)] == 1740
    assert catalogue.WAIT_EDGES[catalogue.wait_bucket(10_000)] == 7200
    assert clock.SHANGHAI


def test_feedback_answered_on_time(world: Any) -> None:
    sunday = MON - dt.timedelta(days=1)
    f.feedback(world.outlet_a, f.at(sunday, 10), replied_at=f.at(MON, 9), due_hours=24)  # on time
    f.feedback(world.outlet_a, f.at(sunday, 8), replied_at=f.at(MON, 9), due_hours=24)  # an hour late
    f.feedback(world.outlet_a, f.at(MON, 8), replied_at=None)  # still open: not in the rate
    got = both(world, world.outlet_a, MON)
    assert got["feedback_on_time"] == pytest.approx(50.0)
    assert both(world, world.outlet_a, sunday, sunday)["feedback_on_time"] is None
