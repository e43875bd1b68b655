from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

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
        # Commands run in settings.LANGUAGE_CODE (Chinese), like the pages: the person at the console reads
        # the same words as on screen, with each bad row as 第 N 行.
        if kind not in registry:
            raise CommandError(
                _("unknown import kind %(kind)s; choose from %(kinds)s")
                % {"kind": repr(kind), "kinds": ", ".join(sorted(registry))}
            )
        path: Path = opts["path"]
        if not path.exists():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        try:
            summary = registry[kind](path, self.stdout)
        except DomainError as exc:
            raise CommandError("\n".join(problem_lines(path, exc))) from exc
        self.stdout.write(str(summary))


def problem_lines(path: Path, exc: DomainError) -> list[str]:
    """Why a file was refused: a heading, the importer's message, then one line per bad row or column."""
    lines = [_("Nothing was imported from %(path)s.") % {"path": path}, str(exc.message)]
    for d in exc.details or []:
        values = {"row": d.get("row"), "field": d.get("field"), "reason": d.get("reason")}
        if values["row"] and values["field"]:
            line = _("line %(row)s, %(field)s: %(reason)s") % values
        elif values["row"]:
            line = _("line %(row)s: %(reason)s") % values
        elif values["field"]:
            line = _("%(field)s: %(reason)s") % values
        else:
            line = str(values["reason"])
        lines.append(f"  {line}")
    return lines
