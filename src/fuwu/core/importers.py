"""`fuwu import calendar FILE.csv`: next year's holiday schedule, typed in when it is published."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.core import services
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import CalendarDay
from fuwu.core.principals import SYSTEM
from fuwu.core.tabular import read_table, too_long


def import_calendar(path: Path, out: TextIO | Any = None) -> str:
    """CSV with columns date,kind,name (kind: holiday|workday); validated whole, then applied atomically."""
    problems: list[dict[str, Any]] = []
    rows: list[tuple[dt.date, str, str]] = []
    seen: set[dt.date] = set()
    table = read_table(path, required=("date", "kind"))
    name_limit = CalendarDay._meta.get_field("name").max_length or 0
    for line, record in table.rows:
        try:
            day = dt.date.fromisoformat(record.get("date", ""))
        except ValueError:
            problems.append(
                {"row": line, "field": "date", "reason": _("not a date: %(v)s") % {"v": record.get("date")}}
            )
            continue
        kind = record.get("kind", "")
        if kind not in CalendarDay.Kind.values:
            problems.append(
                {
                    "row": line,
                    "field": "kind",
                    "reason": _("must be holiday or workday, not %(v)s") % {"v": kind},
                }
            )
            continue
        if day in seen:
            problems.append(
                {"row": line, "field": "date", "reason": _("%(day)s appears twice") % {"day": day}}
            )
            continue
        if kind == "workday" and day.weekday() < 5:
            problems.append(
                {"row": line, "field": "kind", "reason": _("%(day)s is a weekday already") % {"day": day}}
            )
            continue
        name = record.get("name", "")
        if problem := too_long(name, name_limit, row=line, field="name"):
            problems.append(problem)
            continue
        seen.add(day)
        rows.append((day, kind, name))
    if problems:
        raise ValidationFailed(_("The calendar file has errors."), details=problems)
    if not rows:
        raise ValidationFailed(
            _("The file has no rows to import."), details=[{"row": None, "field": "file", "reason": "empty"}]
        )
    with transaction.atomic():
        for day, kind, name in rows:
            services.calendar_day_set(actor=SYSTEM, date=day, kind=kind, name=name)
    return _("imported %(count)s calendar days") % {"count": len(rows)}


IMPORTERS = {"calendar": import_calendar}
