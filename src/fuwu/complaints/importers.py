"""`fuwu import complaint-codes FILE.xlsx`: the official JR/T 0169 code tables.

The first sheet, a header row, then one code per row:

    维度 (A/B/C) | 代码 | 名称 | 上级代码 | 旧代码

维度 A 业务办理渠道, B 业务类型, C 投诉原因; 上级代码 blank for a top class; 旧代码 the code in use now that the
row replaces (blank when the code stays or is new). Codes must be text cells (a number cell loses leading
zeros). The whole file is checked first, every bad row reported; then it is loaded in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from fuwu.complaints.codes import DIMENSION_OF
from fuwu.complaints.services.codes import CodeRow, code_table_replace
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import system

HEADERS = {
    "维度": "dimension",
    "dimension": "dimension",
    "代码": "code",
    "code": "code",
    "名称": "name",
    "name": "name",
    "上级代码": "parent",
    "parent": "parent",
    "旧代码": "old_code",
    "old_code": "old_code",
}
REQUIRED = ("dimension", "code", "name")


def read_rows(path: Path) -> list[CodeRow]:
    """The file's rows, or ValidationFailed naming every bad cell."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise ValidationFailed(_("The file is not an Excel workbook (.xlsx).")) from exc
    lines = sheet.iter_rows(values_only=True)
    header = [HEADERS.get(str(v or "").strip().lower(), "") for v in next(lines, ())]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationFailed(
            _("The header row lacks: %(columns)s.") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "field": name, "reason": _("This field is required.")} for name in missing],
        )
    rows: list[CodeRow] = []
    problems: list[dict[str, Any]] = []
    for number, values in enumerate(lines, start=2):
        record = {name: values[i] if i < len(values) else None for i, name in enumerate(header) if name}
        if all(v in (None, "") for v in record.values()):
            continue
        for name in ("code", "parent", "old_code"):
            if isinstance(record.get(name), int | float):
                problems.append(
                    {
                        "row": number,
                        "field": name,
                        "reason": _("Enter codes as text: a number loses its leading zeros."),
                    }
                )
        letter = str(record.get("dimension") or "").strip().upper()
        rows.append(
            CodeRow(
                line=number,
                dimension=DIMENSION_OF.get(letter, letter),
                code=str(record.get("code") or "").strip(),
                name=str(record.get("name") or "").strip(),
                parent=str(record.get("parent") or "").strip(),
                old_code=str(record.get("old_code") or "").strip(),
            )
        )
    if problems:
        raise ValidationFailed(_("The code table was not loaded."), details=problems)
    return rows


def import_codes(path: Path, out: Any = None) -> str:
    counts = code_table_replace(actor=system("import complaint-codes"), rows=read_rows(path))
    return (
        _("%(codes)s codes loaded; %(cases)s cases and %(library)s library entries moved to new codes.")
        % counts
    )


IMPORTERS = {"complaint-codes": import_codes}
