"""Kiosk ticket issue during a large import on SQLite (WAL, the settings `make demo` runs) — #18.

One process, the real API through Django's test client: first a baseline of kiosk `POST /outlets/{code}/tickets`
calls for --baseline seconds, then the same calls while `fuwu import events` (or `transcripts`, `survey` or
`customers`, with --kind) of --rows rows runs in another thread (its own connection, as a second process would
have). Prints p50/p99 of both, the ratio, the number of failed calls (5xx or "database is locked"), the import's
own time and cost per row and how long its closing (publishing) transaction held the database. Goal: during the
import, p99 <= 2 s and no failure.
A customers file has an ID and a phone number on every line; --existing of its customers are loaded first
(straight into the table, not timed), so the import updates those and creates the rest, as a nightly file does.
Run: .venv/bin/python bench/import_kiosk.py [--kind events] [--rows 200000] [--existing 0.5] [--baseline 15]
[--pause 0.05]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def write_events(path: Path, rows: int) -> None:
    """`rows` served tickets of outlet KIOSK over past days, ~400 a day (a busy outlet's year or so)."""
    start = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "ticket_id",
                "outlet_code",
                "service_code",
                "counter_code",
                "staff_code",
                "customer_tier",
                "issued_at",
                "called_at",
                "started_at",
                "finished_at",
                "outcome",
                "evaluation",
            ]
        )
        for i in range(rows):
            issued = start + dt.timedelta(days=i // 400, seconds=60 * (i % 400))
            out.writerow(
                [
                    f"B{i:07d}",
                    "KIOSK",
                    "CASH",
                    "",
                    "",
                    "normal",
                    issued.isoformat(),
                    (issued + dt.timedelta(minutes=10)).isoformat(),
                    (issued + dt.timedelta(minutes=11)).isoformat(),
                    (issued + dt.timedelta(minutes=16)).isoformat(),
                    "served",
                    "satisfied" if i % 3 else "",
                ]
            )


# One call in ten says a forbidden phrase, each opening a rectification task (and notifying the outlet head).
TRANSCRIPTS = ("您好，请稍等，马上为您查询。再见", "您好，这个不归我管，你去柜台问。再见")


def write_transcripts(path: Path, rows: int) -> None:
    """`rows` calls of agent KIOSK01 over past days, ~400 a day."""
    start = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["call_id", "agent", "time", "text"])
        for i in range(rows):
            at = start + dt.timedelta(days=i // 400, seconds=60 * (i % 400))
            out.writerow([f"T{i:07d}", "KIOSK01", at.isoformat(), TRANSCRIPTS[i % 10 == 0]])


def write_survey(path: Path, rows: int) -> None:
    """`rows` answers at outlet KIOSK over past days; one in five a detractor (a follow-up each)."""
    start = dt.date(2025, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["response_id", "outlet_code", "date", "nps", "service_csat", "overall_csat", "comment"])
        for i in range(rows):
            day = start + dt.timedelta(days=i // 400)
            out.writerow([f"S{i:07d}", "KIOSK", day.isoformat(), 3 if i % 5 == 0 else 9, 4, 4, "排队有点久"])


def customer_line(i: int) -> list[str]:
    from fuwu.core import pii

    first17 = f"110108{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return [
        f"C{i:08d}",
        f"客户{i}",
        "KIOSK",
        first17 + pii.id_check_char(first17),
        f"139{i:08d}",
        f"北京市海淀区{i}号",
    ]


def write_customers(path: Path, rows: int) -> None:
    """`rows` customers of outlet KIOSK, each with an ID and a phone number (both protected on import)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_no", "name", "outlet", "id_number", "phone", "address"])
        for i in range(rows):
            out.writerow(customer_line(i))


def seed_customers(outlet: Any, count: int) -> None:
    """The first `count` customers of the file as they were before it (older names, no identifiers)."""
    from fuwu.core import clock
    from fuwu.customers.models import Customer

    now = clock.now()
    for start in range(0, count, 5000):
        Customer.objects.bulk_create(
            [
                Customer(customer_no=f"C{i:08d}", name=f"旧名{i}", home_outlet=outlet, created_at=now)
                for i in range(start, min(count, start + 5000))
            ]
        )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


class Kiosk:
    def __init__(self, token: str) -> None:
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        self.failures: dict[str, int] = {}

    def run(self, until: Any, pause: float) -> list[float]:
        """Issue tickets one after another until `until()` is true; the latency of each call."""
        from django.db import connection

        latencies: list[float] = []
        try:
            while not until():
                started = time.perf_counter()
                try:
                    res = self.client.post(
                        "/api/v1/outlets/KIOSK/tickets",
                        {"service_code": "CASH"},
                        content_type="application/json",
                        secure=True,  # production settings redirect plain HTTP
                        headers={"Idempotency-Key": str(uuid.uuid4())},
                    )
                    status = str(res.status_code)
                except Exception as exc:  # the bench counts every kind of failure
                    status = f"{type(exc).__name__}: {exc}"[:80]
                latencies.append(time.perf_counter() - started)
                if status != "201":
                    self.failures[status] = self.failures.get(status, 0) + 1
                time.sleep(pause)
        finally:
            connection.close()
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=("events", "transcripts", "survey", "customers"), default="events")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--existing", type=float, default=0.5, help="customers: share of the file's customers already known"
    )
    parser.add_argument(
        "--baseline", type=float, default=15.0, help="seconds of kiosk calls without the import"
    )
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between a kiosk's calls")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="fuwu-import-kiosk-"))
    os.environ["FUWU_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    from fuwu.core import services as core
    from fuwu.core.principals import SYSTEM
    from fuwu.floor import services as floor
    from fuwu.floor.models import Ticket
    from fuwu.measures.importers import import_events

    ho = core.org_unit_create(actor=SYSTEM, parent=None, code="HO", name="总行", kind="head_office")
    outlet = core.org_unit_create(actor=SYSTEM, parent=ho, code="KIOSK", name="压测网点", kind="outlet")
    floor.service_type_save(
        actor=SYSTEM, outlet=outlet, code="CASH", name="个人现金存取", prefix="A", counter_kinds=["high"]
    )
    _, token = core.device_token_issue(actor=SYSTEM, org_unit=outlet, kind="kiosk")
    from fuwu.core import batches, roles
    from fuwu.customers.importers import import_customers
    from fuwu.customers.models import Customer
    from fuwu.feedback.importers import import_survey
    from fuwu.knowledge.importers import import_transcripts

    core.staff_create(
        actor=SYSTEM,
        org_unit=outlet,
        username="kiosk01",
        display_name="坐席",
        roles=[roles.TELLER],
        staff_code="KIOSK01",
    )
    core.staff_create(
        actor=SYSTEM, org_unit=outlet, username="kioskhead", display_name="主任", roles=[roles.OUTLET_HEAD]
    )
    writers = {
        "events": write_events,
        "transcripts": write_transcripts,
        "survey": write_survey,
        "customers": write_customers,
    }
    importer = {
        "events": import_events,
        "transcripts": import_transcripts,
        "survey": import_survey,
        "customers": import_customers,
    }[args.kind]
    events = data / f"{args.kind}.csv"
    writers[args.kind](events, args.rows)
    if args.kind == "customers":
        seed_customers(outlet, int(args.rows * args.existing))
    # How long the closing transaction holds the database: from publishing the batch to its commit.
    publish = batches.import_batch_publish
    held: dict[str, float] = {}

    def timed_publish(**kwargs: Any) -> None:
        from django.db import transaction

        started = time.perf_counter()
        transaction.on_commit(lambda: held.setdefault("publish", time.perf_counter() - started))
        publish(**kwargs)

    batches.import_batch_publish = timed_publish  # type: ignore[assignment]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    connection.close()
    print(
        f"SQLite {data / 'fuwu.sqlite3'} journal_mode={journal}; {args.rows} rows, {events.stat().st_size >> 20} MB"
    )

    kiosk = Kiosk(token)
    t0 = time.perf_counter()
    baseline = kiosk.run(lambda: time.perf_counter() - t0 > args.baseline, args.pause)
    base_failures = dict(kiosk.failures)
    kiosk.failures.clear()

    result: dict[str, Any] = {}

    def run_import() -> None:
        started = time.perf_counter()
        try:
            result["summary"] = importer(events)
        except Exception as exc:  # reported below, the bench goes on
            result["summary"] = f"FAILED {type(exc).__name__}: {exc}"[:200]
        finally:
            result["seconds"] = time.perf_counter() - started
            connection.close()

    worker = threading.Thread(target=run_import)
    worker.start()
    during = kiosk.run(lambda: not worker.is_alive(), args.pause)
    worker.join()

    print(
        f"import: {result['summary']} in {result['seconds']:.1f} s "
        f"({result['seconds'] / args.rows * 1000:.2f} ms/row, checking included); publishing transaction held "
        f"{held.get('publish', float('nan')) * 1000:.0f} ms; tickets now {Ticket.objects.count()}, "
        f"customers {Customer.objects.count()}"
    )
    for name, values, failures in (
        ("baseline", baseline, base_failures),
        ("during import", during, kiosk.failures),
    ):
        print(
            f"{name:>14}: {len(values)} kiosk calls, p50 {pct(values, 0.5):.0f} ms, p99 {pct(values, 0.99):.0f} ms, "
            f"max {max(values) * 1000:.0f} ms, failures {failures or 0}"
        )
    shutil.rmtree(data, ignore_errors=True)
    ratio = pct(during, 0.99) / pct(baseline, 0.99)
    p99 = pct(during, 0.99)
    print(
        f"p99 ratio during/baseline: {ratio:.1f}x; goal p99 <= 2000 ms and 0 failures: "
        f"{'MET' if p99 <= 2000 and not kiosk.failures else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
