"""Q6: how wrong are estimated waits? Ours (policy replay) against the naive one, on simulated business days.

Runs N simulated days at a medium and a large outlet through the real floor services on a throw-away SQLite
database, records both estimates at issue time and the real wait when the ticket is called, and prints the
mean absolute error of each and their ratio (goal: ours / naive < 1).
Run: .venv/bin/python bench/wait_estimate.py [--days 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time


def setup_django(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.path.join(tmp, "bench.sqlite3"))
        from fuwu.core import services as core
        from fuwu.floor import catalogue
        from fuwu.floor.simulate import DAILY_VOLUME, simulate_day

        core.calendar_seed_from_package(actor=None, years=[2026])
        ho = core.org_unit_create(actor=None, parent=None, code="HO", name="总行", kind="head_office")
        rows = []
        t0 = time.perf_counter()
        for size in ("medium", "large"):
            outlet = core.org_unit_create(actor=None, parent=ho, code=f"O-{size}", name=size, kind="outlet")
            catalogue.install(actor=None, outlet=outlet, size=size)
            day = dt.date(2026, 3, 2)
            for n in range(args.days):
                result = simulate_day(
                    outlet=outlet,
                    day=day,
                    rng=random.Random(100 + n),
                    measure=True,
                    volume=DAILY_VOLUME[size],
                )
                ours, naive, count = result.wait_errors()
                rows.append((size, day, ours, naive, count))
                print(
                    f"[wait] {size:<6} {day}  n={count:<4} ours MAE {ours:7.1f} s   naive MAE {naive:7.1f} s",
                    flush=True,
                )
                day += dt.timedelta(days=1)
        total = sum(r[4] for r in rows)
        ours_all = sum(r[2] * r[4] for r in rows) / total
        naive_all = sum(r[3] * r[4] for r in rows) / total
        print(f"[wait] {len(rows)} simulated days, {total} called tickets, {time.perf_counter() - t0:.0f} s")
        print(
            f"[wait] mean absolute error: ours {ours_all:.1f} s, naive {naive_all:.1f} s, "
            f"ratio ours/naive = {ours_all / naive_all:.2f} (goal < 1)"
        )
        if ours_all >= naive_all:
            sys.exit(1)


if __name__ == "__main__":
    main()
