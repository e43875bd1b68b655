"""`fuwu measures`, `fuwu export facts` and `fuwu import events` through the real command line entry."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.feedback.models import Evaluation
from fuwu.floor.models import Ticket, TicketEvent
from fuwu.measures import services
from fuwu.measures.importers import import_events
from fuwu.measures.models import DirtyDay
from fuwu.measures.tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 12)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def october(world: Any) -> Any:
    for _ in range(3):
        f.ticket(world.outlet_a, f.at(DAY, 9), wait=600, service_seconds=300, rating="satisfied")
    f.ticket(world.outlet_b, f.at(DAY, 9), wait=1200, status="no_show")
    services.rollup_rebuild(actor=SYSTEM, start=DAY, end=DAY)
    return world


def test_measures_prints_outlets_as_json_with_no_data_as_null(october: Any) -> None:
    data = json.loads(
        run(
            "measures",
            "--level",
            "outlet",
            "--period",
            "2026-10",
            "--format",
            "json",
            "--measure",
            "avg_wait",
            "--measure",
            "satisfaction",
        )
    )
    rows = {r["code"]: r["values"] for r in data["rows"]}
    assert rows["OA"] == {"avg_wait": 10.0, "satisfaction": 100.0}
    assert rows["OB"] == {"avg_wait": 20.0, "satisfaction": None}
    assert rows["OX"] == {"avg_wait": None, "satisfaction": None}
    assert data["start"] == "2026-10-01" and data["end"] == "2026-10-31"


def test_measures_rolls_up_levels_and_prints_csv_and_table(october: Any) -> None:
    lines = list(
        csv.reader(
            StringIO(
                run(
                    "measures",
                    "--level",
                    "tier2",
                    "--period",
                    "2026-10",
                    "--format",
                    "csv",
                    "--measure",
                    "tickets_issued",
                    "--measure",
                    "no_show_rate",
                )
            )
        )
    )
    assert lines[1][:2] == ["T2", "海淀支行"]
    assert lines[1][2:] == ["4", "25.0"]
    table = run(
        "measures",
        "--level",
        "bank",
        "--period",
        "2026-Q4",
        "--measure",
        "avg_service",
        "--measure",
        "complaint_cycle_days",
    )
    assert "HO" in table and "5.0" in table and "无数据" in table  # "no data", never 0


def test_measures_from_raw_facts_and_from_a_parquet_export_agree_with_rollups(
    october: Any, tmp_path: Path
) -> None:
    args = ["measures", "--level", "outlet", "--period", "2026-10", "--format", "json"]
    rolled = json.loads(run(*args))["rows"]
    raw = json.loads(run(*args, "--source", "facts"))["rows"]
    # `fuwu export facts` (the spelling): the command `export` with the kind `facts`.
    run("export", "facts", "--out", str(tmp_path), "--from", "2026-10-01", "--to", "2026-10-31")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "approval_steps.parquet",
        "calendar.parquet",
        "calls.parquet",
        "complaints.parquet",
        "compliments.parquet",
        "evaluations.parquet",
        "feedback.parquet",
        "inspections.parquet",
        "language.parquet",
        "rectifications.parquet",
        "suggestions.parquet",
        "tickets.parquet",
        "training.parquet",
        "units.parquet",
    ]
    parquet = json.loads(run(*args, "--source", "facts", "--parquet", str(tmp_path)))["rows"]
    assert rolled == raw == parquet


def test_export_facts_keeps_its_earlier_name_and_rejects_unknown_kinds(october: Any, tmp_path: Path) -> None:
    run("export_facts", "--out", str(tmp_path / "old"), "--from", "2026-10-01", "--to", "2026-10-31")
    run("export", "facts", "--out", str(tmp_path / "new"), "--from", "2026-10-01", "--to", "2026-10-31")
    for name in ("tickets", "calls", "units"):
        assert pq.read_table(tmp_path / "old" / f"{name}.parquet") == pq.read_table(
            tmp_path / "new" / f"{name}.parquet"
        )
    assert pq.read_table(tmp_path / "new" / "tickets.parquet").num_rows == 4
    with pytest.raises(CommandError, match="unknown export kind 'tickets'; choose from facts"):
        run("export", "tickets", "--out", str(tmp_path))
    # An export written before call records were part of the facts still reads (calls count as none).
    (tmp_path / "new" / "calls.parquet").unlink()
    args = ["measures", "--level", "outlet", "--period", "2026-10", "--format", "json", "--source", "facts"]
    assert (
        json.loads(run(*args, "--parquet", str(tmp_path / "new")))["rows"] == json.loads(run(*args))["rows"]
    )


def test_measures_shows_a_user_only_their_units(october: Any) -> None:
    data = json.loads(
        run(
            "measures",
            "--level",
            "outlet",
            "--period",
            "2026-10",
            "--format",
            "json",
            "--user",
            "teller_b",
            "--measure",
            "tickets_issued",
        )
    )
    assert [r["code"] for r in data["rows"]] == ["OB"]
    assert (
        json.loads(
            run(
                "measures",
                "--level",
                "tier1",
                "--period",
                "2026-10",
                "--format",
                "json",
                "--user",
                "teller_b",
            )
        )["rows"]
        == []
    )


def test_measures_rejects_an_unreadable_period_and_unknown_measure(world: Any) -> None:
    with pytest.raises(CommandError, match="2026-13"):
        run("measures", "--period", "2026-13")
    with pytest.raises(CommandError, match="nope"):
        run("measures", "--period", "2026-10", "--measure", "nope")


HEADER = [
    "ticket_id",
    "outlet_code",
    "service_code",
    "counter_code",
    "staff_code",
    "customer_tier",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "outcome",
    "evaluation",
]


def good_rows() -> list[list[str]]:
    return [
        [
            "Q-1",
            "OA",
            "CASH",
            "OA-01",
            "TELLER_A",
            "wealth",
            "2026-10-12T09:00:00+08:00",
            "2026-10-12T09:10:00+08:00",
            "2026-10-12T09:11:00+08:00",
            "2026-10-12T09:16:00+08:00",
            "served",
            "satisfied",
        ],
        [
            "Q-2",
            "OA",
            "CASH",
            "",
            "",
            "",
            "2026-10-12T01:05:00+00:00",
            "2026-10-12T01:25:00+00:00",
            "",
            "",
            "no_show",
            "empty",
        ],
        ["Q-3", "OA", "CASH", "", "", "normal", "2026-10-13T09:00:00+08:00", "", "", "", "diverted", ""],
    ]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


@pytest.fixture
def floor(world: Any) -> Any:
    f.service(world.outlet_a, "CASH", target_wait_seconds=900)
    f.counter(world.outlet_a, 1)
    return world


def test_import_events_creates_tickets_events_and_evaluations_idempotently(
    floor: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "events.csv", good_rows())
    assert "已导入 3 张号票，跳过 0 张" in run("import", "events", str(path))
    served = Ticket.objects.get(external_id="Q-1")
    assert (
        served.status == "finished"
        and served.staff == floor.teller_a
        and served.counter is not None
        and served.counter.code == "OA-01"
    )
    assert served.business_date == DAY and served.channel == "import"
    assert list(served.events.values_list("kind", flat=True)) == ["issued", "called", "started", "finished"]
    assert Evaluation.objects.get(ticket=served).rating == "satisfied"
    assert Ticket.objects.get(external_id="Q-2").status == "no_show"
    assert {(d.unit_id, d.date) for d in DirtyDay.objects.all()} == {
        (floor.outlet_a.pk, DAY),
        (floor.outlet_a.pk, DAY + dt.timedelta(days=1)),
    }
    assert "已导入 0 张号票，跳过 3 张" in run("import", "events", str(path))
    assert Ticket.objects.count() == 3 and TicketEvent.objects.count() == 4 + 3 + 2
    services.rollup_refresh(actor=SYSTEM)
    data = json.loads(
        run(
            "measures",
            "--period",
            "2026-10-12",
            "--format",
            "json",
            "--measure",
            "avg_wait",
            "--measure",
            "no_show_rate",
        )
    )
    assert {r["code"]: r["values"] for r in data["rows"]}["OA"] == {"avg_wait": 15.0, "no_show_rate": 50.0}


def test_import_events_reads_parquet(floor: Any, tmp_path: Path) -> None:
    rows = good_rows()
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "events.parquet")
    assert "已导入 3 张号票" in run("import", "events", str(tmp_path / "events.parquet"))


def test_import_events_names_every_bad_row_and_imports_nothing(floor: Any, tmp_path: Path) -> None:
    rows = good_rows()
    rows.append(["Q-4", "ZZ", "CASH", "", "", "", "2026-10-12T09:00:00+08:00", "", "", "", "cancelled", ""])
    rows.append(["Q-5", "OA", "LOAN", "", "", "", "2026-10-12T09:00:00", "", "", "", "served", ""])
    rows.append(
        [
            "Q-1",
            "OA",
            "CASH",
            "OA-09",
            "",
            "vip",
            "2026-10-12T09:00:00+08:00",
            "2026-10-12T08:00:00+08:00",
            "",
            "",
            "no_show",
            "satisfied",
        ]
    )
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as info:
        run("import", "events", str(path))
    message = str(info.value)
    assert f"未从 {path} 导入任何数据。" in message
    assert "事件文件有 9 处问题，首处在第 5 行" in message
    assert "第 5 行，outlet_code：没有网点 'ZZ'" in message
    assert "第 6 行，service_code：网点 OA 没有业务类型 'LOAN'" in message
    assert "第 6 行，issued_at：'2026-10-12T09:00:00' 缺少时区" in message
    assert "第 6 行，outcome：已办结（served）需要 called_at、started_at 和 finished_at" in message
    for reason in (
        "没有窗口 'OA-09'",
        "customer_tier：'vip'",
        "called_at：早于 issued_at",
        "只有已办结的号票才能评价",
        "'Q-1' 已出现在第 2 行",
    ):
        assert any(reason in line and line.strip().startswith("第 7 行") for line in message.splitlines()), (
            reason
        )
    assert not Ticket.objects.exists()


def test_import_events_refuses_a_file_without_the_columns(floor: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("ticket_id,outlet_code\nA,OA\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行，service_code：缺少此列。"):
        run("import", "events", str(path))


def test_the_fuwu_console_command_offers_export_facts_and_the_old_name() -> None:
    import subprocess
    import sys

    def console(*argv: str) -> str:
        command = [sys.executable, "-m", "fuwu.cli", *argv]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    assert "What to export: facts" in console("export", "--help")
    assert "--out" in console("export-facts", "--help")
    listing = console("--help")
    assert "export facts --out DIR" in listing and "export-facts" in listing


def test_import_events_reads_a_gbk_csv_as_excel_in_china_saves_it(floor: Any, tmp_path: Path) -> None:
    """#18: a GBK-encoded CSV imports (Chinese ticket ids kept), not a traceback."""
    rows = good_rows()
    rows[0][0] = "号票-1"
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="gbk") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    assert "已导入 3 张号票" in run("import", "events", str(path))
    assert Ticket.objects.get(external_id="号票-1").status == "finished"


def test_import_events_reads_an_xlsx_workbook(floor: Any, tmp_path: Path) -> None:
    """#18: the same rows saved from Excel as .xlsx import the same way."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *good_rows()]:
        sheet.append(row)
    book.save(tmp_path / "events.xlsx")
    assert "已导入 3 张号票" in run("import", "events", str(tmp_path / "events.xlsx"))
    assert set(Ticket.objects.values_list("external_id", flat=True)) == {"Q-1", "Q-2", "Q-3"}


def test_a_bad_row_after_a_blank_line_is_named_by_its_true_line_in_chinese(
    floor: Any, tmp_path: Path
) -> None:
    """#18: one bad row commits nothing; the Chinese message names the file's own line (blank line counted)."""
    rows = good_rows()
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="gbk") as handle:
        writer = csv.writer(handle)
        writer.writerows([HEADER, *rows])
        handle.write("\n")  # line 5 is blank
        writer.writerow(
            ["Q-9", "OA", "CASH", "", "", "gold", "2026-10-12T09:00:00+08:00", "", "", "", "diverted", ""]
        )
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        import_events(path)
    assert "第 6 行" in caught.value.message
    assert caught.value.details == [
        {"row": 6, "field": "customer_tier", "reason": "'gold' 不是 normal、wealth 或 private"}
    ]
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0
