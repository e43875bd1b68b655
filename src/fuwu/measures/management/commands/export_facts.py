from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fuwu.core import clock
from fuwu.measures import facts


class Command(BaseCommand):
    help = (
        "Write the raw facts (tickets, evaluations, complaints, units, calendar) as Parquet for any engine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="folder for the .parquet files")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        end = opts["end"] or clock.today()
        start = opts["start"] or end.replace(month=1, day=1)
        written = facts.export_parquet(opts["out"], start, end)
        self.stdout.write(", ".join(f"{name}: {n} rows" for name, n in written.items()) + f" → {opts['out']}")
