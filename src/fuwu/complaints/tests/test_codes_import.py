"""`fuwu import complaint-codes FILE.xlsx` on real workbooks: the official table replaces the seed, old codes
map to new ones, cases move with them, suggestions and the regulator Excel follow; a bad file changes nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from fuwu.complaints.codes import current_codes
from fuwu.complaints.models import ClassificationCode, Complaint
from fuwu.complaints.tests import factories as f
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# A 业务办理渠道 renumbered the way the standard's scheme describes (大类 one digit, then two per level, 其他 99).
OFFICIAL_CHANNELS = [
    ("A", "1", "前台业务渠道", "", ""),
    ("A", "101", "营业现场", "1", "01"),
    ("A", "102", "自助机具", "1", "02"),
    ("A", "103", "电子渠道", "1", "03"),
    ("A", "10301", "网银", "103", "0301"),
    ("A", "10302", "电话", "103", "0302"),
    ("A", "10303", "移动客户端", "103", "0303"),
    ("A", "10304", "网络公众平台", "103", "0304"),
    ("A", "10305", "短信", "103", "0305"),
    ("A", "10399", "其他", "103", "0306"),
    ("A", "104", "第三方渠道", "1", "04"),
    ("A", "199", "其他", "1", "06"),
    ("A", "2", "中、后台业务渠道", "", "05"),
]


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def workbook(
    path: Path,
    rows: list[tuple[Any, ...]],
    header: tuple[str, ...] = ("维度", "代码", "名称", "上级代码", "旧代码"),
) -> Path:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    wb.save(path)
    return path


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import", "complaint-codes", str(path), stdout=out)
    return out.getvalue()


def test_the_official_table_replaces_the_seed_and_moves_every_case(
    ctx: Any, tmp_path: Path, client: Client
) -> None:
    counter = f.complaint(ctx, channel_code="01")
    phone = f.complaint(ctx, channel_code="0302")
    summary = run_import(workbook(tmp_path / "jrt0169-a.xlsx", OFFICIAL_CHANNELS))
    assert "13" in summary and "2" in summary

    counter.refresh_from_db()
    phone.refresh_from_db()
    assert (counter.channel_code, phone.channel_code) == ("101", "10302")
    assert current_codes()[("channel", "01")] == "101" and current_codes()[("channel", "0303")] == "10303"
    verified = ClassificationCode.objects.filter(dimension="channel", is_active=True)
    assert set(verified.values_list("code", flat=True)) == {row[1] for row in OFFICIAL_CHANNELS}
    assert all(c.verified for c in verified)
    assert not ClassificationCode.objects.get(dimension="channel", code="01").is_active
    assert ClassificationCode.objects.get(dimension="channel", code="10301").parent.code == "103"
    # B and C were not in the file: untouched, still the unverified seed.
    assert (
        ClassificationCode.objects.filter(dimension="category", is_active=True, verified=False).count() == 14
    )
    assert AuditEvent.objects.filter(action="complaint.codes_import").get().data == {
        "codes": 13,
        "cases": 2,
        "library": 0,
    }

    # The intake offers the new leaves only; the suggestion speaks the new codes; old codes are refused.
    client.force_login(ctx.teller_a)
    page = client.get("/complaints/new/").content.decode()
    assert (
        '<option value="10303"' in page
        and '<option value="103"' not in page
        and '<option value="0303"' not in page
    )
    hint = client.post(
        "/complaints/suggest/", {"content": "手机银行APP转账一直失败，系统报错"}
    ).content.decode()
    assert 'data-dim="channel" data-code="10303"' in hint
    with pytest.raises(ValidationFailed):
        f.complaint(ctx, channel_code="01")
    assert f.complaint(ctx, channel_code="104").channel_code == "104"

    # The regulator workbook, opened as a file, names the new codes.
    client.force_login(ctx.hq_manager)
    data = client.get("/complaints/stats/export.xlsx?year=2026&quarter=1").content
    sheet = load_workbook(io.BytesIO(data))["投诉渠道"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("101", "营业现场", 1, pytest.approx(1 / 3, abs=1e-4)) in rows
    assert ("10302", "电话", 1, pytest.approx(1 / 3, abs=1e-4)) in rows


def test_a_bad_file_is_refused_whole_naming_each_line_and_changes_nothing(ctx: Any, tmp_path: Path) -> None:
    f.complaint(ctx, channel_code="0305")
    before = list(ClassificationCode.objects.order_by("pk").values_list("code", "is_active", "verified"))
    rows = [r for r in OFFICIAL_CHANNELS if r[1] != "10305"]  # 短信 dropped: a case still uses 0305
    rows[1] = ("A", 101, "营业现场", "1", "01")  # a number cell: leading zeros would be lost
    with pytest.raises(CommandError) as err:
        run_import(workbook(tmp_path / "numbers.xlsx", rows))
    assert "第 3 行" in str(err.value)
    rows[1] = ("A", "101", "营业现场", "9", "01")  # unknown parent
    rows.append(("D", "x", "无", "", ""))  # no such dimension
    with pytest.raises(CommandError) as err:
        run_import(workbook(tmp_path / "bad.xlsx", rows))
    message = str(err.value)
    assert "第 3 行" in message and "parent" in message and "0305" in message and "第 14 行" in message
    assert (
        list(ClassificationCode.objects.order_by("pk").values_list("code", "is_active", "verified")) == before
    )
    assert Complaint.objects.get().channel_code == "0305"


def test_codes_can_swap_in_one_import(ctx: Any, tmp_path: Path) -> None:
    first = f.complaint(ctx, reason_code="01")
    second = f.complaint(ctx, reason_code="02")
    reasons = [
        ("C", code, name, "", code)
        for code, name in ClassificationCode.objects.filter(dimension="reason").values_list("code", "name")
    ]
    swapped = [
        ("C", "02" if r[1] == "01" else "01" if r[1] == "02" else r[1], r[2], "", r[4]) for r in reasons
    ]
    run_import(
        workbook(tmp_path / "swap.xlsx", swapped, header=("dimension", "code", "name", "parent", "old_code"))
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.reason_code, second.reason_code) == ("02", "01")
    assert ClassificationCode.objects.get(dimension="reason", code="02").name == "服务态度及服务质量"
    assert current_codes()[("reason", "01")] == "02"
