"""Reading the tables people hand us: CSV (UTF-8 or GBK, as Excel in China saves it) and Excel workbooks.

Every importer reads through `read_table`, so each gets the same answers to the questions a real file
raises (#18): which encoding (UTF-8 with or without BOM, else GB18030 — a superset of GBK and GB2312 —
else a clear refusal, never a traceback), which line a row came from (the file's own line, so a blank
line does not shift every later number), an empty file (refused: "imports 0" would hide a wrong file),
too large a file, and over-long fields.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from fuwu.core.errors import ValidationFailed

MAX_BYTES = 200 * 1024 * 1024  # a year of one outlet's events is ~30 MB; a whole bank imports in parts
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]  # (line number in the file, column → text)
    # (line, cells) of the CSV rows read so far whose cell count is not the header's: an unquoted comma in a
    # text shifts every later column, which an importer that cares reports rather than reads.
    misfits: list[tuple[int, int]] = field(default_factory=list)


def _problem(reason: str, field: str = "file", row: int | None = None) -> ValidationFailed:
    return ValidationFailed(
        _("The file cannot be imported: %(reason)s") % {"reason": reason},
        details=[{"row": row, "field": field, "reason": reason}],
    )


def decode(raw: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or GBK/GB18030; refuses anything else."""
    if b"\x00" in raw[:4096]:
        raise _problem(_("this is not a text (CSV) file"))
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _problem(_("the text encoding is neither UTF-8 nor GBK; save it again as CSV UTF-8"))


def _csv_rows(
    text: str, misfits: list[tuple[int, int]]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    for record in reader:
        if any(cell.strip() for cell in record):
            header = [cell.strip() for cell in record]
            header_line = reader.line_num
            break
    if header is None:
        raise _problem(_("the file is empty"))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = header_line
        for record in reader:
            # reader.line_num counts physical lines (a quoted field may span several): the row's own
            # first line is where the previous record ended plus one.
            line = start + 1
            start = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                misfits.append((line, len(record)))
            yield line, dict(zip(header, (cell.strip() for cell in record), strict=False))

    return header, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _problem(_("this is not a readable Excel workbook")) from exc
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    number = 0
    for values in lines:
        number += 1
        if any(v not in (None, "") for v in values):
            header = [str(v).strip() if v is not None else "" for v in values]
            break
    if header is None:
        raise _problem(_("the file is empty"))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = number
        for values in lines:
            line += 1
            if not any(v not in (None, "") for v in values):
                continue
            cells = ["" if v is None else str(v).strip() for v in values]
            yield line, dict(zip(header, cells, strict=False))

    return header, rows()


def read_table(path: Path, *, required: Sequence[str] = (), max_bytes: int = MAX_BYTES) -> Table:
    """The header and the rows of a CSV or .xlsx file, with the checks every import needs first."""
    if not path.exists():
        raise _problem(_("the file does not exist"))
    size = path.stat().st_size
    if size == 0:
        raise _problem(_("the file is empty"))
    if size > max_bytes:
        raise _problem(_("the file is larger than %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)})
    suffix = path.suffix.lower()
    misfits: list[tuple[int, int]] = []
    if suffix in (".xlsx", ".xlsm"):
        columns, rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        columns, rows = _csv_rows(decode(path.read_bytes()), misfits)
    else:
        raise _problem(_("expected a .csv or .xlsx file"))
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValidationFailed(
            _("The file lacks required columns: %(columns)s") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "field": c, "reason": _("missing column")} for c in missing],
        )
    return Table(columns, rows, misfits)


def too_long(value: str, limit: int, *, row: int, field: str) -> dict[str, object] | None:
    """A problem row when `value` exceeds the model field's `limit`, else None."""
    if len(value) <= limit:
        return None
    return {"row": row, "field": field, "reason": _("longer than %(n)s characters") % {"n": limit}}
