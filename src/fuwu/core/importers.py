"""`fuwu import calendar FILE.csv`: next year's holiday schedule, typed in when it is published."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from fuwu.core import services
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import CalendarDay
from fuwu.core.principals import SYSTEM


def import_calendar(path: Path, out: TextIO | Any = None) -> str:
    """CSV with columns date,kind,name (kind: holiday|workday); validated whole, then applied atomically."""
    problems: list[dict[str, Any]] = []
    rows: list[tuple[dt.date, str, str]] = []
    seen: set[dt.date] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"date", "kind"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationFailed(
                "Missing columns.",
                details=[{"row": 1, "field": m, "reason": "missing column"} for m in sorted(missing)],
            )
        for line, record in enumerate(reader, start=2):
            try:
                day = dt.date.fromisoformat((record.get("date") or "").strip())
            except ValueError:
                problems.append(
                    {"row": line, "field": "date", "reason": f"not a date: {record.get('date')!r}"}
                )
                continue
            kind = (record.get("kind") or "").strip()
            if kind not in CalendarDay.Kind.values:
                problems.append(
                    {"row": line, "field": "kind", "reason": f"must be holiday or workday, got {kind!r}"}
                )
                continue
            if day in seen:
                problems.append({"row": line, "field": "date", "reason": f"{day} appears twice"})
                continue
            if kind == "workday" and day.weekday() < 5:
                problems.append({"row": line, "field": "kind", "reason": f"{day} is a weekday already"})
                continue
            seen.add(day)
            rows.append((day, kind, (record.get("name") or "").strip()))
    if problems:
        raise ValidationFailed("The calendar file has errors.", details=problems)
    with transaction.atomic():
        for day, kind, name in rows:
            services.calendar_day_set(actor=SYSTEM, date=day, kind=kind, name=name)
    return f"imported {len(rows)} calendar days"


IMPORTERS = {"calendar": import_calendar}
