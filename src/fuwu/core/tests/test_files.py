"""CSV and Excel cells that a spreadsheet would run as formulas are written as text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from fuwu.core.files import csv_safe, csv_text, xlsx_append


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","点击")', "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["中关村支行", "OA", "a=b", "", " =1", None])
def test_other_text_and_empty_cells_are_left_alone(value: str | None) -> None:
    assert csv_safe(value) == value


@pytest.mark.parametrize("number", [-3, -2.5, Decimal("-1.50"), 0, 12])
def test_numbers_stay_numbers_even_when_negative(number: int | float | Decimal) -> None:
    assert csv_safe(number) is number


def test_csv_text_guards_every_cell_and_writes_negative_numbers_as_they_are() -> None:
    text = csv_text([["code", "name", "value"], ["=1+1", "@me", Decimal("-1.50")], ["OB", "-x", -3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["code", "name", "value"],
        ["'=1+1", "'@me", "-1.50"],
        ["OB", "'-x", "-3"],
    ]


def test_xlsx_keeps_formula_like_text_as_text_and_numbers_as_numbers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    xlsx_append(sheet, ['=HYPERLINK("http://evil.example")', -3, "plain"])
    out = io.BytesIO()
    book.save(out)
    cells = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert [(c.value, c.data_type) for c in cells] == [
        ('=HYPERLINK("http://evil.example")', "s"),
        (-3, "n"),
        ("plain", "s"),
    ]
