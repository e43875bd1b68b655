"""The ticket measure suite per outlet per month over N synthetic visits, three ways in one run.

Writes N tickets (+ evaluations) as chunked Parquet in the facts schema (`fuwu export facts`), then computes
every ticket measure per outlet and month with (1) ours: the catalogue's Ibis definitions on DuckDB,
(2) hand-written DuckDB SQL, (3) pandas on the first --pandas-rows rows (ours is re-run on that subset to
compare). All three compute the parts in the same shape (ticket counts per outlet-month, the wait histogram
as one count per outlet-month-bucket pivoted, ratings joined to finished tickets only). Asserts the parts
are identical, prints wall and CPU times (CPU shows the work when other jobs share the machine), ratios and
the peak memory of ours.
Goals: ours <= 1.3x hand-written SQL, >= 10x faster than pandas, <= 4 GiB peak.
Run: .venv/bin/python bench/measures_scale.py --rows 100000000   (default; --rows 5000000 for a quick run)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
import django

django.setup()

from fuwu.measures import catalogue, definitions, facts  # noqa: E402

CHUNK = 5_000_000
OUTLETS = 2_000
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STATUSES = np.array(["finished", "no_show", "diverted", "cancelled", "transferred"])
RATINGS = np.array(["satisfied", "basically_satisfied", "dissatisfied"])


def generate(directory: Path, rows: int, seed: int = 7) -> None:
    """Chunked synthetic tickets/evaluations: one year, OUTLETS outlets, realistic status and wait mix."""
    tdir, edir = directory / "tickets", directory / "evaluations"
    tdir.mkdir(parents=True)
    edir.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    done = 0
    part = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        ids = np.arange(done, done + n, dtype=np.int64)
        day = rng.integers(0, 365, n)
        issued_s = day * 86400 + rng.integers(0, 9 * 3600, n) + 3600  # 09:00–18:00 Shanghai ≈ 01:00–10:00 UTC
        status = STATUSES[rng.choice(5, n, p=[0.86, 0.05, 0.05, 0.02, 0.02])]
        called = status != "diverted"
        called &= status != "cancelled"
        wait = rng.gamma(1.6, 420.0, n).astype(np.int64)
        service = rng.gamma(2.0, 180.0, n).astype(np.int64) + 30
        finished = status == "finished"
        issued_us = (issued_s * 1_000_000 + rng.integers(0, 1_000_000, n)).astype(np.int64)
        called_us = issued_us + wait * 1_000_000
        started_us = called_us + 20_000_000
        finished_us = started_us + service * 1_000_000
        base = int(EPOCH.timestamp() * 1_000_000)

        def ts(values: Any, mask: Any, base: int = base) -> pa.Array:
            return pa.array(values + base, type=pa.int64(), mask=~mask).cast(facts.TS)

        table = pa.table(
            {
                "ticket_id": ids,
                "unit_id": rng.integers(1, OUTLETS + 1, n),
                "business_date": pa.array((np.datetime64("2026-01-01") + day).astype("datetime64[D]")),
                "service_code": pa.array(
                    np.array(["CASH", "CARD", "LOAN", "WEALTH", "FX"])[rng.integers(0, 5, n)]
                ),
                "counter_code": pa.array(rng.integers(1, 9, n).astype(str)),
                "staff_id": pa.array(rng.integers(1, 50_000, n).astype(str)),
                "customer_tier": pa.array(
                    np.array(["normal", "wealth", "private"])[rng.choice(3, n, p=[0.8, 0.15, 0.05])]
                ),
                "hour": pa.array(((issued_s % 86400) // 3600 + 8).astype(np.int32)),
                "status": pa.array(status),
                "issued_at": ts(issued_us, np.ones(n, bool)),
                "called_at": ts(called_us, called),
                "started_at": ts(started_us, finished),
                "finished_at": ts(finished_us, finished),
                "target_wait_seconds": pa.array(np.where(rng.random(n) < 0.5, 600, 900).astype(np.int64)),
            },
            schema=facts.SCHEMAS["tickets"],
        )
        pq.write_table(table, tdir / f"part-{part:04d}.parquet", row_group_size=1_000_000)
        rated = finished & (rng.random(n) < 0.6)
        pq.write_table(
            pa.table(
                {
                    "ticket_id": ids[rated],
                    "rating": RATINGS[rng.choice(3, int(rated.sum()), p=[0.7, 0.2, 0.1])],
                },
                schema=facts.SCHEMAS["evaluations"],
            ),
            edir / f"part-{part:04d}.parquet",
        )
        done += n
        part += 1


def hist_sql() -> str:
    return ",\n".join(
        f"coalesce(sum(n) FILTER (WHERE bucket = {i}), 0) AS {name}"
        for i, name in enumerate(catalogue.HIST_PARTS)
    )


def hand_sql(tickets: str, evaluations: str) -> str:
    """The same parts written by hand for DuckDB, in the same shape as ours: ticket counts per outlet-month,
    the wait histogram as one count per (outlet, month, bucket) pivoted on that small result, and the
    ratings from evaluations joined to finished tickets only."""
    return f"""
    WITH counts AS (
      SELECT unit_id, date_trunc('month', business_date) AS month, count(*) AS issued,
             count(*) FILTER (WHERE called_at IS NOT NULL) AS called,
             coalesce(sum(epoch_us(called_at) // 1000000 - epoch_us(issued_at) // 1000000), 0) AS wait_sum,
             count(*) FILTER (WHERE epoch_us(called_at) // 1000000 - epoch_us(issued_at) // 1000000
                                    <= target_wait_seconds) AS within_target,
             count(*) FILTER (WHERE status = 'finished') AS finished,
             count(*) FILTER (WHERE status = 'finished' AND started_at IS NOT NULL AND finished_at IS NOT NULL)
               AS service_n,
             coalesce(sum(epoch_us(finished_at) // 1000000 - epoch_us(started_at) // 1000000)
               FILTER (WHERE status = 'finished'), 0) AS service_sum,
             count(*) FILTER (WHERE status = 'no_show') AS no_show,
             count(*) FILTER (WHERE status = 'diverted') AS diverted
      FROM {tickets} GROUP BY ALL
    ), waits AS (
      SELECT unit_id, date_trunc('month', business_date) AS month,
             epoch_us(called_at) // 1000000 - epoch_us(issued_at) // 1000000 AS wait
      FROM {tickets} WHERE called_at IS NOT NULL
    ), per_bucket AS (
      SELECT unit_id, month,
             CASE WHEN wait < 0 THEN 0 WHEN wait < 1800 THEN wait // 60
                  WHEN wait < 3600 THEN 30 + (wait - 1800) // 300 WHEN wait < 7200 THEN 36 + (wait - 3600) // 900
                  ELSE 40 END AS bucket,
             count(*) AS n
      FROM waits GROUP BY ALL
    ), hist AS (
      SELECT unit_id, month, {hist_sql()} FROM per_bucket GROUP BY ALL
    ), ratings AS (
      SELECT t.unit_id, date_trunc('month', t.business_date) AS month, count(*) AS evaluated,
             count(*) FILTER (WHERE e.rating = 'satisfied') AS satisfied,
             count(*) FILTER (WHERE e.rating = 'basically_satisfied') AS basically_satisfied
      FROM {tickets} t JOIN {evaluations} e ON t.ticket_id = e.ticket_id
      WHERE t.status = 'finished' AND e.rating IS NOT NULL GROUP BY ALL
    )
    SELECT * FROM counts LEFT JOIN hist USING (unit_id, month) LEFT JOIN ratings USING (unit_id, month)
    """


# Both engines get the same memory cap; what does not fit spills to the system temp folder, not the cwd.
LIMITS = (
    f"SET memory_limit = '3GB'; SET temp_directory = '{Path(tempfile.gettempdir()) / 'fuwu-duckdb-spill'}'"
)


def as_parts(rows: list[dict[str, Any]]) -> dict[tuple[Any, Any], dict[str, float]]:
    out = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        out[(int(row["unit_id"]), month)] = {
            p: float(row.get(p) or 0) for p in catalogue.PARTS if p in catalogue.TICKET_PARTS
        }
    return out


def ours(tickets: str, evaluations: str) -> dict[tuple[Any, Any], dict[str, float]]:
    con = definitions.duckdb()
    con.raw_sql(LIMITS)
    con.raw_sql(f"CREATE VIEW tickets AS SELECT * FROM {tickets}")
    con.raw_sql(f"CREATE VIEW evaluations AS SELECT * FROM {evaluations}")
    t, e = con.table("tickets"), con.table("evaluations")
    result = definitions.ticket_parts(t, e, ["unit_id", "month"]).to_pyarrow()
    return as_parts(result.to_pylist())


def hand(tickets: str, evaluations: str) -> dict[tuple[Any, Any], dict[str, float]]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(LIMITS)
    sql = hand_sql(tickets, evaluations)
    return as_parts(con.sql(sql).to_arrow_table().to_pylist())


def with_pandas(
    tickets: list[Path], evaluations: list[Path], rows: int
) -> dict[tuple[Any, Any], dict[str, float]]:
    """Competent vectorised pandas in the same shape: read only the columns needed (dates as datetime64,
    not Python objects), one groupby-sum of the ticket flags, the histogram as a groupby-size unstacked,
    the ratings from evaluations merged onto finished tickets only."""
    import pandas as pd

    columns = ["ticket_id", "unit_id", "business_date", "status", "issued_at", "called_at"]
    columns += ["started_at", "finished_at", "target_wait_seconds"]
    dates = {"to_pandas_kwargs": {"date_as_object": False}}
    t = pd.concat([pd.read_parquet(p, columns=columns, **dates) for p in tickets], ignore_index=True)
    t = t.head(rows)
    e = pd.concat([pd.read_parquet(p) for p in evaluations], ignore_index=True)

    def seconds(column: str) -> Any:  # whole epoch seconds, floored (timestamps are microseconds)
        return t[column].astype("int64") // 10**6

    key = ["unit_id", "month"]
    month = t["business_date"].dt.to_period("M").dt.start_time
    called = t["called_at"].notna()
    finished = t["status"] == "finished"
    timed = finished & t["started_at"].notna() & t["finished_at"].notna()
    wait = (seconds("called_at") - seconds("issued_at")).where(called, 0)
    flags = pd.DataFrame(
        {
            "unit_id": t["unit_id"],
            "month": month,
            "issued": 1,
            "called": called,
            "wait_sum": wait,
            "within_target": called & (wait <= t["target_wait_seconds"]),
            "finished": finished,
            "service_n": timed,
            "service_sum": (seconds("finished_at") - seconds("started_at")).where(timed, 0),
            "no_show": t["status"] == "no_show",
            "diverted": t["status"] == "diverted",
        }
    )
    counts = flags.groupby(key, sort=False).sum()
    edges = np.array(catalogue.WAIT_EDGES)
    bucket = np.searchsorted(edges, wait[called].clip(lower=0), side="right") - 1
    hist = (
        pd.DataFrame({"unit_id": t["unit_id"][called], "month": month[called], "bucket": bucket})
        .groupby([*key, "bucket"], sort=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=range(len(catalogue.HIST_PARTS)), fill_value=0)
    )
    hist.columns = list(catalogue.HIST_PARTS)
    rated = pd.DataFrame({"ticket_id": t["ticket_id"], "unit_id": t["unit_id"], "month": month})[finished]
    rated = rated.merge(e[e["rating"].notna()], on="ticket_id")
    ratings = rated.groupby(key, sort=False)["rating"].value_counts().unstack(fill_value=0)
    ratings = pd.DataFrame(
        {
            "evaluated": ratings.sum(axis=1),
            "satisfied": ratings.get("satisfied", 0),
            "basically_satisfied": ratings.get("basically_satisfied", 0),
        }
    )
    parts = pd.concat([counts, hist, ratings], axis=1).fillna(0).reset_index()
    return as_parts(parts.to_dict("records"))


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Any, *args: Any) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds (all threads) of one call; CPU time shows the work done even
    when other jobs share the machine and stretch the wall time."""
    started, cpu = time.perf_counter(), cpu_seconds()
    result = fn(*args)
    return result, time.perf_counter() - started, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--pandas-rows", type=int, default=20_000_000)
    parser.add_argument(
        "--dir", type=Path, default=None, help="keep the Parquet here (default: a temp folder)"
    )
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="fuwu-measures-"))
    if not (directory / "tickets").exists():
        started = time.perf_counter()
        generate(directory, args.rows)
        print(
            f"[measures_scale] generated {args.rows:,} tickets in {time.perf_counter() - started:.1f} s → {directory}"
        )
    tglob = f"read_parquet('{directory / 'tickets' / '*.parquet'}')"
    eglob = f"read_parquet('{directory / 'evaluations' / '*.parquet'}')"
    before = peak_gib()
    mine, t_ours, c_ours = timed(ours, tglob, eglob)
    peak_ours = peak_gib()
    theirs, t_sql, c_sql = timed(hand, tglob, eglob)
    assert mine == theirs, "ours and hand-written SQL differ"
    print(
        f"[measures_scale] {args.rows:,} rows, {len(mine)} outlet-months: ours (Ibis on DuckDB) {t_ours:.2f} s "
        f"(cpu {c_ours:.2f} s), hand-written DuckDB SQL {t_sql:.2f} s (cpu {c_sql:.2f} s), "
        f"ratio {t_ours / t_sql:.2f} (cpu {c_ours / c_sql:.2f}; goal <= 1.3); "
        f"peak RSS after ours {peak_ours:.2f} GiB (before {before:.2f}; goal <= 4)"
    )
    files = sorted((directory / "tickets").glob("*.parquet"))
    subset_rows = min(args.pandas_rows, args.rows)
    subset_files = files[: -(-subset_rows // CHUNK)]
    efiles = sorted((directory / "evaluations").glob("*.parquet"))[: len(subset_files)]
    sub_t = "read_parquet([" + ", ".join(f"'{p}'" for p in subset_files) + "])"
    sub_e = "read_parquet([" + ", ".join(f"'{p}'" for p in efiles) + "])"
    mine_sub, t_ours_sub, c_ours_sub = timed(ours, sub_t, sub_e)
    pandas_parts, t_pandas, c_pandas = timed(with_pandas, subset_files, efiles, subset_rows)
    assert mine_sub == pandas_parts, "ours and pandas differ"
    print(
        f"[measures_scale] {subset_rows:,} rows: ours {t_ours_sub:.2f} s (cpu {c_ours_sub:.2f} s), "
        f"pandas {t_pandas:.2f} s (cpu {c_pandas:.2f} s), ours is {t_pandas / t_ours_sub:.1f}x faster "
        f"(cpu {c_pandas / c_ours_sub:.1f}x; goal >= 10); process peak RSS {peak_gib():.2f} GiB; results identical"
    )
    if args.dir is None:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
