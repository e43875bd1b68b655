"""Imports read what people actually hand over: GBK CSV, blank lines, Excel, and refuse the rest clearly (#18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from fuwu.core.errors import ValidationFailed
from fuwu.core.importers import import_calendar
from fuwu.core.models import CalendarDay
from fuwu.core.tabular import read_table

ROWS = "date,kind,name\n2027-02-08,holiday,春节\n\n\n2027-02-20,workday,春节调休\n"


def test_a_gbk_csv_from_excel_imports_like_utf8(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_bytes(ROWS.encode("gbk"))
    assert import_calendar(path) == "已导入 2 个日历日"
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 8)).name == "春节"


def test_line_numbers_stay_true_after_blank_lines(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text("date,kind\n\n2027-02-08,holiday\n\n\n2027-02-3x,holiday\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        import_calendar(path)
    assert [(d["row"], d["field"]) for d in err.value.details] == [(6, "date")]


def test_excel_workbooks_are_read_with_their_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "kind", "name"])
    sheet.append([None, None, None])
    sheet.append(["2027-02-08", "holiday", "春节"])
    path = tmp_path / "2027.xlsx"
    book.save(path)
    table = read_table(path, required=("date", "kind"))
    assert list(table.rows) == [(3, {"date": "2027-02-08", "kind": "holiday", "name": "春节"})]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "文件为空"),
        ("blank.csv", b"\n\n  \n", "文件为空"),
        ("binary.csv", b"\x00\x01\x02PK\x03\x04", "不是文本"),
        ("latin.csv", "date,kind\n2027-02-08,hÿliday\u20ac\n".encode("utf-16"), "不是文本"),
        ("broken.xlsx", b"PK\x03\x04 this is not a zip", "不是可读取的 Excel"),
        ("photo.png", b"\x89PNG\r\n", ".csv"),
    ],
)
def test_bad_files_are_refused_with_a_reason_not_a_traceback(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as err:
        read_table(path)
    assert reason in err.value.message


def test_a_header_only_file_imports_nothing_and_says_so(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text("date,kind,name\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="没有可导入的行"):
        import_calendar(path)


def test_over_long_fields_are_named_by_row(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(f"date,kind,name\n2027-02-08,holiday,{'春' * 200}\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        import_calendar(path)
    assert err.value.details[0]["row"] == 2 and err.value.details[0]["field"] == "name"


def test_csv_rows_of_another_width_than_the_header_are_listed(tmp_path: Path) -> None:
    # An unquoted comma in a text shifts the columns after it: the importer can tell, line by line.
    path = tmp_path / "calls.csv"
    path.write_text('a,b,c\n1,2,3\n\n1,2,3,4\n"x\ny",2\n', encoding="utf-8")
    table = read_table(path)
    assert [line for line, _row in table.rows] == [2, 4, 5]
    assert table.misfits == [(4, 4), (5, 2)]
