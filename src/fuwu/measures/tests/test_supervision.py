"""Supervision measures (#14; K1, S2–S3) in the one catalogue: rollups equal the Ibis definitions on a hand-built month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import calendar, clock
from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.principals import SYSTEM
from fuwu.inspections import services as inspections
from fuwu.inspections.tests.factories import submitted, task_for
from fuwu.measures import catalogue, definitions, facts, selectors, services

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)  # a Monday
SUPERVISION = (
    "inspection_score",
    "mystery_score",
    "findings_per_inspection",
    "rectification_on_time_rate",
    "open_rectifications",
    "overdue_rectifications",
)


@pytest.fixture
def month(world: Any) -> Any:
    """Two inspections and a complaint's remediation on Monday 2 March; one task verified, one appealed away."""
    clock.set_clock(dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI), speed=0)
    try:
        a = submitted(world, "SBZ", fail={"SBZ-2"}, kind="mystery")  # 80.00, one finding
        b = submitted(world, "SBZ", fail={"SBZ-2", "SBZ-3"}, kind="onsite")  # 60.00, two findings
        report(actor=SYSTEM, defect=Defect(SourceKind.COMPLAINT, "C-1", "TS-1", world.outlet_a, "x"))
        ta = task_for(a, "SBZ-2")
        inspections.task_submit_evidence(actor=world.head_a, task=ta, evidence="已整改")
        inspections.task_verify(actor=world.sup2, task=ta)  # verified on time
        tb = task_for(b, "SBZ-3")
        inspections.task_appeal(actor=world.head_a, task=tb, reason="误判,申诉")
        inspections.task_appeal_decide(actor=world.sup2, task=tb, uphold=True, note="申诉成立")  # b → 80.00
    finally:
        clock.reset()
    return world


def _rollup_parts(start: dt.date, end: dt.date, world: Any) -> dict[tuple[int, dt.date], dict[str, float]]:
    found = selectors.parts_by(
        None, start, end, by=["unit", "day"], parts=catalogue.INSPECTION_PARTS, fetched_by=world.hq_manager
    )
    return {k: v for k, v in found.items() if any(v.values())}


def _ibis_parts(start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], dict[str, float]]:
    tables = definitions.duckdb_tables(facts.arrow_tables(start, end))
    rows = definitions.parts_frame(tables, by=["unit_id", "business_date"])
    return {
        (r["unit_id"], r["business_date"]): {n: r[n] for n in catalogue.INSPECTION_PARTS}
        for r in rows
        if start <= r["business_date"] <= end and any(r[n] for n in catalogue.INSPECTION_PARTS)
    }


def test_daily_parts_from_the_rollups_equal_the_ibis_definitions(month: Any) -> None:
    """K1: one definition, two engines — the rollup builder and Ibis on DuckDB give the same daily parts."""
    end = MON + dt.timedelta(days=40)
    services.rollup_rebuild(actor=SYSTEM, start=MON - dt.timedelta(days=5), end=end)
    changes = {}
    for (unit, day), parts in _ibis_parts(MON - dt.timedelta(days=5), end).items():
        changes[(unit, day)] = parts
    # the rollup reader returns balances for the stock parts; Ibis the daily changes: compare the flows,
    # then the balances as running sums of the changes
    rolled = selectors.parts_by(
        None, MON, end, by=["unit", "day"], parts=catalogue.INSPECTION_PARTS, fetched_by=month.hq_manager
    )
    flows = [n for n in catalogue.INSPECTION_PARTS if n not in catalogue.STOCK_PARTS]
    assert {k: {n: v[n] for n in flows} for k, v in changes.items() if any(v[n] for n in flows)} == {
        k: {n: v[n] for n in flows} for k, v in rolled.items() if any(v[n] for n in flows)
    }
    unit = month.outlet_a.pk
    for name in catalogue.LEDGER_STOCK_PARTS:
        running = 0.0
        day = MON
        while day <= min(end, clock.today()):
            running += changes.get((unit, day), {}).get(name, 0)
            assert rolled[(unit, day)][name] == running, (name, day)
            day += dt.timedelta(days=1)


def test_supervision_figures_on_hand_computed_cases(month: Any) -> None:
    """#14: scores after an upheld appeal, findings, on-time rate, and open/overdue as balances."""
    late = calendar.add_business_days(MON, 10)
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=late + dt.timedelta(days=1))
    values = catalogue.evaluate(
        selectors.total(month.outlet_a, MON, late, fetched_by=month.hq_manager), SUPERVISION
    )
    assert values["inspection_score"] == pytest.approx(80.0)  # (80 + 80) / 2 after the upheld appeal
    assert values["mystery_score"] == pytest.approx(80.0)
    assert values["findings_per_inspection"] == pytest.approx(1.0)  # 3 findings, 1 removed, 2 inspections
    assert values["rectification_on_time_rate"] == pytest.approx(100.0)
    # open at the end: b's SBZ-2 and the complaint; both overdue (due within 5 business days, no evidence)
    assert values["open_rectifications"] == 2 and values["overdue_rectifications"] == 2
    first_day = catalogue.evaluate(
        selectors.total(month.outlet_a, MON, MON, fetched_by=month.hq_manager), SUPERVISION
    )
    assert first_day["open_rectifications"] == 2 and first_day["overdue_rectifications"] == 0
    # a balance is read at the end of the period, and the tier-2 branch above adds its outlets' balances
    later = catalogue.evaluate(
        selectors.total(month.t2, late, late, fetched_by=month.hq_manager), ["open_rectifications"]
    )
    assert later["open_rectifications"] == 2


def test_a_reopened_task_past_its_due_date_is_overdue_in_the_catalogue_as_in_the_ledger(month: Any) -> None:
    """One overdue rule (#14): evidence rejected on reopening no longer stands, so the catalogue's balance at
    the end of a day equals the ledger's overdue tasks of that day, the reopened one included."""
    from fuwu.inspections import selectors as ledger
    from fuwu.inspections.models import RectificationTask

    clock.set_clock(dt.datetime(2026, 3, 3, 10, tzinfo=clock.SHANGHAI), speed=0)
    try:
        fixed = RectificationTask.objects.get(status="open", source_kind="inspection")
        inspections.task_submit_evidence(actor=month.head_a, task=fixed, evidence="已整改")  # on time
        inspections.task_reopen(actor=month.sup2, task=fixed, note="复查时问题依旧")
    finally:
        clock.reset()
    late = calendar.add_business_days(MON, 10)
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=late)
    with clock.frozen(dt.datetime.combine(late, dt.time(18), tzinfo=clock.SHANGHAI)):
        overdue = ledger.ledger(fetched_by=month.hq_manager, filt=ledger.LedgerFilter(overdue=True))
        values = catalogue.evaluate(
            selectors.total(month.outlet_a, late, late, fetched_by=month.hq_manager), SUPERVISION
        )
    assert {t.pk for t in overdue} >= {fixed.pk}
    assert values["overdue_rectifications"] == len(overdue) == 2  # the complaint's and the reopened one


def test_a_period_still_running_reads_todays_balance_not_a_forecast(month: Any) -> None:
    """Overdue is counted as of today: a task falling due next week is not overdue in this month's figure."""
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON + dt.timedelta(days=30))
    clock.set_clock(dt.datetime(2026, 3, 3, 12, tzinfo=clock.SHANGHAI), speed=0)
    try:
        march = selectors.parse_period("2026-03")
        values = catalogue.evaluate(
            selectors.total(month.outlet_a, march.start, march.end, fetched_by=month.hq_manager), SUPERVISION
        )
    finally:
        clock.reset()
    assert values["open_rectifications"] == 2 and values["overdue_rectifications"] == 0


def test_the_incremental_build_follows_an_appeal_and_a_verification(month: Any) -> None:
    """A change to a task or a finding marks its days, so the next refresh corrects the balances."""
    services.rollup_refresh(actor=SYSTEM)
    tasks = list(month.outlet_a and inspections_open(month))
    assert len(tasks) == 2
    task = tasks[0]
    clock.set_clock(dt.datetime(2026, 3, 4, 10, tzinfo=clock.SHANGHAI), speed=0)
    try:
        inspections.task_submit_evidence(actor=month.head_a, task=task, evidence="已整改")
        inspections.task_verify(actor=month.sup2, task=task)
    finally:
        clock.reset()
    services.rollup_refresh(actor=SYSTEM)
    day = dt.date(2026, 3, 4)
    values = catalogue.evaluate(
        selectors.total(month.outlet_a, MON, day, fetched_by=month.hq_manager), SUPERVISION
    )
    assert values["open_rectifications"] == 1
    assert values["rectification_on_time_rate"] == pytest.approx(100.0)


def inspections_open(world: Any) -> Any:
    from fuwu.inspections.models import RectificationTask

    return RectificationTask.objects.filter(unit=world.outlet_a, closed_at__isnull=True).order_by("pk")


def test_the_catalogue_names_the_supervision_measures_in_chinese() -> None:
    """No raw codes on screens: name, unit and definition of each new measure read in Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        for measure_id in SUPERVISION:
            described = catalogue.describe(catalogue.get(measure_id))
            for field in ("name", "definition"):
                assert any("\u4e00" <= ch <= "\u9fff" for ch in described[field]), (measure_id, field)
            assert not any(ch.isascii() and ch.isalpha() for ch in described["unit_label"]), measure_id
    assert catalogue.get("open_rectifications").stock and not catalogue.get("inspection_score").stock


# --- training completion (#17, K1) ---------------------------------------------------------------


def test_training_completion_from_the_rollups_equals_ibis_per_unit_and_course(
    world: Any, frozen_clock: Any
) -> None:
    """K1 "training completion": on time ÷ due, per unit and per course, the same through both engines."""
    from fuwu.core import roles
    from fuwu.training import services as training
    from fuwu.training.tests import factories as tf

    course = tf.course(world, online=True)
    due = dt.date(2026, 3, 3)
    a = training.assign_person(actor=SYSTEM, course=course, user=world.teller_a, due_date=due)
    b = training.assign_person(actor=SYSTEM, course=course, user=world.teller_b, due_date=due)
    other = world.person("teller_c", world.outlet_a, roles.TELLER)
    training.assign_person(actor=SYSTEM, course=course, user=other, due_date=due)
    training.assignment_complete_online(actor=world.teller_a, assignment=a)  # on time
    frozen_clock.advance(dt.timedelta(days=2))  # 03-04: late
    training.assignment_complete_online(actor=world.teller_b, assignment=b)
    services.rollup_refresh(actor=SYSTEM)
    ids = ["training_due", "training_on_time", "training_completed", "training_completion"]
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    rolled = catalogue.evaluate(selectors.total(world.outlet_a, *march, fetched_by=world.hq_manager), ids)
    assert rolled == {
        "training_due": 2,
        "training_on_time": 1,
        "training_completed": 1,
        "training_completion": pytest.approx(50.0),
    }
    by_course = selectors.parts_by(
        None, *march, by=["unit", "key"], cut="course", fetched_by=world.hq_manager
    )
    assert catalogue.evaluate(by_course[(world.outlet_b.pk, course.code)], ids)["training_completion"] == 0.0
    tables = definitions.duckdb_tables(facts.arrow_tables(*march))
    raw = {
        r["unit_id"]: catalogue.evaluate(r, ids)
        for r in definitions.parts_frame(tables, by=["unit_id"])
        if r["training_due"]
    }
    assert raw[world.outlet_a.pk] == rolled
    assert raw[world.outlet_b.pk]["training_completion"] == 0.0


# --- service language (#20, K1) ----------------------------------------------------------------------


def test_language_rates_from_the_rollups_equal_ibis_per_unit_and_agent(world: Any, tmp_path: Any) -> None:
    """K1: forbidden hits per 100 texts, texts with a hit, required-phrase compliance — both engines agree."""
    from fuwu.knowledge.importers import import_transcripts

    path = tmp_path / "calls.csv"
    path.write_text(
        "call_id,agent,time,text\n"
        'C1,TELLER_A,2026-03-02 09:10,"您好，这个我不知道，你问我我问谁。再见"\n'
        "C2,TELLER_A,2026-03-02 09:20,您好，请稍等，马上为您查询。请慢走\n"
        "C3,TELLER_B,2026-03-02 09:30,喂？卡丢了？下班了明天再来\n",
        encoding="utf-8",
    )
    import_transcripts(path)
    services.rollup_refresh(actor=SYSTEM)  # the back-dated import marked its day dirty
    ids = [
        "language_checked",
        "forbidden_phrase_hits",
        "forbidden_phrase_rate",
        "texts_with_forbidden_rate",
        "required_phrase_compliance",
    ]
    rolled = catalogue.evaluate(selectors.total(world.outlet_a, MON, MON, fetched_by=world.hq_manager), ids)
    assert rolled["language_checked"] == 2 and rolled["forbidden_phrase_hits"] == 2
    assert rolled["forbidden_phrase_rate"] == pytest.approx(100.0)
    assert rolled["texts_with_forbidden_rate"] == pytest.approx(50.0)
    assert rolled["required_phrase_compliance"] == pytest.approx(100.0)
    agents = selectors.parts_by(None, MON, MON, by=["key"], cut="agent", fetched_by=world.hq_manager)
    assert catalogue.evaluate(agents[("TELLER_B",)], ids)["required_phrase_compliance"] == 0.0
    tables = definitions.duckdb_tables(facts.arrow_tables(MON, MON))
    raw = {
        r["unit_id"]: catalogue.evaluate(r, ids)
        for r in definitions.parts_frame(tables, by=["unit_id"])
        if r["lang_checked"]
    }
    assert raw[world.outlet_a.pk] == rolled


# --- approval bottlenecks (#17, K1) ------------------------------------------------------------------


def test_approval_step_figures_from_the_rollups_equal_ibis(world: Any, frozen_clock: Any) -> None:
    """K1: breach rate, quantiles, waiting, working and steps in progress per step, through both engines."""
    from fuwu.approvals import services as approvals
    from fuwu.approvals.tests import factories as af

    af.small_loan()
    people = af.People(world)
    for n, h in enumerate([1, 2, 3, 4, 10]):
        with clock.frozen(dt.datetime(2026, 3, 2 + n, 9, tzinfo=clock.SHANGHAI)):
            case = af.start(world, "50000")
        with clock.frozen(dt.datetime(2026, 3, 2 + n, 9, tzinfo=clock.SHANGHAI) + dt.timedelta(hours=h)):
            approvals.step_approve(actor=people.rm, step=af.active(case))
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 14)
    services.rollup_rebuild(actor=SYSTEM, start=start, end=end)
    ids = [
        "approval_steps_decided",
        "approval_breach_rate",
        "approval_step_median_hours",
        "approval_step_p90_hours",
        "approval_waiting_hours",
        "approval_working_hours",
        "approval_calendar_hours",
    ]
    rolled = selectors.parts_by(None, start, end, by=["key"], cut="step", fetched_by=world.hq_manager)
    check = catalogue.evaluate(rolled[("LOAN:check",)], ids)
    assert check["approval_steps_decided"] == 5 and check["approval_breach_rate"] == pytest.approx(20.0)
    assert (check["approval_step_median_hours"], check["approval_step_p90_hours"]) == (4.0, 10.0)
    tables = definitions.duckdb_tables(facts.arrow_tables(start, end))
    raw = definitions.step_parts(tables["approval_steps"], ["key"]).to_pyarrow().to_pylist()
    flows = [n for n in catalogue.APPROVAL_PARTS if n not in catalogue.STOCK_PARTS]
    for row in raw:
        assert {n: row[n] for n in flows} == pytest.approx({n: rolled[(row["key"],)][n] for n in flows}), row[
            "key"
        ]
    assert catalogue.evaluate(
        {**catalogue.empty_parts(), **next(r for r in raw if r["key"] == "LOAN:check")}, ids
    ) == pytest.approx(check)


def test_the_definitions_page_and_api_list_every_measure_in_chinese(world: Any) -> None:
    """K1, no raw codes on screens: the new measures are listed with Chinese names, units and definitions."""
    import re

    from django.test import Client

    client = Client()
    client.force_login(world.hq_manager)
    html = client.get("/measures/definitions/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    for measure in catalogue.MEASURES:
        assert measure.name_zh in text or measure.id in html, measure.id
        assert f'data-measure="{measure.id}"' in html
    for new in ("检查平均得分", "神秘人检查得分", "培训按时完成率", "审批环节超时率", "禁用语百条命中数"):
        assert new in text
    for raw in ("open_rectifications", "training_completion", "forbidden_phrase_rate", "per inspection"):
        assert raw not in text
    api = {m["id"]: m for m in client.get("/api/v1/measures/catalogue").json()}
    assert (
        api["approval_breach_rate"]["name_zh"] == "审批环节超时率" and api["satisfaction"]["min_volume"] == 30
    )
    assert api["open_rectifications"]["stock"] and not api["tickets_issued"]["judged"]


def test_appraisal_scorecards_pick_the_new_measures_and_read_the_catalogue(month: Any) -> None:
    """K4 from K1: an outlet scorecard takes the supervision, training, language and approval measures; a staff
    scorecard refuses one with no per-person figure; appraisal's figure is the catalogue's."""
    from fuwu.appraisal import figures as appraisal_figures
    from fuwu.appraisal import services as appraisal
    from fuwu.core.errors import ValidationFailed

    card = appraisal.scorecard_create(actor=SYSTEM, level="outlet", name="网点")
    for measure in (
        "inspection_score",
        "overdue_rectifications",
        "training_completion",
        "forbidden_phrase_rate",
        "approval_breach_rate",
    ):
        appraisal.scorecard_item_add(actor=SYSTEM, scorecard=card, measure=measure, rule="rank")
    staff = appraisal.scorecard_create(actor=SYSTEM, level="staff", name="柜员", staff_role="teller")
    with pytest.raises(ValidationFailed):
        appraisal.scorecard_item_add(
            actor=SYSTEM, scorecard=staff, measure="open_rectifications", rule="rank"
        )
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON + dt.timedelta(days=31))
    period = selectors.parse_period("2026-03")
    got = appraisal_figures.unit_values(
        month.hq_manager, month.outlet_a, period, ["inspection_score", "open_rectifications"]
    )
    assert got["inspection_score"] == pytest.approx(80.0) and got["open_rectifications"] == 2
