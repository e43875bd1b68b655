"""The briefing as an Excel workbook: a cover sheet, then one sheet per section.

Numbers are written as numbers with a number format (the same decimals the PDF prints), text as text —
a unit or case title starting with "=" stays that text and never becomes a formula (core.files'
rule for every file we hand out). Headers are frozen; ranking and hotspot sheets carry a native bar chart.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.translation import gettext as _

from fuwu.appraisal.briefing import DEC0, DEC1, DEC2, INT, MOVE, TEXT, Briefing, Section

NUMBER_FORMATS = {INT: "0", DEC0: "0", DEC1: "0.0", DEC2: "0.00", MOVE: "+0;-0;0"}


def sheet_name(index: int, section: Section) -> str:
    # Excel: at most 31 characters, none of []:*?/\ .
    return re.sub(r"[\[\]:*?/\\]", " ", f"{index} {section.title}")[:31]


def render(briefing: Briefing) -> bytes:
    """The briefing's workbook bytes."""
    import xlsxwriter

    out = io.BytesIO()
    # Strings are never read as formulas, numbers or links: text is written as typed.
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    font = {"font_name": "Microsoft YaHei", "font_size": 10}
    bold = book.add_format(
        {**font, "bold": True, "bg_color": "#E8EEF6", "border": 1, "text_wrap": True, "valign": "top"}
    )
    title = book.add_format({**font, "bold": True, "font_size": 14})
    plain = book.add_format({**font, "text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format({**font, "num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
    cover = book.add_worksheet(_("Cover")[:31])
    cover.write_string(0, 0, briefing.title, title)
    cover.write_string(
        1, 0, f"{briefing.period.start.isoformat()} – {briefing.period.end.isoformat()}", plain
    )
    cover.write_string(2, 0, _("Unit code"), plain)
    cover.write_string(2, 1, briefing.unit.code, plain)
    cover.set_column(0, 0, 40)
    for index, section in enumerate(briefing.sections, start=1):
        cover.write_string(3 + index, 0, sheet_name(index, section), plain)
        sheet = book.add_worksheet(sheet_name(index, section))
        _write_section(sheet, section, bold, plain, formats)
        if section.chart is not None and section.rows:
            chart = book.add_chart({"type": "bar"})
            name = sheet.get_name()
            last = min(len(section.rows), section.chart.max_points)
            chart.add_series(
                {
                    "name": section.chart.title,
                    # Two label columns give Excel's two-level category axis (category, then reason).
                    "categories": [name, 1, min(section.chart.category), last, max(section.chart.category)],
                    "values": [name, 1, section.chart.value, last, section.chart.value],
                    "data_labels": {"value": True},
                }
            )
            chart.set_title({"name": section.title})
            chart.set_legend({"none": True})
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 720, "height": max(240, 22 * last + 80)})
            sheet.insert_chart(last + 3 + (1 if section.note else 0), 1, chart)
    book.close()
    return out.getvalue()


def _write_section(sheet: Any, section: Section, bold: Any, plain: Any, formats: dict[str, Any]) -> None:
    for c, column in enumerate(section.columns):
        sheet.write_string(0, c, column.label, bold)
        sheet.set_column(c, c, column.width)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(section.rows, start=1):
        for c, value in enumerate(row):
            kind = section.kind(r - 1, c)
            if value is None or value == "":
                sheet.write_blank(r, c, None, plain)
            elif kind == TEXT or isinstance(value, str):
                sheet.write_string(r, c, str(value), plain)
            else:
                sheet.write_number(r, c, value, formats[kind])
    below = len(section.rows) + 2
    if not section.rows and section.empty:
        sheet.write_string(below - 1, 0, section.empty, plain)
    if section.note:
        sheet.write_string(below, 0, section.note, plain)
