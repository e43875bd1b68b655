"""`fuwu import peers FILE.(xlsx|csv)`: published figures of other banks (同业对标, K7).

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
from fuwu.appraisal.models import PeerFigure
from fuwu.core.errors import DomainError, ValidationFailed
from fuwu.core.principals import Principal, system
from fuwu.core.tabular import read_table, too_long

COLUMNS = ("bank", "year", "measure", "value", "source", "same_definition", "note")
YES = {"1", "true", "yes", "y", "是", "相同", "一致"}
NO = {"0", "false", "no", "n", "否", "不同", "不一致"}


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The checked rows of a peer-figure workbook or CSV (ValidationFailed lists every bad row and field).

    Read through core.tabular like every import (#18): a corrupt or oversized file is refused with a reason,
    not a server error, and a row is named by its own line in the file.
    """
    table = read_table(path)
    columns = {c.lower(): c for c in table.columns}
    missing = [c for c in COLUMNS[:5] if c not in columns]
    if missing:
        raise ValidationFailed(
            _("The file lacks required columns: %(columns)s") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "reason": _("missing column"), "field": c} for c in missing],
        )
    limits = {
        f.name: f.max_length or 0 for f in PeerFigure._meta.fields if f.name in ("bank", "source", "note")
    }
    problems: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for number, raw in table.rows:
        record = {name: raw.get(columns.get(name, ""), "") for name in COLUMNS}
        found: list[tuple[str, str]] = []
        try:
            figures.peer_measure(record["measure"])
        except DomainError:
            found.append(("measure", _("unknown measure %(value)s") % {"value": repr(record["measure"])}))
        try:
            year = int(record["year"])
        except ValueError:
            found.append(("year", _("must be a whole number")))
            year = 0
        try:
            value = float(record["value"])
        except ValueError:
            found.append(("value", _("must be a number")))
            value = 0.0
        flag = (record["same_definition"] or "1").lower()
        if flag not in YES | NO:
            found.append(("same_definition", _("must be 1 or 0")))
        for name in ("bank", "source"):
            if not record[name]:
                found.append((name, _("required")))
        for name, limit in limits.items():
            if problem := too_long(record[name], limit, row=number, field=name):
                found.append((name, str(problem["reason"])))
        if found:
            problems.extend({"row": number, "field": field, "reason": reason} for field, reason in found)
            continue
        out.append(
            {
                "bank": record["bank"],
                "year": year,
                "measure": record["measure"],
                "value": value,
                "source": record["source"],
                "same_definition": flag in YES,
                "note": record["note"],
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
