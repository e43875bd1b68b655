"""`fuwu export KIND --out DIR`: write data for other tools; each app adds kinds in its exporters.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core import clock
from fuwu.core.discovery import registry
from fuwu.core.errors import DomainError


def exporters() -> dict[str, Any]:
    """Every app's exporters: fuwu/<app>/exporters.py defines EXPORTERS = {kind: callable(out, start, end)}.

    The callable writes into the folder `out` what falls on business dates start..end and returns a
    one-line summary.
    """
    return registry("exporters", "EXPORTERS")


def add_window_arguments(parser: CommandParser) -> None:
    """--out, --from and --to: what every export takes (an app's alias for one kind reuses them)."""
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--from", dest="start", type=dt.date.fromisoformat, default=None, help="first business date"
    )
    parser.add_argument(
        "--to", dest="end", type=dt.date.fromisoformat, default=None, help="last (default today)"
    )


class Command(BaseCommand):
    help = "Export data for other tools into a folder (see `fuwu export --help` for the kinds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What to export: " + ", ".join(sorted(exporters())))
        add_window_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        registry = exporters()
        kind = opts["kind"]
        if kind not in registry:
            raise CommandError(f"unknown export kind {kind!r}; choose from {', '.join(sorted(registry))}")
        end = opts["end"] or clock.today()
        start = opts["start"] or end.replace(month=1, day=1)
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        try:
            summary = registry[kind](opts["out"], start, end)
        except DomainError as exc:
            details = "; ".join(str(d.get("reason")) for d in exc.details or [])
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(str(summary))
