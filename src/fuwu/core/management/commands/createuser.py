from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core import services
from fuwu.core.errors import DomainError
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM
from fuwu.core.roles import ROLES


class Command(BaseCommand):
    help = "Create a staff member in an org unit with one or more roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="Org unit code (e.g. an outlet code).")
        parser.add_argument("--name", default="", help="Display name, e.g. 张伟.")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=[r.code for r in ROLES],
            help="Repeat for several roles.",
        )
        parser.add_argument("--staff-code", default=None)
        parser.add_argument("--password", default=None, help="Prompted for when omitted.")
        parser.add_argument("--superuser", action="store_true", help="Also a Django admin superuser.")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = OrgUnit.objects.filter(code=opts["org"]).first()
        if unit is None:
            raise CommandError(f"--org: no org unit with code {opts['org']!r}")
        password = opts["password"] or getpass.getpass("Password: ")
        try:
            user = services.staff_create(
                actor=SYSTEM,
                org_unit=unit,
                username=opts["username"],
                display_name=opts["name"],
                roles=opts["role"],
                password=password,
                staff_code=opts["staff_code"],
                is_superuser=opts["superuser"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}") from exc
        self.stdout.write(
            f"created {user.username} at {unit.code} with roles {', '.join(opts['role']) or '-'}"
        )
