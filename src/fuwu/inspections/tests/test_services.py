"""Inspections and the rectification ledger through their services: every transition and refusal."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext as _

from fuwu.core import clock, roles
from fuwu.core.defects import Defect, SourceKind, report, tasks_for
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.inspections import selectors, services, xlsx
from fuwu.inspections.models import Finding, Inspection, Item, Photo, RectificationTask
from fuwu.inspections.tests.factories import fill, items, jpeg, setup, submitted, task_for

pytestmark = pytest.mark.django_db


def test_builtin_templates_are_installed_with_seed_content(world: Any) -> None:
    setup(world)
    codes = {t.code: v for t, v in selectors.templates_list(fetched_by=world.hq_manager)}
    assert {"WGY", "QGY", "SBZ", "SBX", "BDF", "SWFZ", "6S", "YRYB", "LSFW", "TTDW"} <= set(codes)
    wgy = [i.text for i in selectors.template_items(fetched_by=world.hq_manager, version=codes["WGY"])]
    assert [t.split(":")[0] for t in wgy] == ["一声问候", "一个微笑", "一次询问", "一次引导/辅导", "一声道别"]
    ttdw = selectors.template_items(fetched_by=world.hq_manager, version=codes["TTDW"])
    assert {i.position for i in ttdw if i.position} == set(range(1, 8))
    assert services.templates_install_builtin(actor=SYSTEM) == 0  # idempotent


def test_an_inspection_keeps_the_version_it_started_on(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="WGY", kind="onsite"
    )
    v1 = i.version
    services.template_version_create(
        actor=world.hq_manager,
        code="WGY",
        name="五个一(普通区)",
        description="",
        note="加一项",
        items=[services.ItemSpec(section="普通区服务", code="WGY-1", text="一声问候", weight=5)],
    )
    i.refresh_from_db()
    assert i.version == v1 and v1.number == 1
    assert selectors.template_version(fetched_by=world.hq_manager, code="WGY").number == 2
    with pytest.raises(Forbidden):
        services.template_version_create(actor=world.sup, code="WGY", name="x", description="", items=[])


def test_template_excel_round_trips_into_a_new_version(world: Any) -> None:
    setup(world)
    v = selectors.template_version(fetched_by=world.hq_manager, code="SBZ")
    content = xlsx.template_workbook(v, selectors.template_items(fetched_by=world.hq_manager, version=v))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content))["检查项"]
    assert sheet["B2"].value == "SBZ-1" and sheet["F2"].value == "是"
    info, specs = xlsx.read_template(content)
    assert info["code"] == "SBZ" and [s.code for s in specs] == ["SBZ-1", "SBZ-2", "SBZ-3", "SBZ-4"]
    assert specs[3].critical and specs[3].severity == "critical" and specs[1].photo
    with pytest.raises(ValidationFailed):
        xlsx.read_template(b"not a workbook")


def test_a_full_visit_scores_and_opens_a_task_per_failed_item(world: Any) -> None:
    # SBZ weights 3,2,2,3 (SBZ-1 and SBZ-4 critical); SBZ-2 fails: 8 / 10 = 80.00, 良好
    i = submitted(world, "SBZ", fail={"SBZ-2"})
    assert i.status == "submitted" and i.score == Decimal("80.00") and i.band == "good"
    t = task_for(i, "SBZ-2")
    assert t.source_kind == "inspection" and t.owner == world.head_a and t.unit == world.outlet_a
    assert t.due > clock.today()
    assert AuditEvent.objects.filter(action="inspections.inspection.submit", target_id=str(i.pk)).exists()


def test_a_failed_critical_item_fails_the_inspection(world: Any) -> None:
    i = submitted(world, "SBZ", fail={"SBZ-4"})
    assert i.critical_failed and i.band == "fail" and i.score == Decimal("59")
    assert task_for(i, "SBZ-4").severity == "critical"


def test_submit_refuses_unanswered_items_and_failed_items_without_photo(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_submit(actor=world.sup, inspection=i)
    assert len(exc.value.details) == 4
    for item in items(i):
        services.response_save(
            actor=world.sup, inspection=i, item_id=item.pk, result="fail" if item.code == "SBZ-2" else "pass"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_submit(actor=world.sup, inspection=i)
    assert exc.value.details[0]["reason"] == _("A failed item needs a photo.")


def test_inspection_transitions_and_refusals(world: Any) -> None:
    setup(world)
    p = services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="onsite",
        supervisor=world.sup,
        planned_for=clock.today(),
    )
    with pytest.raises(Conflict):
        services.inspection_submit(actor=world.sup, inspection=p)  # not started
    item = items(p)[0]
    with pytest.raises(Conflict):
        services.response_save(actor=world.sup, inspection=p, item_id=item.pk, result="pass")
    with pytest.raises(Forbidden):
        services.inspection_start(actor=world.head_a, inspection=p)
    with pytest.raises(NotFound):
        services.inspection_start(actor=world.sup_x, inspection=p)
    services.inspection_start(actor=world.sup, inspection=p)
    assert p.status == "in_progress" and p.visit_date == clock.today()
    with pytest.raises(Conflict):
        services.inspection_start(actor=world.sup, inspection=p)
    services.inspection_cancel(actor=world.hq_manager, inspection=p)
    with pytest.raises(Conflict):
        services.inspection_cancel(actor=world.hq_manager, inspection=p)
    done = submitted(world)
    with pytest.raises(Conflict):
        services.inspection_submit(actor=world.sup, inspection=done)
    with pytest.raises(Conflict):
        services.response_save(actor=world.sup, inspection=done, item_id=items(done)[0].pk, result="pass")


def test_responses_are_validated(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="BDF", kind="video"
    )
    item = items(i)[0]
    with pytest.raises(ValidationFailed):
        services.response_save(actor=world.sup, inspection=i, item_id=item.pk, points=6)
    with pytest.raises(ValidationFailed):
        services.response_save(actor=world.sup, inspection=i, item_id=item.pk, points=3, position=8)
    with pytest.raises(ValidationFailed):
        services.response_save(
            actor=world.sup, inspection=i, item_id=item.pk, points=3, staff_id=world.teller_b.pk
        )
    r = services.response_save(
        actor=world.sup, inspection=i, item_id=item.pk, points=3, staff_id=world.teller_a.pk, position=5
    )
    r2 = services.response_save(actor=world.sup, inspection=i, item_id=item.pk, points=4)
    assert r2.pk == r.pk and r2.revision == 2 and r2.points == 4


def test_photos_keep_hash_exif_time_and_a_thumbnail(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    item = items(i)[1]
    content = jpeg((1600, 1200))
    p = services.photo_add(actor=world.sup, inspection=i, item_id=item.pk, content=content)
    import hashlib

    from PIL import Image

    assert p.sha256 == hashlib.sha256(content).hexdigest() and p.content_type == "image/jpeg"
    assert p.taken_at == dt.datetime(2026, 3, 2, 10, 15, tzinfo=clock.SHANGHAI)
    with p.thumbnail.open("rb") as f:
        assert max(Image.open(f).size) == 320
    assert selectors.photo(fetched_by=world.head_a, pk=p.pk) == p  # an announced visit: the outlet may look


def test_photos_that_are_not_images_or_too_large_are_refused(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    item = items(i)[1]
    with pytest.raises(ValidationFailed) as exc:
        services.photo_add(actor=world.sup, inspection=i, item_id=item.pk, content=b"%PDF-1.4 not an image")
    assert exc.value.details[0]["reason"] == _("The file is not an image.")
    from fuwu.inspections import photos

    with pytest.raises(ValidationFailed) as exc:
        services.photo_add(
            actor=world.sup, inspection=i, item_id=item.pk, content=b"\xff" * (photos.MAX_BYTES + 1)
        )
    assert exc.value.details[0]["reason"] == _("The photo is larger than %(mb)s MB.") % {"mb": 8}
    gif = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationFailed):
        services.photo_add(actor=world.sup, inspection=i, item_id=item.pk, content=gif.getvalue())
    assert Photo.objects.count() == 0


def test_the_outlet_cannot_see_a_planned_mystery_visit(world: Any) -> None:
    setup(world)
    p = services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="mystery",
        supervisor=world.sup,
        planned_for=clock.today() + dt.timedelta(days=10),
    )
    assert p not in selectors.inspections_list(fetched_by=world.head_a)
    with pytest.raises(NotFound):
        selectors.inspection(fetched_by=world.head_a, pk=p.pk)
    assert p in selectors.inspections_list(fetched_by=world.sup)
    services.inspection_start(actor=world.sup, inspection=p)
    with pytest.raises(NotFound):
        selectors.inspection(fetched_by=world.head_a, pk=p.pk)
    fill(world, p)
    services.inspection_submit(actor=world.sup, inspection=p)
    assert selectors.inspection(fetched_by=world.head_a, pk=p.pk) == p
    # an announced on-site visit is visible while planned
    q = services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="onsite",
        supervisor=world.sup,
        planned_for=clock.today(),
    )
    assert selectors.inspection(fetched_by=world.head_a, pk=q.pk) == q


def test_a_mystery_shopper_is_not_sent_to_the_same_outlet_within_the_lockout(world: Any) -> None:
    setup(world)
    day = clock.today() + dt.timedelta(days=5)
    services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="mystery",
        supervisor=world.sup,
        planned_for=day,
    )
    with pytest.raises(Conflict) as exc:
        services.inspection_plan(
            actor=world.hq_manager,
            outlet=world.outlet_a,
            template_code="WGY",
            kind="mystery",
            supervisor=world.sup,
            planned_for=day + dt.timedelta(days=60),
        )
    assert exc.value.code == "mystery_lockout"
    # another shopper, or the same one after the lock-out, or another outlet: fine
    services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="mystery",
        supervisor=world.sup2,
        planned_for=day + dt.timedelta(days=60),
    )
    services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_a,
        template_code="WGY",
        kind="mystery",
        supervisor=world.sup,
        planned_for=day + dt.timedelta(days=91),
    )
    services.inspection_plan(
        actor=world.hq_manager,
        outlet=world.outlet_b,
        template_code="WGY",
        kind="mystery",
        supervisor=world.sup,
        planned_for=day,
    )
    with pytest.raises(ValidationFailed):  # a supervisor of another branch cannot be sent
        services.inspection_plan(
            actor=world.hq_manager,
            outlet=world.outlet_a,
            template_code="WGY",
            kind="mystery",
            supervisor=world.sup_x,
            planned_for=day,
        )


def test_a_quarter_is_scheduled_one_visit_per_outlet(world: Any) -> None:
    setup(world)
    q = selectors.quarter_of(clock.today())
    planned = services.schedule_quarter(
        actor=world.hq_manager, branch=world.t1, quarter=q, template_code="WGY"
    )
    assert sorted(p.outlet.code for p in planned) == ["OA", "OB"]
    assert {p.supervisor for p in planned} == {world.sup, world.sup2}  # the least loaded first
    assert (
        services.schedule_quarter(actor=world.hq_manager, branch=world.t1, quarter=q, template_code="WGY")
        == []
    )


def test_rectification_life_open_submit_reopen_submit_verify(world: Any) -> None:
    t = task_for(submitted(world), "SBZ-2")
    with pytest.raises(Conflict):
        services.task_verify(actor=world.sup, task=t)  # nothing submitted
    with pytest.raises(Forbidden):
        services.task_submit_evidence(actor=world.sup, task=t, evidence="x")
    with pytest.raises(ValidationFailed):
        services.task_submit_evidence(actor=world.head_a, task=t, evidence="  ")
    services.task_submit_evidence(
        actor=world.head_a, task=t, evidence="已安排专人值守1号位", photo_files=[jpeg()]
    )
    assert t.status == "submitted" and t.on_time is True and t.photos.count() == 1
    with pytest.raises(Forbidden):
        services.task_verify(actor=world.head_a, task=t)  # no verifying one's own fix
    with pytest.raises(ValidationFailed):
        services.task_reopen(actor=world.sup, task=t, note="")
    services.task_reopen(actor=world.sup, task=t, note="复查时1号位仍空岗")
    assert t.status == "reopened"
    services.task_submit_evidence(actor=world.head_a, task=t, evidence="排班表已调整,弹性柜员补位")
    services.task_verify(actor=world.sup, task=t, note="现场复查通过")
    assert t.status == "verified" and t.verified_by == world.sup
    with pytest.raises(Conflict):
        services.task_reopen(actor=world.sup, task=t, note="again")
    with pytest.raises(NotFound):
        services.task_verify(actor=world.sup_x, task=t)


def test_verification_deferred_to_the_next_inspection_shows_the_item_to_the_inspector(world: Any) -> None:
    t = task_for(submitted(world), "SBZ-2")
    services.task_submit_evidence(actor=world.head_a, task=t, evidence="已整改")
    services.task_defer(actor=world.sup, task=t)
    assert t.recheck_at_next_inspection and t.status == "submitted"
    with pytest.raises(Conflict):
        services.task_defer(actor=world.sup, task=t)
    nxt = services.inspection_start_adhoc(
        actor=world.sup2, outlet=world.outlet_a, template_code="WGY", kind="onsite"
    )
    assert t in selectors.recheck_items(fetched_by=world.sup2, outlet=nxt.outlet)
    services.task_verify(actor=world.sup2, task=t)
    assert t not in selectors.recheck_items(fetched_by=world.sup2, outlet=nxt.outlet)


def test_an_upheld_appeal_removes_the_finding_and_restores_the_score(world: Any) -> None:
    i = submitted(world, "SBZ", fail={"SBZ-2", "SBZ-4"})
    assert i.score == Decimal("50.00") and i.critical_failed  # 5 / 10, already under the cap
    t = task_for(i, "SBZ-4")
    with pytest.raises(Forbidden):
        services.task_appeal(actor=world.sup, task=t, reason="不服")
    services.task_appeal(actor=world.head_a, task=t, reason="系监控角度误判,客户购买的是本行代销产品")
    assert t.status == "appealed"
    with pytest.raises(Forbidden):
        services.task_appeal_decide(actor=world.sup, task=t, uphold=True, note="x")  # made the finding
    with pytest.raises(Forbidden):
        services.task_appeal_decide(actor=world.head_a, task=t, uphold=True, note="x")  # the outlet itself
    services.task_appeal_decide(actor=world.sup2, task=t, uphold=True, note="经调取录像核实,申诉成立")
    assert t.status == "withdrawn"
    i.refresh_from_db()
    assert i.score == Decimal("80.00") and not i.critical_failed and i.band == "good"
    f = Finding.objects.get(pk=t.finding_id)
    assert f.removed and f.response.result == "fail"  # the answer is kept, the finding removed
    assert f.history.count() == 2
    assert AuditEvent.objects.filter(action="inspections.inspection.rescore").count() == 1


def test_a_rejected_appeal_reopens_the_task_and_keeps_the_score(world: Any) -> None:
    i = submitted(world, "SBZ", fail={"SBZ-2"})
    t = task_for(i, "SBZ-2")
    services.task_appeal(actor=world.head_a, task=t, reason="当时在引导客户")
    services.task_appeal_decide(actor=world.hq_manager, task=t, uphold=False, note="录像显示空岗5分钟")
    assert t.status == "open"
    i.refresh_from_db()
    assert i.score == Decimal("80.00")


def test_appeals_close_after_the_appeal_period(world: Any, seeded_calendar: None) -> None:
    i = submitted(world)
    t = task_for(i, "SBZ-2")
    clock.set_clock(clock.now() + dt.timedelta(days=14), speed=0)
    try:
        with pytest.raises(Conflict) as exc:
            services.task_appeal(actor=world.head_a, task=t, reason="超过申诉期的申诉")
        assert exc.value.code == "appeal_period_over"
    finally:
        clock.reset()


def test_each_escalation_rung_notifies_the_owner_and_that_rungs_manager_once(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """S3 / #14: an escalation is sent, not only recorded: the owner and the manager of the unit it reached."""
    from fuwu.core import calendar
    from fuwu.core.models import Notification
    from fuwu.core.notifications import text

    t = task_for(submitted(world), "SBZ-2")
    t1_manager = world.person("t1m", world.t1, roles.HQ_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        services.tasks_escalate(actor=SYSTEM, today=calendar.add_business_days(t.due, 1))
        services.tasks_escalate(actor=SYSTEM, today=calendar.add_business_days(t.due, 1))  # run twice
    sent = Notification.objects.filter(target_type="inspections.rectificationtask", target_id=str(t.pk))
    # Rung 1 is the tier-2 branch: its supervisor (sup2) answers for it; the owner is the outlet head.
    assert sorted(n.recipient.username for n in sent) == ["head_a", "sup2"]
    assert "逾期 1 个工作日" in text(sent.first()) and "海淀支行" in text(sent.first())
    with django_capture_on_commit_callbacks(execute=True):
        services.tasks_escalate(actor=SYSTEM, today=calendar.add_business_days(t.due, 4))
    assert sorted(n.recipient.username for n in sent.all()) == ["head_a", "head_a", "sup2", "t1m"]
    assert Notification.objects.get(recipient=t1_manager).target_id == str(t.pk)


def test_overdue_is_one_rule_for_the_ledger_the_task_the_api_and_the_sweep(world: Any) -> None:
    """Past its due date and not yet fixed: the ledger filter, the task's flag and the API agree, day by day;
    the sweep escalates exactly those, except a task whose appeal the branch has not decided yet."""
    from fuwu.core import calendar

    inspection = submitted(world, "SBZ", fail={"SBZ-2", "SBZ-3", "SBZ-4"})
    late, appealed, fixed = (task_for(inspection, c) for c in ("SBZ-2", "SBZ-3", "SBZ-4"))
    services.task_appeal(actor=world.head_a, task=appealed, reason="误判,申诉")
    services.task_submit_evidence(actor=world.head_a, task=fixed, evidence="已整改")
    assert fixed.on_time is True
    sup = _client_for(world.sup)
    for day, overdue in ((late.due, set()), (late.due + dt.timedelta(days=1), {late.pk, appealed.pk})):
        with clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=clock.SHANGHAI)):
            listed = selectors.ledger(fetched_by=world.sup, filt=selectors.LedgerFilter(overdue=True))
            flagged = {t.pk for t in RectificationTask.objects.all() if t.is_overdue}
            api = {t["id"] for t in sup.get("/api/v1/rectifications").json() if t["overdue"]}
        assert {t.pk for t in listed} == flagged == api == overdue, day
    assert late.due == appealed.due  # both normal severity: five business days
    assert services.tasks_escalate(actor=SYSTEM, today=calendar.add_business_days(late.due, 1)) == 1
    assert RectificationTask.objects.get(escalation_level__gt=0) == late


def _client_for(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_overdue_tasks_escalate_up_the_tree_one_level_at_a_time(world: Any) -> None:
    t = task_for(submitted(world), "SBZ-2")
    from fuwu.core import calendar

    assert services.tasks_escalate(actor=SYSTEM, today=t.due) == 0
    day1 = calendar.add_business_days(t.due, 1)
    assert services.tasks_escalate(actor=SYSTEM, today=day1) == 1
    t.refresh_from_db()
    assert t.escalation_level == 1 and t.escalated_to == world.t2
    assert services.tasks_escalate(actor=SYSTEM, today=day1) == 0  # idempotent
    assert services.tasks_escalate(actor=SYSTEM, today=calendar.add_business_days(t.due, 4)) == 1
    t.refresh_from_db()
    assert t.escalated_to == world.t1
    assert (
        selectors.ledger(fetched_by=world.sup, filt=selectors.LedgerFilter(overdue=True)) == []
    )  # today < due


def test_the_ledger_shows_every_source_side_by_side_with_one_filter(world: Any) -> None:
    i = submitted(world)
    report(
        actor=SYSTEM,
        defect=Defect(
            SourceKind.COMPLAINT,
            "C-1",
            "TS2026-0001 柜员态度生硬",
            world.outlet_a,
            "根因:服务态度",
            severity="major",
            url="/complaints/1/",
        ),
    )
    report(
        actor=SYSTEM,
        defect=Defect(
            SourceKind.EVALUATION,
            "F-7",
            "不满意评价回访:等候过久",
            world.outlet_a,
            "回访确认叫号混乱",
            severity="minor",
        ),
    )
    report(actor=SYSTEM, defect=Defect(SourceKind.COMPLAINT, "C-2", "TS2026-0002", world.outlet_x, "x"))
    rows = selectors.ledger(fetched_by=world.head_a)
    assert {t.source_kind for t in rows} == {"inspection", "complaint", "evaluation"}
    assert len(rows) == 3  # outlet_x's task is not the outlet head's
    assert [
        t.source_id
        for t in selectors.ledger(
            fetched_by=world.head_a, filt=selectors.LedgerFilter(source_kind="complaint")
        )
    ] == ["C-1"]
    everything = selectors.ledger(fetched_by=world.hq_manager, filt=selectors.LedgerFilter(unit_code="T1"))
    assert len(everything) == 3
    major = next(t for t in rows if t.source_id == "C-1")
    minor = next(t for t in rows if t.source_id == "F-7")
    assert major.due < minor.due
    assert task_for(i, "SBZ-2") in selectors.ledger(
        fetched_by=world.head_a, filt=selectors.LedgerFilter(q="SBZ-2")
    )


def test_reporting_the_same_source_twice_opens_one_task(world: Any) -> None:
    d = Defect(SourceKind.COMPLAINT, "C-9", "TS2026-0009", world.outlet_a, "x")
    first, second = report(actor=SYSTEM, defect=d)[0], report(actor=SYSTEM, defect=d)[0]
    assert first == second and RectificationTask.objects.count() == 1
    views = tasks_for(fetched_by=world.head_a, source_kind="complaint", source_id="C-9")
    assert [v.state for v in views] == ["open"] and views[0].owner == "陈主任"
    assert tasks_for(fetched_by=world.teller_b, source_kind="complaint", source_id="C-9") == []


def test_roster_shows_the_gap_against_the_seed_minimum(world: Any) -> None:
    setup(world)
    for n in range(4):
        world.person(f"t1sup{n}", world.t1, roles.SUPERVISOR)
    rows = {r.branch.code: r for r in selectors.roster(fetched_by=world.hq_manager)}
    assert rows["T1"].minimum == 5 and len(rows["T1"].supervisors) == 5 and rows["T1"].gap == 0
    assert rows["T2"].minimum == 3 and rows["T2"].gap == 2
    assert rows["T1X"].gap == 4


def test_piece_rate_counts_verified_findings_only(world: Any) -> None:
    a = submitted(world, "SBZ", fail={"SBZ-2", "SBZ-3"})
    b = submitted(world, "SBZ", fail={"SBZ-4"})
    t1, t2, t3 = task_for(a, "SBZ-2"), task_for(a, "SBZ-3"), task_for(b, "SBZ-4")
    services.task_submit_evidence(actor=world.head_a, task=t1, evidence="已整改")
    services.task_verify(actor=world.sup2, task=t1)
    services.task_appeal(actor=world.head_a, task=t3, reason="误判,申诉")
    services.task_appeal_decide(actor=world.sup2, task=t3, uphold=True, note="申诉成立")
    rows = selectors.piece_rate(fetched_by=world.hq_manager, month=clock.today())
    (row,) = [r for r in rows if r.supervisor == world.sup]
    assert (row.inspections, row.findings_verified, row.findings_open, row.findings_removed) == (2, 1, 1, 1)
    content = xlsx.tally_workbook("2026-03", rows, 20)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "sup1" and sheet["E2"].value == 1 and sheet["I2"].value == 20
    assert t2.status == "open"


def test_trends_compare_quarters_against_the_two_point_target(world: Any) -> None:
    setup(world)
    for when, fails in (
        (dt.datetime(2026, 2, 10, 10, tzinfo=clock.SHANGHAI), {"WGY-1", "WGY-2"}),
        (dt.datetime(2026, 5, 12, 10, tzinfo=clock.SHANGHAI), {"WGY-1"}),
    ):
        clock.set_clock(when, speed=0)
        try:
            i = services.inspection_start_adhoc(
                actor=world.sup, outlet=world.outlet_a, template_code="WGY", kind="mystery"
            )
            fill(world, i, fail=fails)
            services.inspection_submit(actor=world.sup, inspection=i)
        finally:
            clock.reset()
    from fuwu.core import rollups

    # the trend reads the catalogue's rollups (#14): built as the sweep would
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    (row,) = selectors.mystery_trend(fetched_by=world.hq_manager, quarters=["2026Q1", "2026Q2"])
    assert row.scores == {"2026Q1": Decimal("60.00"), "2026Q2": Decimal("80.00")}
    assert row.latest_gain == Decimal("20.00") and row.meets_target
    worst = selectors.worst_items(fetched_by=world.hq_manager, since=dt.date(2026, 1, 1))
    assert worst == [] or worst[0].code == "WGY-1"
    assert Inspection.objects.count() == 2 and Item.objects.exists()


def test_the_cli_imports_a_template_workbook_as_a_new_version(world: Any, tmp_path: Any) -> None:
    setup(world)
    from fuwu.inspections.importers import import_template

    v = selectors.template_version(fetched_by=world.hq_manager, code="6S")
    path = tmp_path / "6s.xlsx"
    path.write_bytes(
        xlsx.template_workbook(v, selectors.template_items(fetched_by=world.hq_manager, version=v))
    )
    assert import_template(path) == "已导入 6S 第 2 版，共 6 个检查项"


def test_a_defect_outside_an_outlet_is_owned_by_that_units_manager(world: Any) -> None:
    """S3: a contact centre's forbidden phrase at head office is not left without an owner."""
    task = services.task_open(
        actor=SYSTEM,
        defect=Defect(
            source_kind=SourceKind.LANGUAGE,
            source_id="cc-1",
            label="禁用语",
            unit=world.ho,
            description="坐席使用禁用语",
        ),
    )
    assert task.owner == world.hq_manager
    at_outlet = services.task_open(
        actor=SYSTEM,
        defect=Defect(
            source_kind=SourceKind.LANGUAGE,
            source_id="oa-1",
            label="禁用语",
            unit=world.outlet_a,
            description="x",
        ),
    )
    assert at_outlet.owner == world.head_a
