"""Rollups are additive: for random facts, every level, period and cut summed from rollups equals the parts
computed by the Ibis definitions over the raw facts; the incremental build catches new and back-dated facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuwu.complaints.models import Complaint
from fuwu.core import clock, rollups, scheduler
from fuwu.core.principals import SYSTEM
from fuwu.feedback.models import FeedbackItem
from fuwu.floor.models import Ticket
from fuwu.measures import catalogue, definitions, facts, selectors, services
from fuwu.measures.models import DirtyDay, Rollup
from fuwu.measures.tasks import refresh_rollups
from fuwu.measures.tests import factories as f

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)]  # across a month end
START, END = DAYS[0], DAYS[-1]

ticket_spec = st.fixed_dictionaries(
    {
        "outlet": st.sampled_from(["outlet_a", "outlet_b", "outlet_x"]),
        "day": st.sampled_from(DAYS),
        "minute": st.integers(0, 8 * 60),
        "second": st.integers(0, 59),
        "wait": st.one_of(st.none(), st.integers(0, 9000)),
        "service_seconds": st.one_of(st.none(), st.integers(1, 3600)),
        "outcome": st.sampled_from(["auto", "no_show", "diverted", "cancelled"]),
        "counter": st.integers(1, 3),
        "tier": st.sampled_from(["normal", "wealth", ""]),
        "rating": st.sampled_from([None, "satisfied", "basically_satisfied", "dissatisfied"]),
        "service": st.sampled_from([("CASH", 600), ("LOAN", 1200)]),
    }
)
complaint_spec = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["outlet_a", "outlet_x", "t2"]),
        "day": st.sampled_from([dt.date(2026, 3, 27), *DAYS]),
        "closed_after_hours": st.one_of(st.none(), st.integers(1, 24 * 6)),
        "due_days": st.integers(1, 5),
        "status": st.sampled_from([None, "merged", "withdrawn"]),
    }
)

feedback_spec = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["outlet_a", "outlet_b"]),
        "day": st.sampled_from([dt.date(2026, 3, 29), *DAYS]),
        "reply_after_hours": st.one_of(st.none(), st.integers(1, 60)),
    }
)


def make(
    world: Any,
    tickets: list[dict[str, Any]],
    complaints: list[dict[str, Any]],
    feedback: list[dict[str, Any]],
) -> None:
    Complaint.objects.all().delete()
    Ticket.objects.all().delete()
    FeedbackItem.objects.all().delete()
    for spec in feedback:
        submitted = f.at(spec["day"], 9, 15)
        hours = spec["reply_after_hours"]
        replied = submitted + dt.timedelta(hours=hours) if hours else None
        f.feedback(getattr(world, spec["unit"]), submitted, replied_at=replied, due_hours=24)
    for spec in tickets:
        outlet = getattr(world, spec["outlet"])
        issued = f.at(spec["day"], 8) + dt.timedelta(
            minutes=spec["minute"], seconds=spec["second"], microseconds=250_000
        )
        status = None if spec["outcome"] == "auto" else spec["outcome"]
        if status == "no_show" and spec["wait"] is None:
            status = "cancelled"
        code, target = spec["service"]
        f.ticket(
            outlet,
            issued,
            svc=f.service(outlet, code, target),
            wait=spec["wait"],
            service_seconds=None if status else spec["service_seconds"],
            status=status,
            counter_=f.counter(outlet, spec["counter"]),
            staff=world.teller_a if spec["counter"] == 1 else None,
            tier=spec["tier"],
            rating=spec["rating"]
            if status is None and spec["wait"] is not None and spec["service_seconds"] is not None
            else None,
        )
    for spec in complaints:
        received = f.at(spec["day"], 10, 30)
        closed = (
            received + dt.timedelta(hours=spec["closed_after_hours"]) if spec["closed_after_hours"] else None
        )
        f.complaint(
            getattr(world, spec["unit"]),
            received,
            closed_at=closed,
            due_days=spec["due_days"],
            status=spec["status"],
        )


FINEST = ["unit_id", "business_date", "service_code", "counter_code", "staff_id", "customer_tier", "hour"]


def raw_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parts from the Ibis definitions on DuckDB at the finest grain, for facts dated START..END."""
    tables = definitions.duckdb_tables(facts.arrow_tables(START, END))
    rows = [
        dict(r)
        for r in definitions.ticket_parts(tables["tickets"], tables["evaluations"], FINEST)
        .to_pyarrow()
        .to_pylist()
    ]
    rows += (
        definitions.complaint_parts(
            tables["complaints"],
            tables["calendar"],
            ["unit_id", "business_date"],
        )
        .to_pyarrow()
        .to_pylist()
    )
    rows += (
        definitions.feedback_parts(tables["feedback"], ["unit_id", "business_date"]).to_pyarrow().to_pylist()
    )
    months = definitions.parts_frame(tables, ["month", "business_date"])
    for row in rows + months:
        for name in catalogue.PARTS:
            row[name] = row.get(name) or 0
    return [r for r in rows if START <= r["business_date"] <= END], [
        r for r in months if START <= r["business_date"] <= END
    ]


def regroup(rows: list[dict[str, Any]], by: list[str]) -> dict[tuple[Any, ...], dict[str, float]]:
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for row in rows:
        catalogue.add_parts(out.setdefault(tuple(row.get(k) for k in by), catalogue.empty_parts()), row)
    return nonzero(out)


def nonzero(groups: dict[tuple[Any, ...], dict[str, float]]) -> dict[tuple[Any, ...], dict[str, float]]:
    return {g: p for g, p in groups.items() if any(p.values())}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tickets=st.lists(ticket_spec, max_size=25),
    complaints=st.lists(complaint_spec, max_size=6),
    feedback=st.lists(feedback_spec, max_size=5),
)
def test_rollups_equal_the_raw_definitions_at_every_level_period_and_cut(
    world: Any,
    seeded_calendar: None,
    tickets: list[dict[str, Any]],
    complaints: list[dict[str, Any]],
    feedback: list[dict[str, Any]],
) -> None:
    make(world, tickets, complaints, feedback)
    services.rollup_rebuild(actor=SYSTEM, start=START, end=END)
    hq = world.hq_manager
    rows, months = raw_rows()
    # Per unit and day: the rollup rows themselves.
    rolled = nonzero(selectors.parts_by(world.ho, START, END, by=["unit", "day"], fetched_by=hq))
    assert rolled == regroup(rows, ["unit_id", "business_date"])
    # Per month across the whole bank (a month end falls inside the range).
    assert nonzero(selectors.parts_by(world.ho, START, END, by=["month"], fetched_by=hq)) == regroup(
        months, ["month"]
    )
    # Each branch is the sum of what lies under it.
    for unit in (world.t1, world.t2, world.t1x, world.ho):
        inside = {
            u.pk
            for u in (world.outlet_a, world.outlet_b, world.outlet_x, world.t2)
            if u.path.startswith(unit.path)
        }
        expected = catalogue.sum_parts(p for (u, _d), p in rolled.items() if u in inside)
        assert selectors.total(unit, START, END, fetched_by=hq) == expected
    # Cuts: every counter / tier / business type / staff / hour split adds up like the raw facts grouped so.
    ticket_rows = [r for r in rows if "hour" in r]
    for cut, column in (
        ("counter", "counter_code"),
        ("tier", "customer_tier"),
        ("service", "service_code"),
        ("staff", "staff_id"),
        ("hour", "hour"),
    ):
        got = nonzero(selectors.parts_by(world.ho, START, END, by=["key"], cut=cut, fetched_by=hq))
        assert got == {(str(k),): p for (k,), p in regroup(ticket_rows, [column]).items()}
    # Figures, including p90 from the summed histogram, are the same either way.
    assert catalogue.evaluate(selectors.total(world.ho, START, END, fetched_by=hq)) == catalogue.evaluate(
        catalogue.sum_parts(rows)
    )


def test_the_incremental_build_picks_up_new_facts_and_back_dated_days(world: Any, frozen_clock: Any) -> None:
    today = clock.today()
    f.ticket(world.outlet_a, f.at(today, 8, 30), wait=60, service_seconds=120)
    assert refresh_rollups.call() > 0  # the background sweep's first run builds everything
    assert any(sweep.task is refresh_rollups for sweep in scheduler.sweeps())
    assert selectors.total(world.ho, today, today, fetched_by=world.hq_manager)["issued"] == 1

    frozen_clock.advance(dt.timedelta(hours=1))
    f.ticket(world.outlet_b, clock.now(), wait=30)
    services.rollup_refresh(actor=SYSTEM)
    assert selectors.total(world.ho, today, today, fetched_by=world.hq_manager)["issued"] == 2
    assert selectors.total(world.outlet_b, today, today, fetched_by=world.hq_manager)["called"] == 1

    # A back-dated fact (an import of last month) is only seen once its day is marked dirty.
    old = dt.date(2026, 2, 10)
    t = f.ticket(world.outlet_a, f.at(old, 9), wait=30)
    frozen_clock.advance(dt.timedelta(hours=1))
    services.rollup_refresh(actor=SYSTEM)
    assert selectors.total(world.ho, old, old, fetched_by=world.hq_manager)["issued"] == 0
    rollups.mark_dirty(actor=SYSTEM, pairs=[(t.outlet_id, old)])
    services.rollup_refresh(actor=SYSTEM)
    assert selectors.total(world.ho, old, old, fetched_by=world.hq_manager)["issued"] == 1
    assert not DirtyDay.objects.exists()


def test_rebuild_replaces_a_range_and_leaves_other_days_alone(world: Any) -> None:
    f.ticket(world.outlet_a, f.at(DAYS[0], 9), wait=60)
    f.ticket(world.outlet_a, f.at(DAYS[1], 9), wait=60)
    services.rollup_rebuild(actor=SYSTEM, start=START, end=END)
    Ticket.objects.filter(business_date=DAYS[0]).delete()
    Ticket.objects.filter(business_date=DAYS[1]).update(status="no_show")
    services.rollup_rebuild(actor=SYSTEM, start=DAYS[1], end=DAYS[1])
    hq = world.hq_manager
    assert (
        selectors.total(world.ho, DAYS[0], DAYS[0], fetched_by=hq)["issued"] == 1
    )  # untouched day keeps its rollup
    assert selectors.total(world.ho, DAYS[1], DAYS[1], fetched_by=hq)["no_show"] == 1
    services.rollup_rebuild(actor=SYSTEM, start=START, end=END)
    assert selectors.total(world.ho, DAYS[0], DAYS[0], fetched_by=hq)["issued"] == 0
    assert not Rollup.objects.filter(date=DAYS[0]).exists()


def test_rollups_are_scoped_to_what_the_reader_may_see(world: Any) -> None:
    f.ticket(world.outlet_a, f.at(DAYS[0], 9), wait=60)
    f.ticket(world.outlet_b, f.at(DAYS[0], 9), wait=60)
    services.rollup_rebuild(actor=SYSTEM, start=START, end=END)
    assert selectors.total(world.t2, START, END, fetched_by=world.teller_b)["issued"] == 1  # only OB's own
    assert selectors.total(world.t2, START, END, fetched_by=world.hq_manager)["issued"] == 2
