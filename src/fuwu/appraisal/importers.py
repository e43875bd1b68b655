"""`fuwu import peers FILE.xlsx`: published figures of other banks (同业对标, K7).

Columns (first sheet, header row): bank, year, measure, value, source, same_definition, note. `measure` is a
catalogue measure id or a structure figure (outlets, tellers_per_outlet, lobby_staff_per_outlet);
`same_definition` is 1/0 (是/否). Every row is checked first and each problem reported with its row
number; then all rows are written in one transaction (a re-import updates the same bank, year, measure).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.appraisal import figures, services
from fuwu.core.errors import DomainError, ValidationFailed
from fuwu.core.principals import Principal, system

COLUMNS = ("bank", "year", "measure", "value", "source", "same_definition", "note")
YES = {"1", "true", "yes", "y", "是", "相同", "一致"}
NO = {"0", "false", "no", "n", "否", "不同", "不一致"}


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The checked rows of a peer-figure workbook (ValidationFailed lists every bad row)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ValidationFailed(_("The file is empty."), details=[{"row": 1, "reason": _("no header row")}])
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = [c for c in COLUMNS[:5] if c not in header]
    if missing:
        raise ValidationFailed(
            _("The file lacks required columns: %(columns)s") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "reason": _("missing column"), "field": ", ".join(missing)}],
        )
    problems: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for number, raw in enumerate(rows[1:], start=2):
        record = {name: raw[i] if i < len(raw) else None for i, name in enumerate(header) if name in COLUMNS}
        if all(v in (None, "") for v in record.values()):
            continue
        reasons = []
        try:
            figures.peer_measure(str(record.get("measure") or ""))
        except DomainError:
            reasons.append(f"unknown measure {record.get('measure')!r}")
        try:
            year = int(str(record.get("year")))
        except ValueError:
            reasons.append("year must be a whole number")
            year = 0
        value = record.get("value")
        if not isinstance(value, int | float):
            try:
                value = float(str(value))
            except ValueError:
                reasons.append("value must be a number")
        flag = (
            str(record.get("same_definition") if record.get("same_definition") is not None else "1")
            .strip()
            .lower()
        )
        if flag not in YES | NO:
            reasons.append("same_definition must be 1 or 0")
        if not str(record.get("bank") or "").strip() or not str(record.get("source") or "").strip():
            reasons.append("bank and source are required")
        if reasons:
            problems.append({"row": number, "reason": "; ".join(reasons)})
            continue
        out.append(
            {
                "bank": str(record["bank"]).strip(),
                "year": year,
                "measure": str(record["measure"]).strip(),
                "value": float(value),  # type: ignore[arg-type]
                "source": str(record["source"]).strip(),
                "same_definition": flag in YES,
                "note": str(record.get("note") or "").strip(),
            }
        )
    if problems:
        raise ValidationFailed(_("Some rows have errors; nothing was imported."), details=problems)
    return out


def import_rows(actor: Principal, rows: list[dict[str, Any]]) -> int:
    with transaction.atomic():
        for row in rows:
            services.peer_figure_set(actor=actor, **row)
    return len(rows)


def import_peers(path: Path, out: TextIO | Any = None) -> str:
    rows = read_rows(Path(path))
    count = import_rows(system("import peers"), rows)
    return _("imported %(count)s peer figures") % {"count": count}


IMPORTERS = {"peers": import_peers}
