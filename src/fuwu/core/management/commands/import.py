from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core.discovery import registry
from fuwu.core.errors import DomainError


def importers() -> dict[str, Any]:
    """Every app's importers: fuwu/<app>/importers.py defines IMPORTERS = {kind: callable(path, stdout)}."""
    return registry("importers", "IMPORTERS")


class Command(BaseCommand):
    help = "Import a data file; the whole file or nothing. Kinds: " + "see `fuwu import --help`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What the file holds: " + ", ".join(sorted(importers())))
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        registry = importers()
        kind = opts["kind"]
        if kind not in registry:
            raise CommandError(f"unknown import kind {kind!r}; choose from {', '.join(sorted(registry))}")
        path: Path = opts["path"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            summary = registry[kind](path, self.stdout)
        except DomainError as exc:
            lines = [f"{path}: {exc.message} Nothing was imported."]
            for d in exc.details or []:
                where = f"line {d['row']}" if d.get("row") else ""
                lines.append(f"  {where} {d.get('field') or ''}: {d.get('reason')}".rstrip())
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(str(summary))
