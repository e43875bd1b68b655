"""`fuwu outlets [--json]`: outlet codes with their counters and the businesses each counter serves."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fuwu.core.models import OrgUnit
from fuwu.floor.models import Counter, ServiceType


def outlet_rows() -> list[dict[str, Any]]:
    catalogue: dict[int, list[ServiceType]] = {}
    for s in ServiceType.objects.filter(is_active=True):
        catalogue.setdefault(s.outlet_id, []).append(s)
    counters: dict[int, list[Counter]] = {}
    for c in Counter.objects.order_by("outlet_id", "number"):
        counters.setdefault(c.outlet_id, []).append(c)
    rows = []
    for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET).order_by("code"):
        offered = catalogue.get(unit.pk, [])
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "services": [{"code": s.code, "name": s.name, "prefix": s.prefix} for s in offered],
                "counters": [
                    {
                        "code": c.code,
                        "number": c.number,
                        "kind": c.kind,
                        "services": [s.code for s in offered if c.kind in s.counter_kind_list],
                    }
                    for c in counters.get(unit.pk, [])
                ],
            }
        )
    return rows


class Command(BaseCommand):
    help = "List outlet codes with their counters and services (for device setup and load tests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **opts: Any) -> None:
        rows = outlet_rows()
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(
                f"{row['code']:<10} {row['name']}  "
                f"{' '.join(s['prefix'] + ':' + s['code'] for s in row['services'])}"
            )
            for c in row["counters"]:
                self.stdout.write(
                    f"    {c['code']:<14} #{c['number']:<3} {c['kind']:<12} {','.join(c['services'])}"
                )
