"""The quarterly briefing: real PDF (pdftotext, pdfinfo, pdftoppm) and Excel (openpyxl) files, checked
against `fuwu measures` for the same unit and quarter, and scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from fuwu.appraisal import briefing
from fuwu.appraisal.tests.factories import card, rollup, satisfaction_day
from fuwu.complaints.models import Complaint
from fuwu.core import clock, roles
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit
from fuwu.measures import catalogue
from fuwu.measures.models import Target

FORMULA_NAME = '=HYPERLINK("http://evil.example","五道口")'
QUARTER = "2026-Q3"


def _complaint(outlet: Any, day: dt.date, n: int, **kw: Any) -> Complaint:
    received = dt.datetime.combine(day, dt.time(10), tzinfo=clock.SHANGHAI)
    fields = {
        "reference": f"TS{n:06d}",
        "outlet": outlet,
        "source": "counter",
        "received_at": received,
        "due_at": received + dt.timedelta(days=15),
        "status": "registered",
        "channel_code": "01",
        "category_code": "01",
        "reason_code": "01",
        "content": "客户投诉内容",
        "complainant_name": "张秘密",
        **kw,
    }
    return Complaint.objects.create(**fields)


@pytest.fixture
def data(world: Any) -> Any:
    OrgUnit.objects.filter(pk=world.outlet_b.pk).update(name=FORMULA_NAME)
    items = [
        ("satisfaction", "target", 90.0, None, {"2026-01-01": 20, "2026-07-01": 30}),
        ("avg_wait", "target", 10.0, None, {"2026-01-01": 40, "2026-07-01": 35}),
        ("complaints_per_10k", "rank", None, None, {"2026-01-01": 40, "2026-07-01": 35}),
    ]
    card("outlet", items)
    card("tier1", items)
    card("tier2", items)
    for outlet, (ev, sat, called, wait_min) in {
        world.outlet_a: (100, 92, 200, 8),
        world.outlet_b: (80, 60, 150, 14),
        world.outlet_x: (50, 40, 90, 11),
    }.items():
        for day in (dt.date(2026, 5, 6), dt.date(2026, 8, 6)):
            satisfaction_day(
                outlet, day, ev, sat, called=called, wait_sum=called * wait_min * 60, finished=called
            )
    for n in range(3):
        _complaint(world.outlet_a, dt.date(2026, 8, 10), n, severity="major")
    for n in range(3, 8):
        _complaint(world.outlet_b, dt.date(2026, 9, 1), n, source="hotline", category_code="02")
    _complaint(world.outlet_x, dt.date(2026, 8, 10), 9, severity="major")  # another branch's
    rollup(world.outlet_a, dt.date(2026, 8, 10), complaints=3)
    Target.objects.create(
        measure="satisfaction",
        unit=world.t1,
        baseline=65,
        value=85,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2027, 6, 30),
    )
    return world


def _measures_json(level: str, code: str) -> dict[str, float | None]:
    out = io.StringIO()
    call_command("measures", "--level", level, "--period", QUARTER, "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())["rows"]
    values: dict[str, float | None] = next(r["values"] for r in rows if r["code"] == code)
    return values


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found
    return int(found[1])


def test_the_cli_writes_a_chinese_pdf_with_ranking_page_numbers_and_no_pii(data: Any, tmp_path: Path) -> None:
    call_command(
        "briefing", "--quarter", QUARTER, "--unit", "T2", "--out", str(tmp_path), stdout=io.StringIO()
    )
    pdf = tmp_path / "briefing-T2-2026-Q3.pdf"
    assert pdf.exists() and (tmp_path / "briefing-T2-2026-Q3.xlsx").exists()
    text = _pdftotext(pdf)
    pages = _pages(pdf)
    assert "海淀支行" in text and "季度服务通报" in text
    squeezed = re.sub(r"\s+", "", text)  # pdftotext drops the spaces between CJK characters
    assert f"第1页/共{pages}页" in squeezed and f"第{pages}页/共{pages}页" in squeezed
    # The ranking: OA first (rank 1), the formula-named outlet second; movement columns present.
    ranking_lines = [line for line in text.splitlines() if re.match(r"\s*[12]\s+O[AB]\s", line)]
    assert [line.split()[1] for line in ranking_lines] == ["OB", "OA"]
    assert "中关村支行" in ranking_lines[1] and "65.00" in ranking_lines[1]
    # Major complaints of the subtree only, de-identified: no complainant name, no other branch's case.
    assert "TS000000" in text and "TS000009" not in text
    assert "张秘密" not in text and "客户投诉内容" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert "NotoSansCJKSC" in fonts.replace("-", "")  # the CJK font named in the template, embedded
    assert pdf.stat().st_size < 5 * 1024 * 1024


def test_the_pdf_renders_to_a_page_that_is_not_blank(data: Any, tmp_path: Path) -> None:
    from PIL import Image

    paths = briefing.write(data.hq_manager, unit=data.t2, quarter=QUARTER, out=tmp_path)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(paths[0]), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert image.size[1] > image.size[0]  # portrait A4
    assert dark > 0.01 * image.size[0] * image.size[1]


def test_figures_in_pdf_excel_and_fuwu_measures_are_identical(data: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    pdf_path, xlsx_path = briefing.write(data.hq_manager, unit=data.t2, quarter=QUARTER, out=tmp_path)
    expected = _measures_json("tier2", "T2")
    text = _pdftotext(pdf_path)
    book = load_workbook(xlsx_path)
    sheet = next(book[n] for n in book.sheetnames if "目标" in n)
    excel = {row[0].value: row[2] for row in sheet.iter_rows(min_row=2) if row[0].value}
    compared = 0
    for measure_id, value in expected.items():
        m = catalogue.BY_ID[measure_id]
        if measure_id not in briefing.figures.KEY_MEASURES:
            continue
        cell = excel[m.name_zh]
        if value is None:
            assert cell.value is None
            continue
        shown = f"{value:.{m.decimals}f}"
        assert cell.value == round(value, m.decimals) and cell.data_type == "n"
        assert cell.number_format == ("0" if m.decimals == 0 else "0." + "0" * m.decimals)
        line = next(line for line in text.splitlines() if line.strip().startswith(m.name_zh + " "))
        assert line.split()[2] == shown, (measure_id, line)
        compared += 1
    assert compared >= 4


def test_the_excel_has_a_sheet_per_section_number_formats_and_a_formula_like_name_as_text(
    data: Any, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    _pdf, xlsx_path = briefing.write(data.hq_manager, unit=data.t2, quarter=QUARTER, out=tmp_path)
    book = load_workbook(xlsx_path)
    assert len(book.sheetnames) == 1 + len(
        briefing.build(data.hq_manager, unit=data.t2, quarter=QUARTER).sections
    )
    ranking = book[book.sheetnames[1]]
    assert ranking.freeze_panes == "A2"
    rows = list(ranking.iter_rows(min_row=2, max_row=3))
    names = [r[2].value for r in rows]
    assert names == [FORMULA_NAME, "中关村支行"]
    assert rows[0][2].data_type == "s"  # text, never a formula
    assert rows[0][3].data_type == "n" and rows[0][3].number_format == "0.00"
    assert ranking._charts, "the ranking sheet has a native chart"
    hotspots = book[next(n for n in book.sheetnames if "热点" in n)]
    assert hotspots.cell(2, 3).value == 5


def test_a_tier2_head_gets_a_briefing_of_their_subtree_only(data: Any, tmp_path: Path) -> None:
    head = data.person("sup_t2", data.t2, roles.SUPERVISOR)
    built = briefing.build(head, unit=data.t2, quarter=QUARTER)
    ranked = [row[1] for row in built.section("ranking").rows]
    assert ranked == ["OB", "OA"]
    assert all(row[0] != "TS000009" for row in built.section("major").rows)
    # K6: the tier-1 branch's satisfaction target applies to (and shows for) the tier-2 branch below it.
    goals = {row[0]: row[4:6] for row in built.section("measures").rows}
    assert goals["满意率"] == [85, "2027-06-30"]
    with pytest.raises(NotFound):
        briefing.build(head, unit=data.t1, quarter=QUARTER)
    with pytest.raises(NotFound):
        briefing.build(head, unit=data.ho, quarter=QUARTER)
    out = io.StringIO()
    call_command(
        "briefing",
        "--quarter",
        QUARTER,
        "--unit",
        "T2",
        "--user",
        "sup_t2",
        "--out",
        str(tmp_path),
        stdout=out,
    )
    assert "briefing-T2-2026-Q3.pdf" in out.getvalue()


def test_head_office_briefing_ranks_the_tier1_branches_with_the_whole_bank(data: Any, tmp_path: Path) -> None:
    built = briefing.build(data.hq_manager, unit=data.ho, quarter=QUARTER)
    assert sorted(row[1] for row in built.section("ranking").rows) == ["T1", "T1X"]
    out = io.StringIO()
    call_command("briefing", "--quarter", QUARTER, "--all", "--out", str(tmp_path), stdout=out)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        f"briefing-{code}-2026-Q3.{ext}" for code in ("HO", "T1", "T1X") for ext in ("pdf", "xlsx")
    )


def test_a_long_table_repeats_its_header_on_every_page_it_spans(data: Any, tmp_path: Path) -> None:
    for n in range(100, 180):
        _complaint(data.outlet_a, dt.date(2026, 7, 1) + dt.timedelta(days=n % 90), n, severity="major")
    pdf_path, _xlsx = briefing.write(data.hq_manager, unit=data.t2, quarter=QUARTER, out=tmp_path)
    spanned = 0
    for page in range(1, _pages(pdf_path) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf_path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        if re.search(r"TS0001\d\d", text):
            spanned += 1
            assert re.search(r"编号\s+受理日期\s+网点", text), f"page {page} lacks the table header"
    assert spanned >= 2


def test_an_outlet_briefing_ranks_its_staff_on_the_staff_scorecard(data: Any) -> None:
    card("staff", [("satisfaction", "target", 90.0, None, {"2026-01-01": 40})], staff_role=roles.TELLER)
    rollup(
        data.outlet_a, dt.date(2026, 8, 6), cut="staff", key=str(data.teller_a.pk), evaluated=10, satisfied=9
    )
    built = briefing.build(data.head_a, unit=data.outlet_a, quarter=QUARTER)
    rows = built.section("ranking").rows
    assert [(r[0], r[2], r[3]) for r in rows] == [(1, "李柜员", 100.0)]


def test_the_charts_are_vector_graphics_with_their_text_as_paths(data: Any, tmp_path: Path) -> None:
    """K6: the PDF's charts are drawn, not pictures: no raster image in the file, and the chart's labels are
    outlines (no font needed for them)."""
    from fuwu.appraisal import pdf

    built = briefing.build(data.hq_manager, unit=data.t2, quarter=QUARTER)
    svg = pdf.chart_svg(built.section("ranking"))
    assert svg is not None and "<path" in svg and "<text" not in svg and "<image" not in svg
    pdf_path, _xlsx = briefing.write(data.hq_manager, unit=data.t2, quarter=QUARTER, out=tmp_path)
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    assert len(listing) == 2, listing  # the two header lines only
