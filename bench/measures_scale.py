"""The ticket measure suite per outlet per month over N synthetic visits, three ways in one run.

Writes N tickets (+ evaluations) as chunked Parquet in the facts schema (`fuwu export-facts`), then computes
every ticket measure per outlet and month with (1) ours: the catalogue's Ibis definitions on DuckDB,
(2) hand-written DuckDB SQL, (3) pandas on the first --pandas-rows rows (ours is re-run on that subset to
compare). Asserts the parts are identical, prints times, ratios and the peak memory of ours.
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
        f"count(*) FILTER (WHERE bucket = {i}) AS {name}" for i, name in enumerate(catalogue.HIST_PARTS)
    )


def hand_sql(tickets: str, evaluations: str) -> str:
    """The same parts written by hand for DuckDB."""
    return f"""
    WITH t AS (
      SELECT t.unit_id, date_trunc('month', t.business_date) AS month, t.status, e.rating, t.target_wait_seconds,
             epoch_us(t.called_at) // 1000000 - epoch_us(t.issued_at) // 1000000 AS wait,
             epoch_us(t.finished_at) // 1000000 - epoch_us(t.started_at) // 1000000 AS svc,
             t.called_at IS NOT NULL AS called
      FROM {tickets} t LEFT JOIN {evaluations} e ON t.ticket_id = e.ticket_id
    ), b AS (
      SELECT *, CASE WHEN NOT called THEN -1 WHEN wait < 0 THEN 0 WHEN wait < 1800 THEN wait // 60
                     WHEN wait < 3600 THEN 30 + (wait - 1800) // 300 WHEN wait < 7200 THEN 36 + (wait - 3600) // 900
                     ELSE 40 END AS bucket
      FROM t
    )
    SELECT unit_id, month, count(*) AS issued, count(*) FILTER (WHERE called) AS called,
           coalesce(sum(wait) FILTER (WHERE called), 0) AS wait_sum,
           count(*) FILTER (WHERE called AND wait <= target_wait_seconds) AS within_target,
           count(*) FILTER (WHERE status = 'finished') AS finished,
           count(*) FILTER (WHERE status = 'finished' AND svc IS NOT NULL) AS service_n,
           coalesce(sum(svc) FILTER (WHERE status = 'finished' AND svc IS NOT NULL), 0) AS service_sum,
           count(*) FILTER (WHERE status = 'no_show') AS no_show,
           count(*) FILTER (WHERE status = 'diverted') AS diverted,
           count(*) FILTER (WHERE status = 'finished' AND rating IS NOT NULL) AS evaluated,
           count(*) FILTER (WHERE status = 'finished' AND rating = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE status = 'finished' AND rating = 'basically_satisfied') AS basically_satisfied,
           {hist_sql()}
    FROM b GROUP BY ALL
    """


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
    con.raw_sql("SET memory_limit = '3GB'")
    con.raw_sql(f"CREATE VIEW tickets AS SELECT * FROM {tickets}")
    con.raw_sql(f"CREATE VIEW evaluations AS SELECT * FROM {evaluations}")
    t, e = con.table("tickets"), con.table("evaluations")
    result = definitions.ticket_parts(t, e, ["unit_id", "month"]).to_pyarrow()
    return as_parts(result.to_pylist())


def hand(tickets: str, evaluations: str) -> dict[tuple[Any, Any], dict[str, float]]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET memory_limit = '3GB'")
    sql = hand_sql(tickets, evaluations)
    return as_parts(con.execute(sql).to_arrow_table().to_pylist())


def with_pandas(
    tickets: list[Path], evaluations: list[Path], rows: int
) -> dict[tuple[Any, Any], dict[str, float]]:
    import pandas as pd

    t = pd.concat([pd.read_parquet(p) for p in tickets]).head(rows)
    e = pd.concat([pd.read_parquet(p) for p in evaluations])
    t = t.merge(e, on="ticket_id", how="left")
    sec = {
        c: t[c].dt.floor("s").astype("int64") // 10**6
        for c in ("issued_at", "called_at", "started_at", "finished_at")
    }
    called = t["called_at"].notna()
    finished = t["status"] == "finished"
    timed = finished & t["started_at"].notna() & t["finished_at"].notna()
    wait = (sec["called_at"] - sec["issued_at"]).where(called, 0)
    svc = (sec["finished_at"] - sec["started_at"]).where(timed, 0)
    edges = np.array(catalogue.WAIT_EDGES)
    bucket = np.where(called, np.searchsorted(edges, wait.clip(lower=0), side="right") - 1, -1)
    frame = pd.DataFrame(
        {
            "unit_id": t["unit_id"],
            "month": t["business_date"].astype("datetime64[s]").dt.to_period("M").dt.start_time.dt.date,
            "issued": 1,
            "called": called.astype(int),
            "wait_sum": wait,
            "within_target": (called & (wait <= t["target_wait_seconds"])).astype(int),
            "finished": finished.astype(int),
            "service_n": timed.astype(int),
            "service_sum": svc,
            "no_show": (t["status"] == "no_show").astype(int),
            "diverted": (t["status"] == "diverted").astype(int),
            "evaluated": (finished & t["rating"].notna()).astype(int),
            "satisfied": (finished & (t["rating"] == "satisfied")).astype(int),
            "basically_satisfied": (finished & (t["rating"] == "basically_satisfied")).astype(int),
            **{name: (bucket == i).astype(int) for i, name in enumerate(catalogue.HIST_PARTS)},
        }
    )
    grouped = frame.groupby(["unit_id", "month"], sort=False).sum().reset_index()
    return as_parts(grouped.to_dict("records"))


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


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
    mine, t_ours = timed(ours, tglob, eglob)
    peak_ours = peak_gib()
    theirs, t_sql = timed(hand, tglob, eglob)
    assert mine == theirs, "ours and hand-written SQL differ"
    print(
        f"[measures_scale] {args.rows:,} rows, {len(mine)} outlet-months: ours (Ibis on DuckDB) {t_ours:.2f} s, "
        f"hand-written DuckDB SQL {t_sql:.2f} s, ratio {t_ours / t_sql:.2f} (goal <= 1.3); "
        f"peak RSS after ours {peak_ours:.2f} GiB (before {before:.2f}; goal <= 4)"
    )
    files = sorted((directory / "tickets").glob("*.parquet"))
    subset_rows = min(args.pandas_rows, args.rows)
    subset_files = files[: -(-subset_rows // CHUNK)]
    efiles = sorted((directory / "evaluations").glob("*.parquet"))[: len(subset_files)]
    sub_t = "read_parquet([" + ", ".join(f"'{p}'" for p in subset_files) + "])"
    sub_e = "read_parquet([" + ", ".join(f"'{p}'" for p in efiles) + "])"
    mine_sub, t_ours_sub = timed(ours, sub_t, sub_e)
    pandas_parts, t_pandas = timed(with_pandas, subset_files, efiles, subset_rows)
    assert mine_sub == pandas_parts, "ours and pandas differ"
    print(
        f"[measures_scale] {subset_rows:,} rows: ours {t_ours_sub:.2f} s, pandas {t_pandas:.2f} s, "
        f"ours is {t_pandas / t_ours_sub:.1f}x faster (goal >= 10); results identical"
    )
    if args.dir is None:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
