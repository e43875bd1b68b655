from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from fuwu.core import clock, roles
from fuwu.core import services as core_services
from fuwu.core.errors import Forbidden, ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.staffing import selectors, services
from fuwu.staffing.importers import import_calls
from fuwu.staffing.models import CallRecord
from fuwu.staffing.tests.factories import CALL_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

DAY = "2026-03-02"
# 95599: 6 calls in the 09:00 interval — 3 answered within 20 s, 1 answered after 40 s,
# 1 abandoned after 3 s (short, excluded from the SL base), 1 abandoned after 60 s.
GOOD = (
    CALL_HEADER
    + "\n".join(
        [
            f"c1,95599,{DAY}T09:00:00,{DAY}T09:00:05,{DAY}T09:03:05,,A01",
            f"c2,95599,{DAY}T09:01:00,{DAY}T09:01:20,{DAY}T09:05:20,,A02",
            f"c3,95599,{DAY}T09:02:00,{DAY}T09:02:10,{DAY}T09:04:10,,A01",
            f"c4,95599,{DAY}T09:03:00,{DAY}T09:03:40,{DAY}T09:08:40,,A03",
            f"c5,95599,{DAY}T09:04:00,,,{DAY}T09:04:03,",
            f"c6,95599,{DAY}T09:05:00,,,{DAY}T09:06:00,",
            f"k1,信用卡,{DAY}T10:00:00,{DAY}T10:00:30,{DAY}T10:10:30,,B01",
            f"k2,credit_card,{DAY}T10:10:00,,,{DAY}T10:11:00,",
        ]
    )
    + "\n"
)


def write(tmp_path: Path, text: str, name: str = "calls.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def manager(world: Any) -> Any:
    return core_services.staff_create(
        actor=SYSTEM, org_unit=world.ho, username="cc", display_name="cc", roles=[roles.CC_MANAGER]
    )


def test_import_then_kpis_per_line_follow_the_contact_centre_definitions(
    world: Any, manager: Any, tmp_path: Path
) -> None:
    assert import_calls(write(tmp_path, GOOD)) == "已导入 8 条话务记录"
    day = dt.date(2026, 3, 2)
    hotline = selectors.call_kpis(fetched_by=manager, line="95599", day=day)
    total = hotline.total
    assert (total.offered, total.answered, total.abandoned) == (6, 4, 2)
    assert total.answer_rate == pytest.approx(4 / 6)
    assert total.abandon_rate == pytest.approx(2 / 6)
    assert total.service_level == pytest.approx(
        3 / (4 + 2 - 1)
    )  # answered ≤ 20 s ÷ (answered + abandoned > 5 s)
    assert total.aht == pytest.approx((180 + 240 + 120 + 300) / 4)
    assert hotline.intervals[18].offered == 6 and hotline.intervals[18].agents == {"A01", "A02", "A03"}
    card = selectors.call_kpis(fetched_by=manager, line="credit_card", day=day).total
    assert (card.offered, card.answered, card.abandoned) == (2, 1, 1)
    assert card.service_level == 0.0 and card.aht == 600


def test_bad_rows_are_all_reported_and_nothing_is_imported(world: Any, tmp_path: Path) -> None:
    bad = (
        CALL_HEADER
        + "\n".join(
            [
                f"x1,95599,{DAY}T09:00:00,{DAY}T09:00:05,{DAY}T09:03:05,,A01",
                f"x2,96666,{DAY}T09:00:00,{DAY}T09:00:05,{DAY}T09:03:05,,A01",
                f"x3,95599,not-a-time,,,{DAY}T09:00:05,",
                f"x4,95599,{DAY}T09:00:00,{DAY}T09:00:05,{DAY}T09:03:05,{DAY}T09:00:09,A01",
                f"x5,95599,{DAY}T09:00:00,{DAY}T08:59:00,{DAY}T09:03:05,,A01",
                f"x1,95599,{DAY}T09:00:00,,,{DAY}T09:00:05,",
                f"x6,95599,{DAY}T09:00:00,,,,",
            ]
        )
        + "\n"
    )
    with pytest.raises(ValidationFailed) as failed:
        import_calls(write(tmp_path, bad))
    found = {(d["row"], d["field"]) for d in failed.value.details}
    assert {
        (3, "line"),
        (4, "offered_at"),
        (5, "abandoned_at"),
        (6, "answered_at"),
        (7, "call_id"),
        (8, "answered_at"),
    } <= found
    assert (2, "call_id") not in found
    assert CallRecord.objects.count() == 0


def test_calls_imported_before_reject_the_whole_file(world: Any, tmp_path: Path) -> None:
    import_calls(write(tmp_path, GOOD))
    again = GOOD.replace("k2,", "k9,")
    with pytest.raises(ValidationFailed) as failed:
        import_calls(write(tmp_path, again, "again.csv"))
    assert any(d["field"] == "call_id" and "c1" in d["reason"] for d in failed.value.details)
    assert CallRecord.objects.count() == 8


def test_excel_file_and_the_import_command(world: Any, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["call_id", "line", "offered_at", "answered_at", "ended_at", "abandoned_at", "agent", "centre"]
    )
    sheet.append(
        [
            "e1",
            "95599",
            dt.datetime(2026, 3, 2, 9, 0),
            dt.datetime(2026, 3, 2, 9, 0, 12),
            dt.datetime(2026, 3, 2, 9, 4),
            None,
            "A01",
            "HO",
        ]
    )
    sheet.append(
        [
            "e2",
            "credit_card",
            dt.datetime(2026, 3, 2, 9, 30),
            None,
            None,
            dt.datetime(2026, 3, 2, 9, 31),
            None,
            "HO",
        ]
    )
    path = tmp_path / "calls.xlsx"
    book.save(path)
    call_command("import", "calls", str(path))
    first = CallRecord.objects.get(call_id="e1")
    assert first.offered_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    assert first.centre == world.ho
    with pytest.raises(CommandError, match=r"未从 .* 导入任何数据"):
        call_command("import", "calls", str(write(tmp_path, CALL_HEADER + "z1,95599,,,,,\n")))


def test_outsiders_see_no_calls_and_the_centre_page_shows_both_lines(
    world: Any, manager: Any, tmp_path: Path
) -> None:
    from fuwu.core import roles

    import_calls(write(tmp_path, GOOD))
    day = dt.date(2026, 3, 2)
    # a teller holds no call-record read permission at all; a manager elsewhere sees none of these calls
    with pytest.raises(Forbidden):
        selectors.call_kpis(fetched_by=world.teller_b, line="95599", day=day)
    teller = Client()
    teller.force_login(world.teller_b)
    assert teller.get("/api/v1/staffing/calls/kpis?line=95599&date=2026-03-02").status_code == 403
    elsewhere = world.person("cc_x", world.outlet_x, roles.CC_MANAGER)
    assert selectors.call_kpis(fetched_by=elsewhere, line="95599", day=day).total.offered == 0
    outsider = Client()
    outsider.force_login(elsewhere)
    api = outsider.get("/api/v1/staffing/calls/kpis?line=95599&date=2026-03-02").json()
    assert api["total"]["offered"] == 0 and api["intervals"] == []
    client = Client()
    client.force_login(manager)
    api = client.get("/api/v1/staffing/calls/kpis?line=95599&date=2026-03-02").json()
    assert api["total"]["offered"] == 6 and api["intervals"][0]["label"] == "09:00"
    assert client.get("/api/v1/staffing/calls/kpis?line=110&date=2026-03-02").status_code == 422
    page = client.get("/staffing/centre/?date=2026-03-02&line=95599")
    assert page.status_code == 200
    assert b'data-testid="line-95599"' in page.content and b'data-testid="line-credit_card"' in page.content
    assert b"66.7%" in page.content  # 95599 answer rate


def test_line_days_reads_a_range_once_and_matches_each_days_kpis(world: Any, manager: Any) -> None:
    """K1: the 14-day trend is one query and gives each day the same figures as that day alone."""
    rows = [
        services.CallRow(
            f"r{d}-{k}",
            "95599",
            at,
            at + dt.timedelta(seconds=15 * k),
            at + dt.timedelta(minutes=3),
            None,
            f"A{k}",
        )
        for d in range(3)
        for k in range(d + 1)
        for at in [dt.datetime(2026, 3, 1 + d, 23, 50, tzinfo=clock.SHANGHAI)]
    ]
    services.call_records_import(actor=SYSTEM, centre=world.ho, rows=rows)
    with CaptureQueriesContext(connection) as queries:
        days = selectors.line_days(
            fetched_by=manager, line="95599", first=dt.date(2026, 2, 28), last=dt.date(2026, 3, 4)
        )
    assert sum("staffing_callrecord" in q["sql"] for q in queries.captured_queries) == 1
    assert [d.total.offered for d in days] == [0, 1, 2, 3, 0]
    for d in days:
        alone = selectors.call_kpis(fetched_by=manager, line="95599", day=d.day)
        assert (d.total.offered, d.total.service_level, d.total.aht) == (
            alone.total.offered,
            alone.total.service_level,
            alone.total.aht,
        )
    assert days[3].intervals[47].agents == {"A0", "A1", "A2"}
    assert days[3].total.service_level == pytest.approx(2 / 3)  # answered after 0, 15 and 30 s


def test_centre_page_reads_each_lines_calls_once(world: Any, manager: Any, tmp_path: Path) -> None:
    import_calls(write(tmp_path, GOOD))
    client = Client()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/staffing/centre/?date=2026-03-02&line=95599")
    assert page.status_code == 200 and b"66.7%" in page.content
    assert sum("staffing_callrecord" in q["sql"] for q in queries.captured_queries) == 2


def test_line_plan_is_forecast_from_call_history_and_intraday_compares_actual(
    world: Any, manager: Any, seeded_calendar: None
) -> None:
    rows = []
    start = dt.date(2026, 1, 5)
    for d in range(56):
        day = start + dt.timedelta(days=d)
        for hour in range(8, 20):
            for k in range(6 if day.weekday() < 5 else 3):
                at = dt.datetime.combine(day, dt.time(hour, k * 9), tzinfo=clock.SHANGHAI)
                rows.append(
                    services.CallRow(
                        f"h{d}-{hour}-{k}",
                        "95599",
                        at,
                        at + dt.timedelta(seconds=15),
                        at + dt.timedelta(seconds=200),
                        None,
                        f"A{k}",
                    )
                )
    services.call_records_import(actor=SYSTEM, centre=world.ho, rows=rows)
    plan = services.staffing_plan_build(
        actor=manager,
        unit=world.ho,
        channel="95599",
        week_start=dt.date(2026, 3, 2),
        targets=services.DEFAULT_TARGETS["95599"],
    )
    grid = selectors.plan_grid(fetched_by=SYSTEM, plan=plan)
    monday = grid[0]
    assert monday.cells[0].label == "08:00"
    assert monday.cells[2].forecast == pytest.approx(4.0, abs=1.0)  # 09:00, 09:09, 09:18, 09:27
    assert monday.cells[26].forecast == 0  # 21:00, no history
    assert monday.cells[2].required >= 1
    the_plan, intraday = selectors.intraday(fetched_by=manager, line="95599", day=dt.date(2026, 3, 2))
    assert the_plan == plan
    assert intraday[0].label == "08:00" and intraday[0].forecast == monday.cells[0].forecast


def test_a_gbk_csv_with_chinese_line_names_imports(world: Any, tmp_path: Path) -> None:
    """#18, W5: a call file saved by Excel in China (GBK) imports; 信用卡 and agent names survive."""
    path = tmp_path / "calls.csv"
    path.write_bytes(GOOD.replace(",B01", ",张三").encode("gbk"))
    assert import_calls(path) == "已导入 8 条话务记录"
    assert CallRecord.objects.get(call_id="k1").agent == "张三"


def test_a_bad_row_after_a_blank_line_commits_nothing_and_names_its_line_in_chinese(
    world: Any, tmp_path: Path
) -> None:
    """#18, W5: the message names the file's own line (a blank line does not shift it); nothing is stored."""
    text = GOOD + "\n" + f"b1,95599,{DAY}T09:00:00,{DAY}T08:00:00,{DAY}T09:03:05,,A01\n"
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as failed:
        import_calls(write(tmp_path, text))
    assert "话务记录文件有 1 处问题，首处在第 11 行" in failed.value.message
    assert [(d["row"], d["field"]) for d in failed.value.details] == [(11, "answered_at")]
    assert CallRecord.objects.count() == 0


def test_a_header_only_calls_file_is_refused_not_imported_as_zero(world: Any, tmp_path: Path) -> None:
    """#18: "imported 0" would hide a wrong file."""
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as failed:
        import_calls(write(tmp_path, CALL_HEADER))
    assert [d["reason"] for d in failed.value.details] == ["文件中没有数据行"]


def test_import_links_the_caller_by_customer_number_or_phone_hash_and_stores_no_number(
    world: Any, tmp_path: Path
) -> None:
    """P1: a call names its caller by customer number or calling number; the number is only hashed, and an
    unknown customer number rejects the file."""
    from fuwu.customers.tests import factories as cf

    by_no = cf.customer(world.outlet_a, "L100", phone="13911110000")
    by_phone = cf.customer(world.outlet_b, "L101", phone="13922220000")
    head = "call_id,line,offered_at,answered_at,ended_at,abandoned_at,agent,customer_no,phone\n"
    rows = [
        f"p1,95599,{DAY}T09:00:00,{DAY}T09:00:05,{DAY}T09:03:05,,A01,L100,",
        f"p2,95599,{DAY}T09:01:00,,,{DAY}T09:01:30,,,139 2222 0000",
        f"p3,95599,{DAY}T09:02:00,,,{DAY}T09:02:30,,,13800001234",
    ]
    import_calls(write(tmp_path, head + "\n".join(rows) + "\n"))
    linked = dict(CallRecord.objects.values_list("call_id", "customer_id"))
    assert linked == {"p1": by_no.pk, "p2": by_phone.pk, "p3": None}
    stored = " ".join(str(v) for row in CallRecord.objects.values_list() for v in row)
    assert "13922220000" not in stored and "13800001234" not in stored
    bad = write(tmp_path, head + f"p4,95599,{DAY}T10:00:00,,,{DAY}T10:00:30,,NOSUCH,\n", "bad.csv")
    with pytest.raises(ValidationFailed) as refused:
        import_calls(bad)
    assert refused.value.details[0]["field"] == "customer_no" and refused.value.details[0]["row"] == 2
    assert not CallRecord.objects.filter(call_id="p4").exists()
