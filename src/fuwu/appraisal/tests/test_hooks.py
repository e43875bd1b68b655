"""Other apps contribute to the briefing and the stars by discovery (an inspections app, when installed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fuwu.appraisal import briefing, selectors, services
from fuwu.appraisal.tests.factories import rollup
from fuwu.appraisal.tests.inspections_stub import stars as stub_stars
from fuwu.core.principals import SYSTEM

STUB = "fuwu.appraisal.tests.inspections_stub"


@pytest.fixture
def with_inspections(settings: Any) -> Any:
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, STUB]
    yield
    stub_stars.FAILED.clear()


def test_the_inspections_app_adds_its_mystery_shopper_section_and_nothing_else_is_added(world: Any) -> None:
    built = briefing.build(world.hq_manager, unit=world.t2, quarter="2026-Q3")
    keys = [s.key for s in built.sections]
    assert "mystery" in keys and "extra" not in keys


def test_another_installed_app_adds_its_section_to_both_files(
    world: Any, with_inspections: Any, tmp_path: Path
) -> None:
    import subprocess

    from openpyxl import load_workbook

    pdf_path, xlsx_path = briefing.write(world.hq_manager, unit=world.t2, quarter="2026-Q3", out=tmp_path)
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "外部章节示例" in text and "91.5" in text
    book = load_workbook(xlsx_path)
    sheet = book[next(n for n in book.sheetnames if "外部章节" in n)]
    assert sheet.cell(2, 2).value == 91.5 and sheet.cell(2, 2).number_format == "0.0"


def test_a_failed_critical_inspection_item_disqualifies_a_candidate(
    world: Any, with_inspections: Any
) -> None:
    rollup(
        world.outlet_a,
        dt.date(2026, 10, 9),
        cut="staff",
        key=str(world.teller_a.pk),
        evaluated=20,
        satisfied=20,
    )
    stub_stars.FAILED[world.teller_a.pk] = "未执行双人复核"
    r = services.star_round_open(actor=world.head_a, outlet=world.outlet_a, month="2026-10")
    (c,) = selectors.star_candidates(SYSTEM, r)
    assert c.disqualified and c.rank is None
    assert any("未执行双人复核" in reason["text"] for reason in c.reasons)


def test_the_star_rule_may_deduct_for_a_failed_critical_item_instead(
    world: Any, with_inspections: Any
) -> None:
    rollup(
        world.outlet_a,
        dt.date(2026, 10, 9),
        cut="staff",
        key=str(world.teller_a.pk),
        evaluated=20,
        satisfied=20,
    )
    services.star_policy_set(
        actor=world.hq_manager,
        effective_from=dt.date(2026, 10, 1),
        upheld_action="disqualify",
        deduction=20,
        critical_action="deduct",
        critical_deduction=30,
        min_evaluations=10,
        nomination_bonus=10,
        compliment_points=5,
        max_compliments=3,
        stars_per_outlet=1,
    )
    stub_stars.FAILED[world.teller_a.pk] = "未执行双人复核"
    r = services.star_round_open(actor=world.head_a, outlet=world.outlet_a, month="2026-10")
    (c,) = selectors.star_candidates(SYSTEM, r)
    assert not c.disqualified and (c.score, c.rank) == (70.0, 1)
    assert {"kind": "inspection", "points": -30.0, "text": "关键项不合格：未执行双人复核"} in c.reasons
