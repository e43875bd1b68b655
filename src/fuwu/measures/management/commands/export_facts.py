"""`fuwu export-facts`: the earlier name of `fuwu export facts`, kept so existing scripts keep working."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fuwu.core import clock
from fuwu.measures.exporters import export_facts


class Command(BaseCommand):
    help = "Same as `fuwu export facts`: write the raw facts as Parquet for any engine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="folder for the .parquet files")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        end = opts["end"] or clock.today()
        start = opts["start"] or end.replace(month=1, day=1)
        self.stdout.write(export_facts(opts["out"], start, end))
