from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core.errors import DomainError
from fuwu.core.models import User
from fuwu.core.principals import Principal, system
from fuwu.measures import catalogue, facts, reports, selectors


class Command(BaseCommand):
    help = "Print the figures the dashboards show, per unit of one level for one period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--level", default="outlet", choices=sorted(selectors.LEVELS))
        parser.add_argument(
            "--period", default=None, help="2026-10, 2026-Q4, 2026, 2026-10-05 or a..b (default: this month)"
        )
        parser.add_argument(
            "--measure", action="append", default=[], help="measure id (repeatable; default all)"
        )
        parser.add_argument("--format", default="table", choices=["table", "csv", "json"])
        parser.add_argument("--user", default=None, help="show only what this user may see")
        parser.add_argument(
            "--source",
            default="rollups",
            choices=["rollups", "facts"],
            help="rollups (as the dashboards) or the raw facts through Ibis on DuckDB",
        )
        parser.add_argument(
            "--parquet", type=Path, default=None, help="with --source facts: a `fuwu export facts` folder"
        )
        parser.add_argument("--list", action="store_true", help="list the catalogue and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            for m in catalogue.MEASURES:
                self.stdout.write(
                    f"{m.id:<32} {m.unit:<6} {m.direction:<7} {m.name_zh} / {m.name}: {m.definition}"
                )
            return
        # The person at the server's console sees every unit, as the platform itself; --user reads as one user.
        principal: Principal = system("console")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {opts['user']!r}")
            principal = user
        try:
            period = selectors.parse_period(opts["period"] or selectors.current_month())
            ids = opts["measure"] or [m.id for m in catalogue.MEASURES]
            for measure_id in ids:
                catalogue.get(measure_id)
            units = selectors.units_at_level(opts["level"], fetched_by=principal)
            if opts["source"] == "facts":
                from fuwu.measures import definitions  # ibis and DuckDB: only for this source

                tables = (
                    definitions.duckdb_parquet(opts["parquet"])
                    if opts["parquet"]
                    else definitions.duckdb_tables(facts.arrow_tables(period.start, period.end, None))
                )
                table = reports.raw_level_table(tables, units, period, ids)
            else:
                table = selectors.level_table(opts["level"], period, ids, fetched_by=principal)
        except DomainError as exc:
            details = "; ".join(str(d.get("reason")) for d in exc.details or [])
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        rows = [{"code": r["unit"].code, "label": r["unit"].name, "values": r["values"]} for r in table]
        if opts["format"] == "csv":
            self.stdout.write(reports.as_csv(rows, ids), ending="")
        elif opts["format"] == "json":
            self.stdout.write(reports.as_json(rows, ids, period))
        else:
            self.stdout.write(f"{period.label} ({period.start} – {period.end}), level {opts['level']}")
            self.stdout.write(reports.as_table(rows, ids))
