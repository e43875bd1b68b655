"""Contact-centre measures (K1 "as those facts arrive", W5 facts): hand-computed tiny cases through the rollups
and Ibis on DuckDB, rollup = raw for random calls, the staffing page's KPIs, dashboards and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuwu.core import roles
from fuwu.core import services as core_services
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM
from fuwu.measures import catalogue, definitions, facts, selectors, services
from fuwu.measures.models import DirtyDay
from fuwu.measures.tests import factories as f
from fuwu.staffing import selectors as staffing_selectors
from fuwu.staffing.importers import import_calls
from fuwu.staffing.models import CallRecord

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)
CALL_IDS = ("calls_offered", "calls_answered", *selectors.CALL_MEASURES[1:])


@pytest.fixture
def centre(world: Any) -> Any:
    return core_services.org_unit_create(
        actor=SYSTEM, parent=world.ho, code="CC", name="客服中心", kind="department"
    )


def call(
    centre: Any,
    offered: dt.datetime,
    *,
    line: str = "95599",
    answer: float | None = None,
    handle: float | None = None,
    abandon: float | None = None,
) -> CallRecord:
    """A call offered at `offered`, answered `answer` s later and handled `handle` s, or abandoned."""
    answered = offered + dt.timedelta(seconds=answer) if answer is not None else None
    return CallRecord.objects.create(
        centre=centre,
        call_id=f"call-{CallRecord.objects.count() + 1}",
        line=line,
        offered_at=offered,
        answered_at=answered,
        ended_at=answered + dt.timedelta(seconds=handle) if answered and handle is not None else None,
        abandoned_at=offered + dt.timedelta(seconds=abandon) if abandon is not None else None,
        agent="A01" if answered else "",
    )


def figures(world: Any, unit: Any, start: dt.date, end: dt.date, **cut: Any) -> dict[str, float | None]:
    """Call figures from the rollups, after checking the Ibis definitions on the raw calls agree."""
    services.rollup_rebuild(actor=SYSTEM, start=start, end=end)
    rolled = catalogue.evaluate(
        selectors.total(unit, start, end, **cut, fetched_by=world.hq_manager), CALL_IDS
    )
    if not cut:
        below = OrgUnit.objects.filter(path__startswith=unit.path)
        tables = definitions.duckdb_tables(facts.arrow_tables(start, end, below))
        rows = definitions.parts_frame(tables, by=[])
        raw = catalogue.evaluate(rows[0] if rows else catalogue.empty_parts(), CALL_IDS)
        assert raw == pytest.approx(rolled), (raw, rolled)
    return rolled


def five_calls(centre: Any) -> None:
    call(centre, f.at(MON, 9, 0), answer=15, handle=300)  # answered within 20 s
    call(centre, f.at(MON, 9, 10), answer=45, handle=120)  # answered late
    call(centre, f.at(MON, 9, 20), abandon=3)  # short abandon: in neither part of the service level
    call(centre, f.at(MON, 10, 0), abandon=60)  # abandoned after 5 s: counts against the service level
    call(centre, f.at(MON, 10, 30), line="credit_card", answer=20, handle=600)  # exactly 20 s: within


def test_call_measures_on_five_hand_computed_calls(world: Any, centre: Any) -> None:
    five_calls(centre)
    got = figures(world, centre, MON, MON)
    assert got["calls_offered"] == 5
    assert got["calls_answered"] == 3
    assert got["call_answer_rate"] == pytest.approx(60.0)  # 3 of 5
    assert got["call_service_level"] == pytest.approx(50.0)  # 2 ÷ (3 answered + 2 abandoned − 1 short)
    assert got["call_abandon_rate"] == pytest.approx(40.0)  # 2 of 5, the short one too
    assert got["call_aht"] == pytest.approx((300 + 120 + 600) / 3)
    # The bank above the centre sums it like any other unit.
    assert figures(world, world.ho, MON, MON) == got


def test_call_measures_per_line_and_hour(world: Any, centre: Any) -> None:
    five_calls(centre)
    hotline = figures(world, centre, MON, MON, cut="line", key="95599")
    assert hotline["calls_offered"] == 4
    assert hotline["call_service_level"] == pytest.approx(100 / 3)  # 1 ÷ (2 + 2 − 1)
    assert hotline["call_aht"] == pytest.approx(210.0)
    card = figures(world, centre, MON, MON, cut="line", key="credit_card")
    assert card["call_answer_rate"] == 100.0 and card["call_service_level"] == 100.0
    nine = figures(world, centre, MON, MON, cut="hour", key="9")
    assert nine["calls_offered"] == 3 and nine["call_abandon_rate"] == pytest.approx(100 / 3)
    assert figures(world, centre, MON, MON, cut="hour", key="10")["calls_offered"] == 2


def test_an_empty_period_and_short_abandons_only_have_no_data_not_zero(world: Any, centre: Any) -> None:
    empty = figures(world, centre, MON, MON)
    assert empty["calls_offered"] == 0
    for measure in ("call_answer_rate", "call_service_level", "call_abandon_rate", "call_aht"):
        assert empty[measure] is None, measure
    call(centre, f.at(MON, 9), abandon=5)  # 5 s is still "within 5 s"
    got = figures(world, centre, MON, MON)
    assert got["call_answer_rate"] == 0.0 and got["call_abandon_rate"] == 100.0
    assert got["call_service_level"] is None  # nobody answered and nobody waited past 5 s
    assert got["call_aht"] is None


def test_whole_seconds_decide_the_20_second_threshold(world: Any, centre: Any) -> None:
    # Offered at 09:00:00.900 and answered at 09:00:21.100: 20.2 s of real time, but the timestamps
    # truncated to the second are 21 s apart, so not within 20 s; 19.8 s across a second boundary is 20 s.
    call(centre, f.at(MON, 9) + dt.timedelta(microseconds=900_000), answer=20.2, handle=60)
    call(centre, f.at(MON, 9, 5) + dt.timedelta(microseconds=300_000), answer=19.8, handle=60)
    assert figures(world, centre, MON, MON)["call_service_level"] == pytest.approx(50.0)


def test_the_staffing_page_kpis_are_the_catalogue_figures(world: Any, centre: Any) -> None:
    five_calls(centre)
    # Sub-second timestamps where real time and whole seconds disagree: both read whole seconds.
    late = f.at(MON, 11) + dt.timedelta(microseconds=300_000)
    call(centre, late, answer=20.5, handle=60.5)  # 20.5 s real, 20 whole seconds: within 20 s; handle 61 s
    call(centre, late, abandon=5.5)  # 5.5 s real, 5 whole seconds: a short abandon
    got = figures(world, centre, MON, MON, cut="line", key="95599")
    assert got["call_service_level"] == pytest.approx(50.0)  # 2 ÷ (3 answered + 3 abandoned − 2 short)
    assert got["call_aht"] == pytest.approx((300 + 120 + 61) / 3)
    kpi = staffing_selectors.call_kpis(fetched_by=world.hq_manager, line="95599", day=MON).total
    assert got["call_answer_rate"] == pytest.approx((kpi.answer_rate or 0) * 100)
    assert got["call_service_level"] == pytest.approx((kpi.service_level or 0) * 100)
    assert got["call_abandon_rate"] == pytest.approx((kpi.abandon_rate or 0) * 100)
    assert got["call_aht"] == pytest.approx(kpi.aht)


call_spec = st.fixed_dictionaries(
    {
        "centre": st.sampled_from(["centre", "other"]),
        "day": st.sampled_from([dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)]),
        "second": st.integers(0, 24 * 3600 - 1),
        "micro": st.sampled_from([0, 400_000, 999_999]),
        "line": st.sampled_from(["95599", "credit_card"]),
        "outcome": st.sampled_from(["answered", "abandoned", "unended", "neither"]),
        "after": st.floats(0, 60),
        "handle": st.floats(0, 900),
    }
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(call_spec, max_size=25))
def test_call_rollups_equal_the_raw_definitions_per_centre_day_month_line_and_hour(
    world: Any, centre: Any, specs: list[dict[str, Any]]
) -> None:
    CallRecord.objects.all().delete()
    other = world.t1  # a second "centre" lower in the tree
    for spec in specs:
        offered = f.at(spec["day"], 0) + dt.timedelta(seconds=spec["second"], microseconds=spec["micro"])
        where = centre if spec["centre"] == "centre" else other
        outcome = spec["outcome"]
        if outcome == "abandoned":
            call(where, offered, line=spec["line"], abandon=spec["after"])
        elif outcome == "neither":
            call(where, offered, line=spec["line"])
        else:
            handle = None if outcome == "unended" else spec["handle"]
            call(where, offered, line=spec["line"], answer=spec["after"], handle=handle)
    start, end = dt.date(2026, 3, 30), dt.date(2026, 4, 1)
    services.rollup_rebuild(actor=SYSTEM, start=start, end=end)
    tables = definitions.duckdb_tables(facts.arrow_tables(start, end))
    hq = world.hq_manager

    def raw(by: list[str]) -> dict[tuple[Any, ...], dict[str, float]]:
        rows = definitions.call_parts(tables["calls"], by).to_pyarrow().to_pylist()
        return {tuple(str(r[k]) if k == "hour" else r[k] for k in by): only_calls(r) for r in rows}

    def rolled(groups: dict[tuple[Any, ...], dict[str, float]]) -> dict[tuple[Any, ...], dict[str, float]]:
        return {g: only_calls(p) for g, p in groups.items() if only_calls(p)["calls_offered"]}

    assert rolled(selectors.parts_by(world.ho, start, end, by=["unit", "day"], fetched_by=hq)) == raw(
        ["unit_id", "business_date"]
    )
    assert rolled(selectors.parts_by(world.ho, start, end, by=["month"], fetched_by=hq)) == raw(["month"])
    for cut, column in (("line", "line"), ("hour", "hour")):
        got = rolled(selectors.parts_by(world.ho, start, end, by=["key"], cut=cut, fetched_by=hq))
        assert got == raw([column])
    # Figures for one centre over the range, from its summed rollups and from its raw calls' parts.
    per_day = raw(["unit_id", "business_date"])
    expected = catalogue.sum_parts(p for (unit_id, _day), p in per_day.items() if unit_id == centre.pk)
    got = catalogue.evaluate(selectors.total(centre, start, end, fetched_by=hq), CALL_IDS)
    assert got == catalogue.evaluate(expected, CALL_IDS)


def only_calls(parts: dict[str, Any]) -> dict[str, float]:
    return {name: float(parts.get(name) or 0) for name in catalogue.CALL_PARTS}


def test_imported_calls_queue_their_days_for_the_next_sweep(world: Any, centre: Any, tmp_path: Path) -> None:
    services.rollup_refresh(actor=SYSTEM)  # first run: the watermark is now
    path = tmp_path / "calls.csv"
    path.write_text(
        "call_id,line,offered_at,answered_at,ended_at,abandoned_at,agent,centre\n"
        "x1,95599,2026-03-02T09:00:00,2026-03-02T09:00:10,2026-03-02T09:04:10,,A1,CC\n",
        encoding="utf-8",
    )
    import_calls(path)
    assert DirtyDay.objects.filter(unit=centre, date=MON).exists()
    services.rollup_refresh(actor=SYSTEM)
    assert selectors.total(centre, MON, MON, fetched_by=world.hq_manager)["calls_answered"] == 1


def test_the_contact_centre_manager_sees_call_cards_and_the_centre_its_lines(world: Any, centre: Any) -> None:
    five_calls(centre)
    f.ticket(world.outlet_a, f.at(MON, 9), wait=60, service_seconds=60)
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON)
    manager = core_services.staff_create(
        actor=SYSTEM, org_unit=world.ho, username="cc", display_name="钱经理", roles=[roles.CC_MANAGER]
    )
    c = Client()
    c.force_login(manager)
    html = c.get("/measures/", {"period": "2026-03"}).content.decode()
    assert 'data-testid="kpi-call_answer_rate">60.0<' in html
    assert 'data-testid="kpi-call_service_level">50.0<' in html
    assert 'data-testid="kpi-tickets_issued">1<' in html  # the bank shows both families
    page = c.get("/measures/", {"unit": centre.pk, "period": "2026-03"}).content.decode()
    assert 'data-testid="kpi-call_aht">340<' in page
    assert "kpi-tickets_issued" not in page  # a contact centre has no tickets
    assert "95599" in page and 'data-kind="line"' in page
    chart = json.loads(page.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["name"] == "20秒服务水平" and len(chart["series"]) == 31
    outlet = c.get("/measures/", {"unit": world.outlet_a.pk, "period": "2026-03"}).content.decode()
    assert "kpi-call_answer_rate" not in outlet


def test_fuwu_measures_prints_call_measures_for_the_bank(world: Any, centre: Any) -> None:
    five_calls(centre)
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON)
    args = ["--level", "bank", "--period", "2026-03", "--format", "json"]
    args += ["--measure", "call_service_level", "--measure", "call_aht", "--measure", "call_answer_rate"]
    out = StringIO()
    call_command("measures", *args, stdout=out)
    values = json.loads(out.getvalue())["rows"][0]["values"]
    assert values == {"call_service_level": 50.0, "call_aht": 340.0, "call_answer_rate": 60.0}
    raw = StringIO()
    call_command("measures", *args, "--source", "facts", stdout=raw)
    assert json.loads(raw.getvalue())["rows"][0]["values"] == values
    empty = StringIO()
    call_command("measures", "--level", "bank", "--period", "2026-04", "--measure", "call_aht", stdout=empty)
    assert "无数据" in empty.getvalue()  # "no data", never 0
