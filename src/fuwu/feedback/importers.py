"""`fuwu import survey FILE.csv|FILE.xlsx`: third-party satisfaction survey results (F4).

Every row is checked before anything is stored, outside any transaction; one bad row means nothing is imported
and every problem is reported with its row number. The rows are then written in short transactions as one
import batch published at once (core.batches, #18), so the floor keeps its turn at the database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _

from fuwu.core import batches, clock
from fuwu.core.access import can_see_path
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM, Principal
from fuwu.core.tabular import read_table
from fuwu.feedback.services import (
    SURVEY_KIND,
    SURVEY_TABLES,
    SurveyRow,
    survey_batch_import,
    survey_responses_taken,
)

# Vendors deliver English or Chinese headers; both map to one column name.
COLUMNS = {
    "response_id": "response_id",
    "问卷编号": "response_id",
    "outlet_code": "outlet_code",
    "网点代码": "outlet_code",
    "date": "date",
    "日期": "date",
    "nps": "nps",
    "推荐意愿": "nps",
    "service_csat": "service_csat",
    "服务满意度": "service_csat",
    "overall_csat": "overall_csat",
    "总体满意度": "overall_csat",
    "comment": "comment",
    "意见": "comment",
}
REQUIRED = ("response_id", "outlet_code", "date")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-")
    # An Excel date cell reads as "2026-10-12 00:00:00".
    return dt.datetime.fromisoformat(text).date() if " " in text else dt.date.fromisoformat(text)


def _score(value: Any, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    number = float(str(value).strip())
    if not number.is_integer() or not low <= number <= high:
        raise ValueError
    return int(number)


def parse(path: Path, *, actor: Principal, org_unit: OrgUnit) -> list[SurveyRow]:
    """Validated rows of a survey file, or ValidationFailed listing every bad row."""
    table = read_table(path)
    header = table.columns
    names = [COLUMNS.get(h.lower(), COLUMNS.get(h, "")) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h, n in zip(header, names, strict=True) if h and not n]
    if missing or unknown:
        raise ValidationFailed(
            _("The file does not have the expected columns."),
            details=(
                [{"row": 1, "field": c, "reason": _("missing column")} for c in missing]
                + [{"row": 1, "field": h, "reason": _("unknown column")} for h in unknown]
            ),
        )
    outlets = {o.code: o for o in OrgUnit.objects.filter(kind="outlet", path__startswith=org_unit.path)}
    problems: list[dict[str, Any]] = []
    parsed: list[SurveyRow] = []
    seen: dict[str, int] = {}
    candidates: list[tuple[int, dict[str, Any]]] = []
    for line, raw in table.rows:
        record = {
            n: value for h, n in zip(header, names, strict=True) if n and (value := raw.get(h)) is not None
        }
        candidates.append((line, record))
    # A run that died long ago gives its ids back; one still running keeps them (they count as taken).
    batches.import_batches_discard_stale(actor=actor, kind=SURVEY_KIND, tables=SURVEY_TABLES)
    existing = set(survey_responses_taken([str(r.get("response_id") or "").strip() for _, r in candidates]))
    for line, record in candidates:
        row_problems = []
        rid = str(record.get("response_id") or "").strip()
        if not rid:
            row_problems.append({"row": line, "field": "response_id", "reason": _("empty")})
        elif len(rid) > 64:
            row_problems.append(
                {
                    "row": line,
                    "field": "response_id",
                    "reason": _("Enter at most %(max_length)s characters.") % {"max_length": 64},
                }
            )
        elif rid in seen:
            row_problems.append(
                {
                    "row": line,
                    "field": "response_id",
                    "reason": _("duplicate of row %(row)s") % {"row": seen[rid]},
                }
            )
        elif rid in existing:
            row_problems.append({"row": line, "field": "response_id", "reason": _("already imported")})
        else:
            seen[rid] = line
        outlet = outlets.get(str(record.get("outlet_code") or "").strip())
        if outlet is None or not can_see_path(actor, outlet.path):
            row_problems.append(
                {
                    "row": line,
                    "field": "outlet_code",
                    "reason": _("unknown outlet %(code)s") % {"code": repr(record.get("outlet_code"))},
                }
            )
        try:
            day = _date(record.get("date"))
            if day > clock.today():
                raise ValueError
        except (ValueError, TypeError):
            row_problems.append(
                {
                    "row": line,
                    "field": "date",
                    "reason": _("not a past date: %(value)s") % {"value": repr(record.get("date"))},
                }
            )
            day = None
        scores: dict[str, int | None] = {}
        for field, low, high in (("nps", 0, 10), ("service_csat", 1, 5), ("overall_csat", 1, 5)):
            try:
                scores[field] = _score(record.get(field), low, high)
            except ValueError:
                row_problems.append(
                    {
                        "row": line,
                        "field": field,
                        "reason": _("must be a whole number %(low)s–%(high)s") % {"low": low, "high": high},
                    }
                )
        if not row_problems and all(v is None for v in scores.values()):
            row_problems.append({"row": line, "field": "nps", "reason": _("no score in this row")})
        if row_problems:
            problems += row_problems
            continue
        assert outlet is not None and day is not None
        parsed.append(
            SurveyRow(
                rid,
                outlet,
                day,
                scores["nps"],
                scores["service_csat"],
                scores["overall_csat"],
                str(record.get("comment") or "").strip()[:1000],
            )
        )
    if not candidates:
        problems.append({"row": 2, "field": None, "reason": _("the file has no data rows")})
    if problems:
        raise ValidationFailed(
            _("%(count)s problem(s) in the survey file, first on line %(line)s; nothing was imported.")
            % {"count": len(problems), "line": problems[0]["row"]},
            details=problems,
        )
    return parsed


def survey_import_file(
    path: Path, *, actor: Principal, org_unit: OrgUnit, file_name: str, provider: str = ""
) -> str:
    rows = parse(path, actor=actor, org_unit=org_unit)
    batch = survey_batch_import(
        actor=actor, org_unit=org_unit, file_name=file_name, provider=provider, rows=rows
    )
    return _("imported %(count)s survey responses") % {"count": batch.rows}


def import_survey(path: Path, out: TextIO | Any = None) -> str:
    """CLI entry: the whole bank's survey file, imported as the system."""
    root = OrgUnit.get_root_nodes().first()
    if root is None:
        raise ValidationFailed(
            _("Create the org tree first."),
            details=[{"field": "org_unit", "reason": _("Create the org tree first.")}],
        )
    return survey_import_file(path, actor=SYSTEM, org_unit=root, file_name=path.name)


IMPORTERS = {"survey": import_survey}
