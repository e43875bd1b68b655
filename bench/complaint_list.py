"""The complaint list at a bank's volume (#19): queries and time per page on 100k complaints, SQLite and PostgreSQL.

    .venv/bin/python bench/complaint_list.py [--rows 100000] [--runs 15] [--postgres postgres://postgres@127.0.0.1:5432/NAME]

Each backend runs in its own process (settings read DATABASE_URL once): a fresh database is migrated, 100k
SYNTHETIC complaints are bulk-written over 12 outlets (a smoke-scale stand-in for a bank's case table, not real
data), and the real page — `GET /complaints/` through Django's test client, as a head-office manager (every
outlet) and as a tier-2 complaint handler — is timed: the first page, a deep page, a text search, "mine", the
overdue filter. The baseline, in the same process on the same rows, is the smallest read a list page can do:
one `SELECT … LIMIT 50` of the same columns, unscoped, uncounted. The ratio says what scoping, need-to-know,
ordering, the total count and rendering cost on top. A PostgreSQL database given with --postgres is created
(with the suffix _bench) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", default="", help="a server URL; the database NAME_bench is created")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _run(args.child, args.rows, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        urls = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        if args.postgres:
            urls.append(("PostgreSQL", _postgres(args.postgres)))
        for name, url in urls:
            print(f"== {name}: {args.rows} complaints", flush=True)
            env = {**os.environ, "DATABASE_URL": url, "FUWU_DATA_DIR": tmp, "PYTHONPATH": str(ROOT / "src")}
            cmd = [
                sys.executable,
                __file__,
                "--child",
                url,
                "--rows",
                str(args.rows),
                "--runs",
                str(args.runs),
            ]
            try:
                subprocess.run(cmd, env=env, check=True)
            finally:
                if name == "PostgreSQL":
                    _drop(url)


def _postgres(server: str) -> str:
    import psycopg

    base, _slash, name = server.rpartition("/")
    bench = f"{name or 'fuwu'}_bench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench}"')
        conn.execute(f'CREATE DATABASE "{bench}"')
    return f"{base}/{bench}"


def _drop(url: str) -> None:
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(url: str, rows: int, runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    who = _world(rows)
    print(f"   built in {time.perf_counter() - started:.0f}s", flush=True)
    _measure(who, runs)


def _world(rows: int) -> dict[str, Any]:
    import random

    from fuwu.complaints.models import OPEN_STATUSES, Complaint
    from fuwu.core import clock, roles, services
    from fuwu.core.principals import SYSTEM

    ho = services.org_unit_create(actor=SYSTEM, parent=None, code="HO", name="总行", kind="head_office")
    outlets = []
    for b in range(2):
        t1 = services.org_unit_create(actor=SYSTEM, parent=ho, code=f"T{b}", name=f"分行{b}", kind="tier1")
        for c in range(2):
            t2 = services.org_unit_create(
                actor=SYSTEM, parent=t1, code=f"T{b}{c}", name=f"支行{b}{c}", kind="tier2"
            )
            for o in range(3):
                outlets.append(
                    services.org_unit_create(
                        actor=SYSTEM, parent=t2, code=f"O{b}{c}{o}", name=f"网点{b}{c}{o}", kind="outlet"
                    )
                )

    def person(name: str, unit: Any, role: str) -> Any:
        return services.staff_create(
            actor=SYSTEM,
            org_unit=unit,
            username=name,
            display_name=name,
            roles=[role],
            password="bench-pass-1",
        )

    hq = person("hq", ho, roles.HQ_MANAGER)
    handler = person("handler", outlets[0].get_parent(), roles.COMPLAINT_HANDLER)
    rng = random.Random(19)
    now = clock.now()
    statuses = ["registered", "in_progress", "decided", "replied", "closed"]
    weights = [1, 3, 1, 1, 14]  # most cases of a year are closed
    batch = []
    for i in range(rows):
        received = now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        status = rng.choices(statuses, weights)[0]
        batch.append(
            Complaint(
                reference=f"BENCH{i:08d}",
                outlet=outlets[i % len(outlets)],
                source="counter",
                received_at=received,
                due_at=received + dt.timedelta(days=15),
                closed_at=received + dt.timedelta(days=rng.randint(1, 20)) if status == "closed" else None,
                status=status,
                # Bulk-written: the open flag the state machine sets with every move of the status (#19).
                is_open=status in OPEN_STATUSES,
                severity="normal",
                channel_code="A01",
                category_code="B01",
                reason_code="C01",
                content=f"客户反映第{i}号业务办理等候时间过长，要求说明原因",
                complainant_name=f"客户{i}",
                handler=handler if i % 97 == 0 else None,
                handling_unit=outlets[i % len(outlets)],
            )
        )
        if len(batch) == 5000:
            Complaint.objects.bulk_create(batch)
            batch = []
    Complaint.objects.bulk_create(batch)
    return {"head office (all outlets)": hq, "tier-2 complaint handler": handler}


def _measure(who: dict[str, Any], runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from fuwu.complaints.models import Complaint

    def timed(call: Any) -> tuple[float, int]:
        call()  # warm
        seen: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        # Counted by a wrapper: the request cycle resets the connection's own query log.
        with connection.execute_wrapper(count):
            call()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000, len(seen)

    fields = ["id", "reference", "outlet_id", "received_at", "due_at", "status", "severity", "content"]
    base_ms, base_q = timed(lambda: list(Complaint.objects.order_by("-received_at").values(*fields)[:50]))
    print(f"   baseline (one unscoped SELECT … LIMIT 50): {base_ms:.1f} ms, {base_q} query", flush=True)
    asks = [
        ("first page", ""),
        ("page 500", "?page=500"),
        ("text search", "?q=客户1234"),
        ("mine", "?mine=1"),
        ("overdue", "?overdue=1"),
    ]
    for label, person in who.items():
        client = Client()
        client.force_login(person)
        for name, query in asks:
            response = client.get(f"/complaints/{query}")
            assert response.status_code == 200, (label, name, response.status_code)
            pager = re.search(
                r'data-testid="pager">\s*<span class="muted">\D*(\d+)', response.content.decode()
            )
            total = pager.group(1) if pager else "?"
            ms, queries = timed(lambda q=query, c=client: c.get(f"/complaints/{q}"))
            print(
                f"   {label:<26} {name:<12} {ms:7.1f} ms  {queries:2d} queries  "
                f"{ms / base_ms:6.1f}× baseline  ({total} in the list)",
                flush=True,
            )


if __name__ == "__main__":
    main()
