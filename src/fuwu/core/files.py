"""Files we hand to people: CSV and Excel downloads that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

# A spreadsheet reads a cell starting with one of these as a formula (tab and CR hide one after them);
# a leading apostrophe makes Excel and WPS show the text as typed (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """`value` as a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe.

    Only text is touched: numbers (int, float, Decimal) pass unchanged, so −3 stays the number −3.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text, every cell through `csv_safe`; the one way a download writes CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def xlsx_append(sheet: Any, row: Iterable[Any]) -> None:
    """Append `row` to an openpyxl sheet keeping text as text.

    openpyxl stores any string starting with "=" as a live formula; a unit named "=HYPERLINK(…)" must
    open as that text, so such cells are typed back to strings (numbers keep their number type).
    """
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
