"""The catalogue's parts as Ibis expressions over the raw fact tables (schema in `facts.SCHEMAS`).

The expressions use only portable operations (casts, CASE, epoch seconds, joins, sums, date truncation),
so they run unchanged on DuckDB (default: the app database's facts or a Parquet export) and on Spark.
Figures come from `catalogue.evaluate` on the parts, exactly as for the rollups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from fuwu.measures import catalogue, facts

TIME_GRAINS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
TICKET_GROUPS = (
    "unit_id",
    "business_date",
    "service_code",
    "counter_code",
    "staff_id",
    "customer_tier",
    "hour",
    *TIME_GRAINS,
)
COMPLAINT_GROUPS = ("unit_id", "business_date", *TIME_GRAINS)
CALL_GROUPS = ("unit_id", "business_date", "line", "hour", *TIME_GRAINS)
COMPLIMENT_GROUPS = ("unit_id", "business_date", "staff_id", *TIME_GRAINS)
SUGGESTION_GROUPS = (*COMPLIMENT_GROUPS, "product")


def _flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).cast("int64")


def _with_grains(table: ir.Table, date_column: str) -> ir.Table:
    return table.mutate(
        business_date=table[date_column],
        **{name: table[date_column].truncate(unit) for name, unit in TIME_GRAINS.items()},
    )


def _seconds(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole epoch seconds of a timestamp, truncated (floor), so every engine gets the same integers."""
    return ts.epoch_seconds().cast("float64").floor().cast("int64")


def _bucket(wait: ir.IntegerValue) -> ir.IntegerValue:
    """The histogram bucket of a wait, by arithmetic on the fixed edges (1, 5 and 15-minute steps)."""
    return ibis.cases(
        (wait < 0, 0),
        (wait < 1800, wait // 60),
        (wait < 3600, 30 + (wait - 1800) // 300),
        (wait < 7200, 36 + (wait - 3600) // 900),
        else_=catalogue.N_BUCKETS - 1,
    ).cast("int64")


def _grains(table: ir.Table, by: Sequence[str], date_column: str = "business_date") -> dict[str, ir.Value]:
    """The group keys `by` as expressions on `table` (time grains truncate its date column)."""

    def key(name: str) -> ir.Value:
        if name == "business_date":
            return table[date_column]
        if name in TIME_GRAINS:
            return table[date_column].truncate(TIME_GRAINS[name])
        return table[name]

    return {name: key(name) for name in by}


def _aggregate(table: ir.Table, keys: Mapping[str, ir.Value], metrics: Mapping[str, ir.Scalar]) -> ir.Table:
    """`metrics` per group of `keys`, or one row over the whole table when there are no keys."""
    return table.group_by(**keys).aggregate(**metrics) if keys else table.aggregate(**metrics)


TICKET_COUNTS = (
    "issued",
    "called",
    "within_target",
    "finished",
    "service_n",
    "no_show",
    "diverted",
    "wait_sum",
    "service_sum",
)
RATING_COUNTS = ("evaluated", "satisfied", "basically_satisfied")


def ticket_parts(tickets: ir.Table, evaluations: ir.Table, by: Sequence[str]) -> ir.Table:
    """Ticket and evaluation parts per group (`by` ⊆ TICKET_GROUPS).

    Three narrow aggregations over the raw tables, stacked and summed per group (as `complaint_parts`
    does): the ticket counts and sums; the wait histogram as one count per (group, bucket), pivoted on
    the small result; and the ratings, joining evaluations to finished tickets only. The parts are the
    same as one wide aggregation (41 filtered histogram counts over every ticket carried through a left
    join), which took about 1.05-1.2x the CPU time on DuckDB (bench/measures_scale.py, K1, #6). Every
    branch starts from the base tables, so no engine has to materialise a shared intermediate, and groups
    are summed rather than joined, so a NULL group key keeps its parts.
    """
    t = tickets
    called = t.called_at.notnull()
    wait = _seconds(t.called_at) - _seconds(t.issued_at)
    finished = t.status == "finished"
    timed = finished & t.started_at.notnull() & t.finished_at.notnull()
    counts = _aggregate(
        t,
        _grains(t, by),
        {
            "issued": t.count(),
            "called": t.count(where=called),
            "within_target": t.count(where=called & (wait <= t.target_wait_seconds)),
            "finished": t.count(where=finished),
            "service_n": t.count(where=timed),
            "no_show": t.count(where=t.status == "no_show"),
            "diverted": t.count(where=t.status == "diverted"),
            "wait_sum": wait.sum(where=called),
            "service_sum": (_seconds(t.finished_at) - _seconds(t.started_at)).sum(where=timed),
        },
    )
    c = tickets.filter(called)
    c = c.mutate(wait=_seconds(c.called_at) - _seconds(c.issued_at))
    per_bucket = c.group_by(**_grains(c, by), bucket=_bucket(c.wait)).aggregate(n=c.count())
    hist = _aggregate(
        per_bucket,
        {name: per_bucket[name] for name in by},
        {name: per_bucket.n.sum(where=per_bucket.bucket == i) for i, name in enumerate(catalogue.HIST_PARTS)},
    )
    rated = tickets.filter(finished).join(evaluations.filter(evaluations.rating.notnull()), "ticket_id")
    ratings = _aggregate(
        rated,
        _grains(rated, by),
        {
            "evaluated": rated.count(),
            "satisfied": rated.count(where=rated.rating == "satisfied"),
            "basically_satisfied": rated.count(where=rated.rating == "basically_satisfied"),
        },
    )
    names = (*TICKET_COUNTS, *RATING_COUNTS, *catalogue.HIST_PARTS)
    zero = ibis.literal(0, "int64")

    def widen(part: ir.Table) -> ir.Table:
        return part.select(*by, **{n: part[n].cast("int64") if n in part.columns else zero for n in names})

    stacked = widen(counts).union(widen(hist), distinct=False).union(widen(ratings), distinct=False)
    return _aggregate(
        stacked, {name: stacked[name] for name in by}, {n: stacked[n].sum().fill_null(0) for n in names}
    )


def complaint_parts(complaints: ir.Table, calendar: ir.Table, by: Sequence[str]) -> ir.Table:
    """Complaint parts per group (`by` ⊆ COMPLAINT_GROUPS): received on, or closed on, the group's dates."""
    c = complaints.filter(complaints.status != facts.MERGED)
    one, zero = ibis.literal(1, "int64"), ibis.literal(0, "int64")
    received = _with_grains(c, "received_date").mutate(
        complaints=one,
        complaints_closed=zero,
        complaints_on_time=zero,
        cycle_days=zero,
        cycle_business_days=zero,
    )
    closed = c.filter(c.closed_date.notnull() & (c.status != facts.WITHDRAWN))
    on_recv = calendar.select(r_date=calendar.date, r_day=calendar.day_index, r_bus=calendar.business_index)
    on_close = calendar.select(c_date=calendar.date, c_day=calendar.day_index, c_bus=calendar.business_index)
    closed = closed.join(on_recv, closed.received_date == on_recv.r_date).join(
        on_close, closed.closed_date == on_close.c_date
    )
    closed = _with_grains(closed, "closed_date").mutate(
        complaints=zero,
        complaints_closed=one,
        complaints_on_time=_flag(closed.closed_at <= closed.due_at),
        cycle_days=(closed.c_day - closed.r_day).cast("int64"),
        cycle_business_days=(closed.c_bus - closed.r_bus).cast("int64"),
    )
    names = ["complaints", "complaints_closed", "complaints_on_time", "cycle_days", "cycle_business_days"]
    cols = [*by, *names]
    both = received.select(*cols).union(closed.select(*cols), distinct=False)
    sums = {name: both[name].sum() for name in names}
    return both.group_by(list(by)).aggregate(**sums) if by else both.aggregate(**sums)


def feedback_parts(feedback: ir.Table, by: Sequence[str]) -> ir.Table:
    """Feedback-box reply parts per group (`by` ⊆ COMPLAINT_GROUPS), by business date replied."""
    f = _with_grains(feedback, "replied_date")
    sums = {
        "feedback_replied": f.count(),
        "feedback_replied_on_time": f.count(where=f.replied_at <= f.reply_due_at),
    }
    return f.group_by(list(by)).aggregate(**sums) if by else f.aggregate(**sums)


def call_parts(calls: ir.Table, by: Sequence[str]) -> ir.Table:
    """Contact-centre parts per group (`by` ⊆ CALL_GROUPS), by business date offered (K1, W5 facts)."""
    c = _with_grains(calls, "business_date")
    answered = c.answered_at.notnull()
    abandoned = c.answered_at.isnull() & c.abandoned_at.notnull()
    handled = answered & c.ended_at.notnull()
    to_answer = _seconds(c.answered_at) - _seconds(c.offered_at)
    to_abandon = _seconds(c.abandoned_at) - _seconds(c.offered_at)
    sums = {
        "calls_offered": c.count(),
        "calls_answered": c.count(where=answered),
        "calls_answered_in_target": c.count(where=answered & (to_answer <= catalogue.ANSWER_TARGET_SECONDS)),
        "calls_abandoned": c.count(where=abandoned),
        "calls_abandoned_short": c.count(where=abandoned & (to_abandon <= catalogue.SHORT_ABANDON_SECONDS)),
        "calls_handled": c.count(where=handled),
        "handle_sum": (_seconds(c.ended_at) - _seconds(c.answered_at)).sum(where=handled).fill_null(0),
    }
    return c.group_by(list(by)).aggregate(**sums) if by else c.aggregate(**sums)


def inspection_parts(inspections: ir.Table, by: Sequence[str]) -> ir.Table:
    """Supervision parts of submitted inspections per group (`by` ⊆ COMPLAINT_GROUPS), by visit date."""
    i = inspections
    mystery = i.kind == facts.MYSTERY
    sums = {
        "inspections_submitted": i.count(),
        "inspection_score_sum": i.score.sum().fill_null(0),
        "mystery_submitted": i.count(where=mystery),
        "mystery_score_sum": i.score.sum(where=mystery).fill_null(0),
        "findings": i.findings.sum().fill_null(0),
    }
    return _aggregate(i, _grains(i, by, "visit_date"), sums)


TASK_PARTS = ("rect_verified", "rect_verified_on_time", "rect_open", "rect_overdue")


def task_parts(tasks: ir.Table, by: Sequence[str]) -> ir.Table:
    """Rectification-ledger parts per group (`by` ⊆ COMPLAINT_GROUPS): each task's events on their dates.

    Verification counts on the date verified; the balances change +1/−1 on the dates a task opens and
    closes, and falls overdue (the day after its due date) and leaves that state (evidence or closing).
    """
    t = tasks
    falls_due = (t.due + ibis.interval(days=1)).cast("date")
    leaves = ibis.cases(
        (t.submitted_date.isnull(), t.closed_date),
        (t.closed_date.isnull(), t.submitted_date),
        (t.submitted_date < t.closed_date, t.submitted_date),
        else_=t.closed_date,
    )
    t = t.mutate(falls_due=falls_due, leaves=leaves)
    overdue = t.filter(t.leaves.isnull() | (t.falls_due < t.leaves))

    def event(table: ir.Table, day: ir.Value, **parts: ir.Value | int) -> ir.Table:
        def value(name: str) -> ir.Value:
            given = parts.get(name, 0)
            return ibis.literal(given, "int64") if isinstance(given, int) else given.cast("int64")

        return table.select(unit_id=table.unit_id, day=day, **{n: value(n) for n in TASK_PARTS})

    closed = t.filter(t.closed_date.notnull())
    verified = t.filter(t.verified_date.notnull())
    left = overdue.filter(overdue.leaves.notnull())
    events = [
        event(t, t.opened_date, rect_open=1),
        event(closed, closed.closed_date, rect_open=-1),
        event(
            verified, verified.verified_date, rect_verified=1, rect_verified_on_time=_flag(verified.on_time)
        ),
        event(overdue, overdue.falls_due, rect_overdue=1),
        event(left, left.leaves, rect_overdue=-1),
    ]
    stacked = events[0]
    for more in events[1:]:
        stacked = stacked.union(more, distinct=False)
    return _aggregate(stacked, _grains(stacked, by, "day"), {n: stacked[n].sum() for n in TASK_PARTS})


def training_parts(training: ir.Table, by: Sequence[str]) -> ir.Table:
    """Training parts per group (`by` ⊆ COMPLAINT_GROUPS or "course"), on each assignment's due date."""
    t = training
    done = t.completed_date.notnull()
    sums = {
        "training_due": t.count(),
        "training_completed": t.count(where=done),
        "training_on_time": t.count(where=done & (t.completed_date <= t.due)),
    }
    return _aggregate(t, _grains(t, by, "due"), sums)


def language_parts(language: ir.Table, by: Sequence[str]) -> ir.Table:
    """Service-language parts per group (`by` ⊆ COMPLAINT_GROUPS or "agent"), by business date checked."""
    t = language
    sums = {
        "lang_checked": t.count(),
        "lang_hits": t.forbidden_hits.sum().fill_null(0),
        "lang_with_hit": t.count(where=t.forbidden_hits > 0),
        "lang_calls": t.count(where=t.is_call),
        "lang_calls_complete": t.count(where=t.is_call & (t.required_missing == 0)),
    }
    return _aggregate(t, _grains(t, by), sums)


STEP_PARTS = (*catalogue.APPROVAL_COUNT_PARTS, *catalogue.APPROVAL_SUM_PARTS, *catalogue.APPROVAL_STOCK_PARTS)


def step_parts(steps: ir.Table, by: Sequence[str]) -> ir.Table:
    """Approval parts per group (`by` ⊆ COMPLAINT_GROUPS or "key"): activation and end change the balance of
    steps in progress; a decision adds its counts, sums and histogram bucket on the date decided."""
    t = steps
    edges = catalogue.STEP_EDGES_HOURS
    hours = t.elapsed_seconds / 3600
    bucket = ibis.cases(
        *((hours < edges[i + 1], i) for i in range(len(edges) - 1)), else_=len(edges) - 1
    ).cast("int64")

    def event(table: ir.Table, day: ir.Value, **parts: ir.Value | int) -> ir.Table:
        def value(name: str) -> ir.Value:
            given = parts.get(name, 0)
            if isinstance(given, int):
                return ibis.literal(given, "float64")
            return given.cast("float64")

        return table.select(
            unit_id=table.unit_id, key=table.key, day=day, **{n: value(n) for n in STEP_PARTS}
        )

    ended = t.filter(t.ended_date.notnull())
    d = t.filter(t.decided_date.notnull()).mutate(bucket=bucket)
    decided = {
        "appr_decided": 1,
        "appr_breached": _flag(d.finished_at > d.due_at),
        "appr_elapsed_sum": d.elapsed_seconds,
        "appr_paused_sum": d.paused_seconds,
        "appr_wall_sum": _seconds(d.finished_at) - _seconds(d.started_at),
        **{name: _flag(d.bucket == i) for i, name in enumerate(catalogue.STEP_HIST_PARTS)},
    }
    stacked = (
        event(t, t.started_date, appr_open=1)
        .union(event(ended, ended.ended_date, appr_open=-1), distinct=False)
        .union(event(d, d.decided_date, **decided), distinct=False)
    )
    return _aggregate(stacked, _grains(stacked, by, "day"), {n: stacked[n].sum() for n in STEP_PARTS})


def suggestion_parts(suggestions: ir.Table, by: Sequence[str]) -> ir.Table:
    """Next-product parts per group (`by` ⊆ SUGGESTION_GROUPS), on the business date each was shown."""
    t = suggestions
    sums = {
        "sugg_shown": t.count(),
        "sugg_accepted": t.count(where=t.status == facts.ACCEPTED),
        "sugg_referred": t.count(where=t.status == facts.REFERRED),
    }
    return _aggregate(t, _grains(t, by), sums)


def compliment_parts(compliments: ir.Table, by: Sequence[str]) -> ir.Table:
    """Compliment parts per group (`by` ⊆ COMPLIMENT_GROUPS), on the business date each was written."""
    t = compliments
    return _aggregate(t, _grains(t, by), {"compliments": t.count()})


def parts_frame(tables: Mapping[str, ir.Table], by: Sequence[str]) -> list[dict[str, Any]]:
    """Executed parts per group as plain dicts (ticket and complaint parts merged on the group)."""
    out: dict[tuple[Any, ...], dict[str, float]] = {}

    def merge(result: pa.Table) -> None:
        for row in result.to_pylist():
            group = tuple(row[k] for k in by)
            into = out.setdefault(group, catalogue.empty_parts())
            for name in catalogue.PARTS:
                into[name] += row.get(name) or 0

    if all(k in TICKET_GROUPS for k in by):
        merge(ticket_parts(tables["tickets"], tables["evaluations"], by).to_pyarrow())
    if "suggestions" in tables and all(k in SUGGESTION_GROUPS for k in by):
        merge(suggestion_parts(tables["suggestions"], by).to_pyarrow())
    if "compliments" in tables and all(k in COMPLIMENT_GROUPS for k in by):
        merge(compliment_parts(tables["compliments"], by).to_pyarrow())
    if "calls" in tables and all(k in CALL_GROUPS for k in by):
        merge(call_parts(tables["calls"], by).to_pyarrow())
    if all(k in COMPLAINT_GROUPS for k in by):
        merge(complaint_parts(tables["complaints"], tables["calendar"], by).to_pyarrow())
        if "feedback" in tables:
            merge(feedback_parts(tables["feedback"], by).to_pyarrow())
        if "inspections" in tables:
            merge(inspection_parts(tables["inspections"], by).to_pyarrow())
        if "rectifications" in tables:
            merge(task_parts(tables["rectifications"], by).to_pyarrow())
        if "training" in tables:
            merge(training_parts(tables["training"], by).to_pyarrow())
        if "language" in tables:
            merge(language_parts(tables["language"], by).to_pyarrow())
        if "approval_steps" in tables:
            merge(step_parts(tables["approval_steps"], by).to_pyarrow())
    return [{**dict(zip(by, group, strict=True)), **parts} for group, parts in out.items()]


def duckdb() -> Any:
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")  # timestamps compare and truncate in UTC, never the host's zone
    return con


def duckdb_tables(arrow: Mapping[str, pa.Table]) -> dict[str, ir.Table]:
    """The fact tables (Arrow, read from the app database) as views in a fresh in-process DuckDB."""
    con = duckdb()
    for name, table in arrow.items():
        con.con.register(name, table)
    return {name: con.table(name) for name in arrow}


def duckdb_parquet(directory: Path) -> dict[str, ir.Table]:
    """A Parquet export (`fuwu export facts`) opened in DuckDB without loading it into memory."""
    con = duckdb()
    paths = facts.parquet_paths(directory)
    for name, path in paths.items():
        con.raw_sql(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
    return {name: con.table(name) for name in paths}
