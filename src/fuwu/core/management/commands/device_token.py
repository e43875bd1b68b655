from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core import services
from fuwu.core.errors import DomainError
from fuwu.core.models import DeviceToken, OrgUnit
from fuwu.core.principals import SYSTEM


class Command(BaseCommand):
    help = "Issue a device bearer token (printed alone), list tokens, or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outlet", help="Outlet (org unit) code the device belongs to.")
        parser.add_argument("--kind", choices=DeviceToken.Kind.values)
        parser.add_argument("--counter", default="", help="Counter code (required for counter and pad).")
        parser.add_argument("--name", default="")
        parser.add_argument("--list", action="store_true", help="List tokens (never the secret).")
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token starting with PREFIX.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            rows = [
                {
                    "prefix": t.prefix,
                    "kind": t.kind,
                    "outlet": t.org_unit.code,
                    "counter": t.counter_code,
                    "name": t.name,
                    "revoked": t.revoked_at is not None,
                }
                for t in DeviceToken.objects.select_related("org_unit").order_by("created_at")
            ]
            if opts["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False))
            else:
                for r in rows:
                    self.stdout.write(
                        f"{r['prefix']}…  {r['kind']:<9}{r['outlet']:<10}{r['counter']:<8}"
                        f"{'revoked' if r['revoked'] else 'active'}  {r['name']}"
                    )
            return
        if opts["revoke"]:
            matches = list(DeviceToken.objects.filter(prefix__startswith=opts["revoke"]))
            if len(matches) != 1:
                raise CommandError(
                    f"--revoke: {len(matches)} tokens match {opts['revoke']!r}; give a longer prefix"
                )
            services.device_token_revoke(actor=SYSTEM, token=matches[0])
            self.stdout.write(f"revoked {matches[0].prefix}…")
            return
        if not opts["outlet"] or not opts["kind"]:
            raise CommandError("--outlet and --kind are required to issue a token")
        unit = OrgUnit.objects.filter(code=opts["outlet"]).first()
        if unit is None:
            raise CommandError(f"--outlet: no org unit with code {opts['outlet']!r}")
        try:
            _token, raw = services.device_token_issue(
                actor=SYSTEM,
                org_unit=unit,
                kind=opts["kind"],
                counter_code=opts["counter"],
                name=opts["name"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}") from exc
        self.stdout.write(raw)
