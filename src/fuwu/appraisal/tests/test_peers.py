"""Benchmarking (K7): peer figures beside ours of the same definition, gap and rank; differing ones marked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from fuwu.appraisal import importers, selectors, services
from fuwu.appraisal.models import PeerFigure
from fuwu.appraisal.tests.factories import rollup
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM


@pytest.fixture
def peers(world: Any) -> Any:
    rollup(world.outlet_a, dt.date(2026, 3, 3), calls_offered=100, calls_answered=90)
    for bank, value, same in (("工商银行", 92.0, True), ("农业银行", 88.5, True), ("建设银行", 95.0, False)):
        services.peer_figure_set(
            actor=world.hq_manager,
            bank=bank,
            year=2026,
            measure="call_answer_rate",
            value=value,
            source="年报",
            same_definition=same,
        )
    return world


def test_our_figure_sits_beside_the_peers_with_gap_and_rank(peers: Any) -> None:
    (row,) = selectors.benchmark(peers.hq_manager, year=2026)
    assert row.ours == 90.0  # 90 of 100 calls, the catalogue's answer rate for the whole bank
    assert (row.our_rank, row.ranked) == (2, 3)  # 92.0 > 90.0 > 88.5; 建设银行 not compared
    cells = {c.figure.bank: (c.gap, c.rank) for c in row.peers}
    assert cells == {"工商银行": (-2.0, 1), "农业银行": (1.5, 3), "建设银行": (None, None)}


def test_structure_figures_count_the_org_tree(peers: Any) -> None:
    services.peer_figure_set(
        actor=SYSTEM, bank="中国银行", year=2023, measure="tellers_per_outlet", value=6.17, source="seed 004"
    )
    row = next(r for r in selectors.benchmark(peers.hq_manager) if r.measure.id == "tellers_per_outlet")
    assert row.ours == 0.67  # two tellers, three outlets
    assert row.our_rank == 1  # fewer tellers per outlet is better


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["bank", "year", "measure", "value", "source", "same_definition", "note"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_peer_figures_import_from_excel_all_or_nothing(world: Any, tmp_path: Path) -> None:
    bad = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["工商银行", 2023, "lobby_staff_per_outlet", 1.25, "年报", 1, ""],
            ["农业银行", 2023, "nonsense", "x", "", 1, ""],
        ],
    )
    with pytest.raises(ValidationFailed) as refused:
        importers.read_rows(bad)
    assert refused.value.details[0]["row"] == 3
    assert not PeerFigure.objects.exists()
    good = _workbook(
        tmp_path / "good.xlsx",
        [
            ["工商银行", 2023, "lobby_staff_per_outlet", 1.25, "seed 004", 1, ""],
            ["农业银行", 2023, "lobby_staff_per_outlet", 0.94, "seed 004", "否", "含引导员"],
        ],
    )
    call_command("import", "peers", str(good))
    assert PeerFigure.objects.count() == 2
    assert not PeerFigure.objects.get(bank="农业银行").same_definition


def test_peer_files_are_read_like_every_import_and_refused_with_reasons(world: Any, tmp_path: Path) -> None:
    """#18: a corrupt workbook is refused with a reason (it was a traceback, a 500 on upload), a GBK CSV from
    Excel reads, each bad row is named by its own line and field in Chinese, over-long text is refused."""
    broken = tmp_path / "peers.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(ValidationFailed, match="不是可读取的 Excel"):
        importers.read_rows(broken)
    csv_file = tmp_path / "peers.csv"
    csv_file.write_bytes(
        (
            "bank,year,measure,value,source,same_definition,note\n"
            "工商银行,2023,lobby_staff_per_outlet,1.25,年报,是,\n\n"
            f"农业银行,二〇二三,lobby_staff_per_outlet,0.9,{'年' * 201},1,\n"
        ).encode("gbk")
    )
    with pytest.raises(ValidationFailed) as refused:
        importers.read_rows(csv_file)
    assert refused.value.details == [
        {"row": 4, "field": "year", "reason": "必须是整数"},
        {"row": 4, "field": "source", "reason": "超过 200 个字符"},
    ]
    csv_file.write_bytes(
        csv_file.read_bytes()
        .replace("二〇二三".encode("gbk"), b"2023")
        .replace(("年" * 201).encode("gbk"), "年报".encode("gbk"))
    )
    assert [r["bank"] for r in importers.read_rows(csv_file)] == ["工商银行", "农业银行"]
