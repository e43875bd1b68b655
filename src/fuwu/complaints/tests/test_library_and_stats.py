"""De-identification, the typical-case library, hotspots, and the quarterly Excel export opened and checked."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fuwu.complaints import services, stats
from fuwu.complaints.deid import deidentify
from fuwu.complaints.tests import factories as f
from fuwu.core import clock
from fuwu.core.clock import SHANGHAI
from fuwu.core.errors import Conflict, Forbidden
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        (
            "客户王建国身份证11010519900307123X反映",
            ["王建国", "11010519900307123X", "1234", "110105"],
            ["客户", "反映"],
        ),
        ("联系电话13812345678，卡号6222021234567890123", ["13812345678", "5678", "0123"], ["联系电话"]),
        ("家住北京市朝阳区建国路88号3栋2单元501室", ["建国路", "88号", "501"], ["家住"]),
        ("苏州市工业园区星湖街328号", ["星湖街", "328号"], []),
        ("王先生说柜员小李态度差，张阿姨也在场", ["王先生", "小李", "张阿姨"], ["某先生", "柜员", "态度差"]),
        ("金额小于500元，用老方法处理", [], ["小于500元", "老方法"]),
    ],
)
def test_deidentify_removes_names_numbers_and_addresses(text: str, gone: list[str], kept: list[str]) -> None:
    cleaned = deidentify(text, ["王建国"])
    for item in gone:
        assert item not in cleaned, cleaned
    for item in kept:
        assert item in cleaned, cleaned


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def handled(ctx: Any, **kw: Any) -> Any:
    c = f.complaint(ctx, **kw)
    services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="柜员李柜员未执行一次性告知")
    services.complaint_decide(
        actor=ctx.handler, complaint=c, facts="属实", basis="服务规范", remedy="致歉", upheld=True
    )
    services.complaint_reply(actor=ctx.handler, complaint=c, method="phone", text="已致歉")
    return c


def test_typical_case_is_a_de_identified_copy(ctx: Any) -> None:
    c = handled(
        ctx,
        staff=ctx.teller_a,
        complainant_name="刘建华",
        content="刘建华（电话13812345678）住海淀区学院路20号，投诉李柜员态度差。",
    )
    case = services.typical_case_create(
        actor=ctx.handler,
        complaint=c,
        polarity="negative",
        title="刘建华投诉柜员态度",
        lesson="李柜员应一次性告知",
    )
    for secret in ("刘建华", "13812345678", "学院路20号", "李柜员"):
        assert secret not in case.text + case.title + case.lesson
    assert "态度差" in case.text and "致歉" in case.text
    with pytest.raises(Conflict):
        services.typical_case_create(actor=ctx.handler, complaint=c, polarity="positive", title="again")
    with pytest.raises(Conflict):
        services.typical_case_create(
            actor=ctx.handler, complaint=f.complaint(ctx), polarity="positive", title="x"
        )


def test_library_page_is_scoped(ctx: Any, client: Client) -> None:
    c = handled(ctx)
    services.typical_case_create(
        actor=ctx.handler, complaint=c, polarity="positive", title="耐心解释化解矛盾"
    )
    client.force_login(ctx.head_a)
    assert "耐心解释化解矛盾" in client.get("/complaints/library/").content.decode()
    client.force_login(ctx.teller_b)
    assert "耐心解释化解矛盾" not in client.get("/complaints/library/").content.decode()
    client.force_login(ctx.auditor)
    assert "耐心解释化解矛盾" in client.get("/complaints/library/").content.decode()
    outsider = f.staff(ctx.outlet_b, "head_b", "outlet_head")
    client.force_login(outsider)
    assert "耐心解释化解矛盾" not in client.get("/complaints/library/").content.decode()


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI)  # before the frozen 09:00


def test_hotspots_find_the_category_and_terms_rising_against_their_own_history(ctx: Any) -> None:
    start = dt.date(2026, 3, 2)
    for weeks in range(1, 13):  # steady history: one card complaint every week for 12 weeks before
        f.complaint(
            ctx,
            received_at=_at(start - dt.timedelta(weeks=weeks) - dt.timedelta(days=31)),
            category_code="03",
            content="信用卡年费扣费有疑问",
        )
    for day in range(6):  # recent burst of loan complaints about 提前还款违约金
        f.complaint(
            ctx,
            received_at=_at(start - dt.timedelta(days=day)),
            category_code="02",
            content="房贷提前还款被收取违约金，事先没有告知",
        )
    f.complaint(
        ctx, received_at=_at(start - dt.timedelta(days=3)), category_code="03", content="信用卡年费扣费有疑问"
    )
    spots = stats.hotspots(fetched_by=ctx.hq_manager, as_of=start)
    assert spots["categories"][0].key == "02" and spots["categories"][0].recent == 6
    assert "03" not in [h.key for h in spots["categories"]]  # one card complaint is below its usual rate
    assert "违约金" in [h.key for h in spots["terms"]]
    with pytest.raises(Forbidden):  # the front line reads no statistics (#19)
        stats.hotspots(fetched_by=ctx.teller_b, as_of=start)
    assert stats.hotspots(fetched_by=ctx.hq_manager, as_of=start, unit=ctx.t1x) == {
        "categories": [],
        "terms": [],
    }


def test_quarterly_excel_export_opened_and_checked(ctx: Any, client: Client) -> None:
    from fuwu.customers.services import customer_create

    for i in range(4):
        customer_create(actor=SYSTEM, customer_no=f"C{i}", name=f"客户{i}", home_outlet=ctx.outlet_a)
    clock.set_clock(dt.datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI), 0)
    on_time = handled(ctx, channel_code="0303", category_code="03", reason_code="07")  # replied same day
    clock.set_clock(dt.datetime(2026, 1, 6, 9, 0, tzinfo=SHANGHAI), 0)
    late = f.complaint(ctx, channel_code="01", category_code="03", reason_code="01", severity="major")
    f.complaint(
        ctx, outlet=ctx.outlet_b, actor=ctx.teller_b, channel_code="01", category_code="02", reason_code="01"
    )
    clock.set_clock(dt.datetime(2026, 2, 3, 9, 0, tzinfo=SHANGHAI), 0)  # 28 days later, fast track was 5
    services.complaint_assign(actor=ctx.head_a, complaint=late, handler=ctx.handler)
    services.complaint_investigate(actor=ctx.handler, complaint=late, root_cause="x")
    services.complaint_decide(actor=ctx.handler, complaint=late, facts="x", basis="y")
    services.complaint_reply(actor=ctx.handler, complaint=late, method="letter", text="z")
    clock.set_clock(dt.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI), 0)
    f.complaint(ctx)  # next quarter: not counted

    s = stats.regulator_stats(fetched_by=ctx.hq_manager, year=2026, quarter=1)
    assert (s.received, s.closed, s.on_time, s.on_time_rate, s.outlets, s.customers) == (3, 2, 1, 0.5, 3, 4)
    assert s.per_thousand_outlets == 1000.0 and s.per_ten_million_customers == 7_500_000.0
    assert s.avg_cycle_days == 14.0  # (0 + 28) / 2
    assert s.avg_cycle_business_days == 10.0  # 01-06 -> 02-03: 20 business days; /2
    assert on_time.closed_at is not None

    client.force_login(ctx.hq_manager)
    r = client.get("/complaints/stats/export.xlsx?year=2026&quarter=1")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "投诉渠道", "业务类别", "投诉原因", "网点", "明细"]
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["投诉总量"] == 3 and summary["按时办结率"] == 0.5 and summary["重大"] == 1
    categories = {row[1]: row[2] for row in wb["业务类别"].iter_rows(min_row=2, values_only=True)}
    assert categories == {"银行卡": 2, "贷款": 1, None: 3}  # the last row is the total
    channels = {row[0]: row[2] for row in wb["投诉渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels == {"01": 2, "0303": 1, "合计": 3}
    outlets = {row[0]: row[2] for row in wb["网点"].iter_rows(min_row=2, values_only=True)}
    assert outlets == {"OA": 2, "OB": 1}
    assert wb["明细"].max_row == 4

    client.force_login(ctx.head_a)  # outlet OA sees only its own two
    wb = load_workbook(io.BytesIO(client.get("/complaints/stats/export.xlsx?year=2026&quarter=1").content))
    assert {row[0]: row[1] for row in wb["汇总"].iter_rows(values_only=True) if row and row[0]}[
        "投诉总量"
    ] == 2


def test_excel_export_keeps_formula_like_names_as_text(ctx: Any, client: Client) -> None:
    from fuwu.complaints.models import ClassificationCode

    evil = '=HYPERLINK("http://evil.example/","点我")'
    ctx.outlet_a.name = evil
    ctx.outlet_a.save()
    ClassificationCode.objects.filter(dimension="category", code="04").update(name="+cmd|' /C calc'!A0")
    f.complaint(ctx)
    client.force_login(ctx.hq_manager)
    today = clock.today()
    r = client.get(f"/complaints/stats/export.xlsx?year={today.year}&quarter={(today.month - 1) // 3 + 1}")
    wb = load_workbook(io.BytesIO(r.content))
    cells = [cell for sheet in wb.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells}
    assert evil in texts and "+cmd|' /C calc'!A0" in texts
