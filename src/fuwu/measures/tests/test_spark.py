"""The same Ibis definitions, unchanged, on Spark (local mode) over a small Parquet export give the same parts
as DuckDB and the rollups. PySpark is a dev dependency; in CI its absence is a failure, not a skip."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fuwu.core.principals import SYSTEM
from fuwu.measures import catalogue, definitions, facts, selectors, services
from fuwu.measures.tests import factories as f
from fuwu.staffing.models import CallRecord

pytestmark = [pytest.mark.django_db, pytest.mark.spark]

DAYS = [dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pyspark is not installed (pip install -e .[dev])")
        pytest.skip("pyspark is not installed")
    logging.getLogger("py4j").setLevel(logging.ERROR)  # its shutdown chatter outlives pytest's capture
    session = (
        SparkSession.builder.master("local[2]")
        .appName("fuwu-measures-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def spark_tables(session: Any, directory: Path) -> dict[str, Any]:
    import ibis

    con = ibis.pyspark.connect(session)
    return {
        name: con.read_parquet(str(path), table_name=f"fuwu_{name}")
        for name, path in facts.parquet_paths(directory).items()
    }


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def normalise(rows: list[dict[str, Any]], by: list[str]) -> dict[tuple[Any, ...], dict[str, float]]:
    out = {}
    for row in rows:
        key = tuple(_day(row[k]) for k in by)
        out[key] = {p: float(row[p]) for p in catalogue.PARTS}
    return out


def test_spark_runs_the_same_definitions_as_duckdb_and_the_rollups(
    world: Any, seeded_calendar: None, spark: Any, tmp_path: Path
) -> None:
    c1 = f.counter(world.outlet_a, 1)
    for i, day in enumerate(DAYS):
        for j, (wait, service_seconds, rating) in enumerate(
            ((45, 300, "satisfied"), (1900, 600, "dissatisfied"), (8000, None, None), (None, None, None))
        ):
            f.ticket(
                world.outlet_a if j % 2 == 0 else world.outlet_x,
                f.at(day, 9 + j, i, 30),
                wait=wait,
                service_seconds=service_seconds,
                counter_=c1 if j == 0 else None,
                rating=rating,
                status="diverted" if wait is None else None,
                tier="wealth" if j == 1 else "normal",
            )
    f.complaint(world.outlet_a, f.at(DAYS[0], 10), closed_at=f.at(DAYS[2], 15), due_days=1)
    f.complaint(world.t2, f.at(DAYS[1], 10), closed_at=f.at(DAYS[1], 16))
    for i, day in enumerate(DAYS):  # contact-centre calls at head office, with sub-second timestamps
        for j, (answer, handle, abandon) in enumerate(
            ((12.4, 200.0, None), (35.0, 99.6, None), (None, None, 3.2))
        ):
            offered = f.at(day, 8 + i, j * 7) + dt.timedelta(microseconds=700_000)
            answered = offered + dt.timedelta(seconds=answer) if answer is not None else None
            CallRecord.objects.create(
                centre=world.ho,
                call_id=f"s{i}{j}",
                line="95599" if j else "credit_card",
                offered_at=offered,
                answered_at=answered,
                ended_at=answered + dt.timedelta(seconds=handle) if answered and handle else None,
                abandoned_at=offered + dt.timedelta(seconds=abandon) if abandon is not None else None,
            )
    facts.export_parquet(tmp_path, DAYS[0], DAYS[-1])

    on_spark = spark_tables(spark, tmp_path)
    on_duckdb = definitions.duckdb_parquet(tmp_path)
    # Two queries per engine: ticket parts at the finest grain (with month truncation), complaint parts per day.
    finest = ["unit_id", "business_date", "month", "counter_code", "customer_tier", "hour"]
    want = normalise(definitions.parts_frame(on_duckdb, finest), finest)
    got = normalise(definitions.parts_frame(on_spark, finest), finest)
    assert got == want
    assert sum(p["issued"] for p in got.values()) == 12
    by = ["unit_id", "business_date"]
    complaints_want = definitions.complaint_parts(on_duckdb["complaints"], on_duckdb["calendar"], by)
    complaints_got = definitions.complaint_parts(on_spark["complaints"], on_spark["calendar"], by)
    want_rows = {(r["unit_id"], r["business_date"]): r for r in complaints_want.to_pyarrow().to_pylist()}
    got_rows = {(r["unit_id"], _day(r["business_date"])): r for r in complaints_got.to_pyarrow().to_pylist()}
    assert got_rows == want_rows
    assert sum(r["complaints_closed"] for r in got_rows.values()) == 2
    calls_by = ["unit_id", "business_date", "month", "line", "hour"]

    def call_rows(tables: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, float]]:
        rows = definitions.call_parts(tables["calls"], calls_by).to_pyarrow().to_pylist()
        return {
            tuple(_day(r[k]) for k in calls_by): {p: float(r[p]) for p in catalogue.CALL_PARTS} for r in rows
        }

    calls_got = call_rows(on_spark)
    assert calls_got == call_rows(on_duckdb)
    assert sum(p["calls_offered"] for p in calls_got.values()) == 9
    assert sum(p["calls_answered_in_target"] for p in calls_got.values()) == 3

    services.rollup_rebuild(actor=SYSTEM, start=DAYS[0], end=DAYS[-1])
    rolled = selectors.parts_by(world.ho, DAYS[0], DAYS[-1], by=["unit", "day"], fetched_by=world.hq_manager)
    per_day: dict[tuple[Any, ...], dict[str, float]] = {}
    for (unit, day, *_rest), parts in got.items():
        catalogue.add_parts(per_day.setdefault((unit, day), catalogue.empty_parts()), parts)
    for (unit, day), row in got_rows.items():
        catalogue.add_parts(per_day.setdefault((unit, day), catalogue.empty_parts()), row)
    for (unit, day, *_rest), parts in calls_got.items():
        catalogue.add_parts(per_day.setdefault((unit, day), catalogue.empty_parts()), parts)
    assert {
        k: {p: float(v) for p, v in parts.items()} for k, parts in rolled.items() if any(parts.values())
    } == {k: {p: float(v) for p, v in parts.items()} for k, parts in per_day.items() if any(parts.values())}
