"""The whole-bank quarterly briefing on the demo's year (goal: <= 20 s wall, <= 1 GiB peak, each PDF < 5 MB).

Builds briefing-<unit>-<quarter>.pdf and .xlsx for head office and each tier-1 branch as the HQ service
manager would (the page's background task runs exactly `services.briefing_run`), and prints wall and CPU
time, the process's peak RSS and each file's size. The baseline in the same run is the same briefings'
data alone (every figure, ranking, complaint and case read; no PDF or Excel written), so the ratio is
the cost of typesetting, charts and the workbook on top of the reads.
Run: FUWU_DATA_DIR=<folder of a `fuwu demo` database> .venv/bin/python bench/briefing.py [--quarter 2026-Q3]
(or DATABASE_URL=... for PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
import django

django.setup()

from fuwu.appraisal import briefing  # noqa: E402
from fuwu.core import clock  # noqa: E402
from fuwu.core.models import OrgUnit, User  # noqa: E402
from fuwu.measures.models import Rollup  # noqa: E402

GIB = 1024**3


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _last_quarter() -> str:
    today = clock.today()
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quarter", default=None, help="default: the last complete quarter")
    parser.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temp folder)")
    args = parser.parse_args()
    hq = User.objects.filter(username="hq").first()
    head = OrgUnit.objects.filter(kind="head_office").first()
    if hq is None or head is None or not Rollup.objects.exists():
        raise SystemExit("no demo with rollups here: run `fuwu demo` first (FUWU_DATA_DIR / DATABASE_URL)")
    quarter = args.quarter or _last_quarter()
    units = briefing.bank_units(hq, head)
    print(f"quarter {quarter}: head office + {len(units) - 1} tier-1 branches, as {hq.username}")

    # Warm imports (WeasyPrint, matplotlib, xlsxwriter) outside both timings: a worker process keeps them.
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    import matplotlib  # noqa: F401
    import weasyprint  # noqa: F401
    import xlsxwriter  # noqa: F401

    from fuwu.appraisal import pdf, xlsx  # noqa: F401

    rss_before = _peak_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    for unit in units:
        briefing.build(hq, unit=unit, quarter=quarter)
    t_base, c_base = time.perf_counter() - started, time.process_time() - cpu

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        started, cpu = time.perf_counter(), time.process_time()
        written = []
        for unit in units:
            written.extend(briefing.write(hq, unit=unit, quarter=quarter, out=folder))
        t_full, c_full = time.perf_counter() - started, time.process_time() - cpu
        peak = _peak_bytes()
        sizes = {p.name: p.stat().st_size for p in written}
    for name, size in sizes.items():
        print(f"  {name:<32} {size / 1024:8.0f} KiB")
    largest_pdf = max(s for n, s in sizes.items() if n.endswith(".pdf"))
    print(f"[baseline] data only ({len(units)} briefings): {t_base:.2f} s wall, {c_base:.2f} s cpu")
    print(
        f"[briefing] PDF + Excel for {len(units)} units: {t_full:.2f} s wall, {c_full:.2f} s cpu; "
        f"ratio to data only {t_full / t_base:.1f}x (cpu {c_full / c_base:.1f}x)"
    )
    print(
        f"[memory] peak RSS {peak / 2**20:.0f} MiB (before the run {rss_before / 2**20:.0f} MiB); "
        f"largest PDF {largest_pdf / 2**20:.2f} MiB"
    )
    ok = t_full <= 20 and peak <= GIB and largest_pdf < 5 * 2**20
    print(f"goals (<= 20 s, <= 1 GiB, PDF < 5 MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
