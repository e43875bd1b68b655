"""K1 (#6): the ticket parts are three narrow aggregations stacked and summed per group (counts, the wait
histogram per bucket, ratings of finished tickets). Held here, on hand-built facts, to the plain-Python
definition in `rollups.ticket_parts`, including the groups a join-based shape would lose: groups with no
called ticket, no rating, or a missing (NULL) key, and ratings on tickets that did not finish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from fuwu.measures import catalogue, definitions, facts, rollups

DAY = dt.date(2026, 3, 31)
T0 = dt.datetime(2026, 3, 31, 1, 0, 0, 400_000)  # UTC; sub-second part so truncation to the second matters


def ticket(
    ticket_id: int,
    unit: int,
    *,
    wait: float | None,
    status: str = "finished",
    service: float | None = 300,
    counter: str | None = "1",
    day: dt.date = DAY,
) -> dict[str, Any]:
    called = T0 + dt.timedelta(seconds=wait) if wait is not None else None
    started = called + dt.timedelta(seconds=20) if called is not None and service is not None else None
    return {
        "ticket_id": ticket_id,
        "unit_id": unit,
        "business_date": day,
        "service_code": "CASH",
        "counter_code": counter,
        "staff_id": "7",
        "customer_tier": "normal",
        "hour": 9,
        "status": status,
        "issued_at": T0,
        "called_at": called,
        "started_at": started,
        "finished_at": started + dt.timedelta(seconds=service) if started and service is not None else None,
        "target_wait_seconds": 600,
    }


TICKETS = [
    ticket(1, 1, wait=59.7),  # wait 59 s after truncation → bucket 0
    ticket(2, 1, wait=1799.9, service=None),  # finished without times: not in service_n
    ticket(3, 1, wait=7300),  # open last bucket
    ticket(4, 1, wait=-3),  # clock skew counts as bucket 0
    ticket(5, 1, wait=400, status="no_show", service=None),
    ticket(6, 2, wait=None, status="diverted", service=None),  # a group with no call and no rating
    ticket(7, 3, wait=3700, counter=None),  # a group whose key is missing (NULL)
    ticket(8, 3, wait=30, counter=None, status="cancelled", service=None),
    ticket(9, 1, wait=120, day=DAY + dt.timedelta(days=1)),  # next month
]
RATINGS = {1: "satisfied", 2: "basically_satisfied", 3: "dissatisfied", 5: "satisfied", 7: "satisfied"}


def tables() -> dict[str, Any]:
    ticket_table = pa.Table.from_pylist(TICKETS, schema=facts.SCHEMAS["tickets"])
    evaluations = pa.Table.from_pylist(
        [{"ticket_id": k, "rating": v} for k, v in RATINGS.items()], schema=facts.SCHEMAS["evaluations"]
    )
    return definitions.duckdb_tables({"tickets": ticket_table, "evaluations": evaluations})


def expected(by: Sequence[str]) -> dict[tuple[Any, ...], dict[str, float]]:
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for row in TICKETS:
        grains = {**row, "month": row["business_date"].replace(day=1)}
        parts = rollups.ticket_parts({**row, "rating": RATINGS.get(row["ticket_id"])})
        into = out.setdefault(tuple(grains[k] for k in by), dict.fromkeys(catalogue.TICKET_PARTS, 0.0))
        for name, value in parts.items():
            into[name] += value
    return out


def computed(by: Sequence[str]) -> dict[tuple[Any, ...], dict[str, float]]:
    t = tables()
    result = definitions.ticket_parts(t["tickets"], t["evaluations"], by).to_pyarrow().to_pylist()
    out = {}
    for row in result:
        key = tuple(row[k].date() if isinstance(row[k], dt.datetime) else row[k] for k in by)
        out[key] = {name: float(row[name]) for name in catalogue.TICKET_PARTS}
    return out


def test_k1_ticket_parts_per_group_equal_the_plain_python_definition() -> None:
    by = ["unit_id", "counter_code", "month"]
    got = computed(by)
    assert got == expected(by)
    assert got[(2, "1", DAY.replace(day=1))]["diverted"] == 1  # kept although it has no call and no rating
    assert got[(3, None, DAY.replace(day=1))]["w40"] == 0  # NULL key kept; 3700 s falls in 36 + 100 // 900
    assert got[(3, None, DAY.replace(day=1))]["w36"] == 1


def test_k1_ticket_parts_without_groups_are_one_row_and_ignore_ratings_of_unfinished_tickets() -> None:
    got = computed([])
    assert got == expected([])
    total = got[()]
    assert (total["evaluated"], total["satisfied"], total["basically_satisfied"]) == (4, 2, 1)
    assert sum(total[name] for name in catalogue.HIST_PARTS) == total["called"] == 8


def test_k1_ticket_parts_of_no_tickets_are_zero_not_missing() -> None:
    empty = {
        name: pa.Table.from_pylist([], schema=facts.SCHEMAS[name]) for name in ("tickets", "evaluations")
    }
    t = definitions.duckdb_tables(empty)
    rows = definitions.ticket_parts(t["tickets"], t["evaluations"], []).to_pyarrow().to_pylist()
    assert rows == [dict.fromkeys(rows[0], 0)]
    assert set(rows[0]) >= catalogue.TICKET_PARTS
