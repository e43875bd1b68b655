"""Dashboard render time on the demo's year of history (goal: p95 <= 200 ms per page).

Renders the HQ, tier-1, tier-2, outlet, staff and contact-centre dashboards for the whole year, a quarter and a
month through Django's test client against the database in DATABASE_URL (build it with `fuwu demo`), and prints
p50/p95 over all renders and the p95 of each page. Every render is a full request: nothing is cached between them.
The baseline in the same run is the same dashboard computed from the raw facts (Ibis on DuckDB), which is
what a page without rollups would have to do.
Run: DATABASE_URL=sqlite:///var/fuwu.sqlite3 .venv/bin/python bench/dashboard_render.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuwu.settings")
import django

django.setup()

from django.test import Client  # noqa: E402

from fuwu.core.models import OrgUnit, User  # noqa: E402
from fuwu.floor.models import Ticket  # noqa: E402
from fuwu.measures import catalogue, definitions, facts, selectors  # noqa: E402
from fuwu.measures.models import Rollup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    hq = User.objects.filter(username="hq").first()
    if hq is None or not Rollup.objects.exists():
        raise SystemExit(
            "no demo with rollups here: run `fuwu demo` first (DATABASE_URL selects the database)"
        )
    last = Ticket.objects.order_by("-business_date").values_list("business_date", flat=True).first()
    assert last is not None
    year_start = last - dt.timedelta(days=364)
    periods = [
        f"{year_start.isoformat()}..{last.isoformat()}",
        f"{last.year}-Q{(last.month - 1) // 3 + 1}",
        f"{last.year}-{last.month:02d}",
    ]
    outlet = OrgUnit.objects.filter(code="BJ-HD-01").first() or OrgUnit.objects.filter(kind="outlet").first()
    assert outlet is not None
    staff = User.objects.filter(org_unit=outlet, served_tickets__isnull=False).first()
    ancestors = list(OrgUnit.objects.get_ancestors(outlet))
    pages = {
        "HQ": {},
        "tier-1": {"unit": ancestors[1].pk},
        "tier-2": {"unit": ancestors[-1].pk},
        "outlet": {"unit": outlet.pk},
    }
    if staff is not None:
        pages["staff"] = {"staff": staff.pk}
    centre = OrgUnit.objects.filter(code="HO-CC").first()
    if centre is not None:
        pages["contact centre"] = {"unit": centre.pk}
    client = Client(SERVER_NAME="localhost")
    client.force_login(hq)
    times = []
    per_page: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.repeat):
        for period in periods:
            for name, params in pages.items():
                started = time.perf_counter()
                response = client.get("/measures/", {**params, "period": period}, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
                times.append(elapsed)
                per_page[name].append(elapsed)
                assert response.status_code == 200, response.status_code
    p95 = _p95(times)
    print(
        f"[dashboard_render] {Ticket.objects.count():,} tickets, {Rollup.objects.count():,} rollup rows; "
        f"{len(times)} renders ({', '.join(pages)} × year/quarter/month): "
        f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms (goal <= 200 ms)"
    )
    print(
        "[dashboard_render] p95 per page: "
        + ", ".join(f"{name} {_p95(page):.0f} ms" for name, page in per_page.items())
    )
    # Baseline: the HQ year's cards straight from the raw facts (what a page without rollups would do).
    started = time.perf_counter()
    tables = definitions.duckdb_tables(facts.arrow_tables(year_start, last))
    raw = catalogue.evaluate(catalogue.sum_parts(definitions.parts_frame(tables, [])))
    raw_ms = (time.perf_counter() - started) * 1000
    rolled = catalogue.evaluate(selectors.total(hq, hq.org_unit, year_start, last))
    assert raw["tickets_issued"] == rolled["tickets_issued"], (
        raw["tickets_issued"],
        rolled["tickets_issued"],
    )
    print(
        f"[dashboard_render] HQ year from raw facts (Ibis on DuckDB, reading the app DB): {raw_ms:.0f} ms — "
        f"the rolled-up page's p95 is {raw_ms / p95:.0f}x faster; same tickets_issued ({rolled['tickets_issued']:.0f})"
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


if __name__ == "__main__":
    main()
