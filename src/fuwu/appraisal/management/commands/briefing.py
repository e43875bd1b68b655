"""`fuwu briefing --quarter 2026-Q3 [--unit CODE] [--user NAME] [--all] --out DIR`: the quarterly briefing files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core.errors import DomainError
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal, system


class Command(BaseCommand):
    help = "Write briefing-<unit>-<quarter>.pdf and .xlsx (the quarterly service briefing) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", required=True, help="e.g. 2026-Q3")
        parser.add_argument("--unit", default=None, help="unit code (default: head office)")
        parser.add_argument("--out", type=Path, required=True, help="folder for the files")
        parser.add_argument("--user", default=None, help="build as this user (only what they may see)")
        parser.add_argument(
            "--all", action="store_true", help="head office: also one briefing per tier-1 branch"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from fuwu.appraisal import briefing

        principal: Principal = system("briefing")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {opts['user']!r}")
            principal = user
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
        else:
            unit = OrgUnit.objects.filter(kind="head_office").order_by("path").first()
        if unit is None:
            raise CommandError(f"no unit {opts['unit'] or 'head office'!r}")
        units = briefing.bank_units(principal, unit) if opts["all"] else [unit]
        try:
            for each in units:
                for path in briefing.write(principal, unit=each, quarter=opts["quarter"], out=opts["out"]):
                    self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
        except DomainError as exc:
            details = "; ".join(str(d.get("reason")) for d in exc.details or [])
            raise CommandError(f"{exc.message} {details}".strip()) from exc
