"""Approvals (L1): fast and full tracks, business-hour deadlines over holidays and 调休, pauses, escalation, versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fuwu.approvals import hours, selectors, services
from fuwu.approvals.models import CaseStatus, CaseStep, Escalation, StepStatus
from fuwu.approvals.services import StepSpec
from fuwu.approvals.tests import factories as f
from fuwu.core import clock, roles, rollups
from fuwu.core.clock import SHANGHAI
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.principals import SYSTEM


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_small_loan_takes_the_fast_track_below_the_threshold(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "50000")
    services.step_approve(actor=people.rm, step=f.active(case), comment="资料齐全")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    states = {s.step_def.code: s.status for s in case.steps.select_related("step_def")}
    assert states == {"check": "approved", "risk": "skipped", "credit": "skipped", "head": "skipped"}
    kinds = [e.kind for e in selectors.timeline(fetched_by=world.head_a, case=case)]
    assert kinds[0] == "case_started" and kinds.count("step_skipped") == 3 and kinds[-1] == "case_approved"


def test_full_track_runs_in_order_then_in_parallel(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "500000")
    with pytest.raises(Forbidden):  # a teller does not decide the RM's step
        services.step_approve(actor=world.teller_a, step=f.active(case))
    services.step_approve(actor=people.rm, step=f.active(case))
    with pytest.raises(NotFound):  # the outlet head does not even see the tier-2 review
        services.step_approve(actor=people.head, step=f.active(case, "risk"))
    services.step_approve(actor=people.risk, step=f.active(case, "risk"))
    credit, head = f.active(case, "credit"), f.active(case, "head")
    services.step_approve(actor=people.head, step=head)
    case.refresh_from_db()
    assert case.status == CaseStatus.RUNNING
    services.step_approve(actor=people.credit, step=credit, comment="同意")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    with pytest.raises(Conflict):
        services.step_approve(actor=people.credit, step=credit)


def test_return_then_resubmit_reopens_the_step(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "500000")
    services.step_approve(actor=people.rm, step=f.active(case))
    with pytest.raises(ValidationFailed):
        services.step_return(actor=people.risk, step=f.active(case), comment=" ")
    services.step_return(actor=people.risk, step=f.active(case), comment="缺少近半年流水")
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    with pytest.raises(NotFound):  # another outlet's teller
        services.case_resubmit(actor=world.teller_b, case=case)
    with pytest.raises(Forbidden):  # a colleague who did not start it
        services.case_resubmit(actor=world.person("teller_a2", world.outlet_a, roles.TELLER), case=case)
    services.case_resubmit(actor=world.teller_a, case=case, comment="已补充流水")
    assert f.active(case).step_def.code == "risk"
    services.step_reject(actor=people.risk, step=f.active(case), comment="负债率过高")
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.finished_at is not None


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        (at(2025, 9, 30, 16, 0), 8, at(2025, 10, 9, 16, 0)),  # National Day: Oct 1–8 off
        (at(2025, 10, 10, 16, 0), 16, at(2025, 10, 13, 16, 0)),  # Sat Oct 11 is a make-up workday (调休)
        (at(2025, 9, 26, 17, 30), 12, at(2025, 9, 29, 13, 0)),  # Sun Sep 28 is a make-up workday (8 h)
        (
            at(2026, 2, 13, 15, 0),
            24,
            at(2026, 2, 25, 15, 0),
        ),  # Spring Festival: 2+8 h (Sat Feb 14 works), Feb 15–23 off, 8+6 h
        (at(2026, 2, 27, 12, 0), 8, at(2026, 2, 28, 12, 0)),  # Sat Feb 28 is a make-up workday
    ],
)
def test_step_deadlines_count_business_hours_over_holidays_and_makeup_days(
    world: Any, seeded_calendar: Any, start: dt.datetime, limit: int, due: dt.datetime
) -> None:
    assert hours.add_business_hours(start, limit) == due
    assert hours.business_seconds_between(start, due) == limit * 3600
    f.small_loan()
    services.process_publish(
        actor=SYSTEM,
        code="LOAN",
        name="小微贷款审批",
        steps=[StepSpec("check", "网点初审", 1, roles.RM, "outlet", limit)],
    )
    with clock.frozen(start):
        case = f.start(world, "1000")
    step = f.active(case)
    assert step.due_at == due
    assert step.half_at == hours.add_business_hours(start, limit / 2)


def test_pause_for_documents_is_waiting_time_and_moves_the_deadline(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "500000")  # Mon 2026-03-02 09:00; check limit 4h → due 13:00
    step = f.active(case)
    assert step.due_at == at(2026, 3, 2, 13, 0)
    frozen_clock.advance(dt.timedelta(hours=1))  # 10:00, 3 business hours left
    with pytest.raises(Forbidden):
        services.case_pause(actor=world.teller_a, case=case, comment="请客户补充营业执照")
    services.case_pause(actor=people.rm, case=case, comment="请客户补充营业执照")
    with pytest.raises(Conflict):
        services.step_approve(actor=people.rm, step=step)
    frozen_clock.advance(dt.timedelta(days=1))  # Tue 10:00
    assert services.escalation_sweep(actor=SYSTEM) == 0  # a paused step does not escalate
    services.case_resume(actor=world.teller_a, case=case)
    step.refresh_from_db()
    assert step.paused_seconds == 24 * 3600
    assert step.due_at == at(2026, 3, 3, 13, 0)
    frozen_clock.advance(dt.timedelta(hours=2))
    services.step_approve(actor=people.rm, step=step)
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))  # as the sweep would
    figures = {
        r.step: r
        for r in selectors.bottlenecks(
            fetched_by=world.hq_manager,
            process_code="LOAN",
            start=dt.date(2026, 3, 1),
            end=dt.date(2026, 3, 31),
        )
    }
    check = figures["check"]
    # Mon 09:00 → Tue 12:00: 8 + 3 = 11 business hours (27 on the wall clock), of which Mon 10:00 → Tue 10:00
    # waiting for the customer = 7 + 1 = 8 business hours; working 3
    # the catalogue's median is the upper edge of its fixed bucket: 11 h lies in 10–12 h (#17)
    assert check.median_hours == pytest.approx(12.0) and check.calendar_mean_hours == pytest.approx(27.0)
    assert check.waiting_hours == pytest.approx(8.0) and check.working_hours == pytest.approx(3.0)
    assert check.breach_rate == 0.0 and figures["risk"].wip == 1


def test_escalation_fires_once_per_rung(world: Any, frozen_clock: Any, seeded_calendar: Any) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "500000")
    services.step_approve(actor=people.rm, step=f.active(case))  # risk: 8h from Mon 09:00
    assert services.escalation_sweep(actor=SYSTEM) == 0
    frozen_clock.advance(dt.timedelta(hours=4))  # 13:00 = 50%
    assert services.escalation_sweep(actor=SYSTEM) == 1
    assert services.escalation_sweep(actor=SYSTEM) == 0
    frozen_clock.advance(dt.timedelta(days=1))  # Tue 13:00: 12 business hours = 150%: rungs 2 and 3 at once
    assert services.escalation_sweep(actor=SYSTEM) == 2
    frozen_clock.advance(dt.timedelta(days=3))
    assert services.escalation_sweep(actor=SYSTEM) == 0
    rungs = {e.rung: e.notified_unit.code for e in Escalation.objects.all()}
    assert rungs == {1: "T2", 2: "T2", 3: "T1"}
    assert [e.data["rung"] for e in case.events.filter(kind="escalated")] == [1, 2, 3]


def test_each_rung_is_sent_once_to_the_deciders_and_then_up_the_tree(
    world: Any, frozen_clock: Any, seeded_calendar: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """L1 / #17: 50% reminds the deciders, 100% adds the owner unit's head, 150% the managers above; once each."""
    from fuwu.approvals.tasks import approvals_escalation_sweep
    from fuwu.core.models import Notification
    from fuwu.core.notifications import text

    f.small_loan()
    people = f.People(world)
    t2_head = world.person("t2_head", world.t2, roles.HQ_MANAGER)
    case = f.start(world, "500000")
    services.step_approve(
        actor=people.rm, step=f.active(case)
    )  # risk (tier-2 supervisors): 8h from Mon 09:00
    risk = f.active(case, "risk")

    def sweep_twice() -> None:
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                approvals_escalation_sweep.call()

    frozen_clock.advance(dt.timedelta(hours=4))  # 50%
    sweep_twice()
    sent = Notification.objects.filter(kind="approvals.escalation")
    assert [(n.recipient.username, n.key) for n in sent] == [("risk_t2", f"approvals.escalation:{risk.pk}:1")]
    assert text(sent[0]) == f"审批 {case.reference}（{risk.step_def.name}）已过时限的一半。"
    frozen_clock.advance(dt.timedelta(days=1))  # 150%: rungs 2 and 3
    sweep_twice()
    by_rung = sorted((n.key.rsplit(":", 1)[1], n.recipient.username) for n in sent.all())
    assert by_rung == [
        ("1", "risk_t2"),
        ("2", "risk_t2"),
        ("2", t2_head.username),
        ("3", "credit_t1"),
        ("3", "risk_t2"),
    ]
    assert {n.target_id for n in sent.all()} == {str(case.pk)}
    late = sent.get(key=f"approvals.escalation:{risk.pk}:3", recipient=people.credit)
    assert text(late) == f"审批 {case.reference}（{risk.step_def.name}）已超时限 50%，已上报至北京分行。"


def test_delegation_during_leave_and_reassignment(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    stand_in = world.person("rm_b", world.outlet_b, roles.RM)
    case = f.start(world, "50000")
    step = f.active(case)
    with pytest.raises((Forbidden, NotFound)):
        services.step_approve(actor=stand_in, step=step)
    other_rm = world.person("rm_a2", world.outlet_a, roles.RM)
    services.step_reassign(actor=world.head_a, step=step, assignee=other_rm)
    with pytest.raises(Forbidden):  # assigned: only the assignee (or their delegate) decides
        services.step_approve(actor=people.rm, step=step)
    services.delegation_set(
        actor=other_rm, delegator=other_rm, delegate=people.rm, starts_on=clock.today(), ends_on=clock.today()
    )
    services.step_approve(actor=people.rm, step=step)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_a_running_case_keeps_its_process_version(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    case = f.start(world, "500000")
    services.process_publish(
        actor=SYSTEM,
        code="LOAN",
        name="小微贷款审批",
        note="取消支行审查",
        steps=[StepSpec("check", "网点初审", 1, roles.RM, "outlet", 4)],
    )
    services.step_approve(actor=people.rm, step=f.active(case))
    assert f.active(case).step_def.code == "risk" and case.version.number == 1
    assert f.start(world, "500000").version.number == 2


def test_cases_are_scoped_to_the_outlet_and_its_superiors(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    case = f.start(world, "50000")
    assert case in selectors.cases(fetched_by=world.head_a)
    assert case not in selectors.cases(fetched_by=world.teller_b)
    with pytest.raises(NotFound):
        selectors.case(fetched_by=world.teller_b, pk=case.pk)
    with pytest.raises(NotFound):
        services.case_start(
            actor=world.teller_b, process_code="LOAN", outlet=world.outlet_a, title="x", amount=Decimal(1)
        )


def test_bottleneck_figures_equal_a_hand_computation(world: Any, frozen_clock: Any) -> None:
    f.small_loan()
    people = f.People(world)
    # the check step decided 1, 2, 3, 4 and 10 wall-clock hours after 09:00: 1, 2, 3, 4 and 8 business hours
    # (the office closes at 17:00); limit 4 business hours
    elapsed = [1, 2, 3, 4, 10]
    for n, h in enumerate(elapsed):
        with clock.frozen(at(2026, 3, 2 + n, 9, 0)):
            case = f.start(world, "50000")
        with clock.frozen(at(2026, 3, 2 + n, 9, 0) + dt.timedelta(hours=h)):
            services.step_approve(actor=people.rm, step=f.active(case))
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 14))  # as the sweep would
    rows = selectors.bottlenecks(
        fetched_by=world.hq_manager, process_code="LOAN", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 14)
    )
    check = next(r for r in rows if r.step == "check")
    assert check.finished == 5
    # the catalogue's nearest-rank quantiles, as upper edges of the fixed 1-hour buckets (to 8 h, then 10 h…):
    # the median is the 3rd of 5 (3 h → the 3–4 h bucket), p90 the 5th (8 h → the 8–10 h bucket)
    assert check.median_hours == pytest.approx(4.0)
    assert check.p90_hours == pytest.approx(10.0)
    assert check.working_hours == pytest.approx((1 + 2 + 3 + 4 + 8) / 5) and check.waiting_hours == 0
    assert check.breach_rate == pytest.approx(1 / 5)  # 10 h on Friday ran past 13:00
    assert check.per_week == pytest.approx(5 / 2)
    heat = selectors.bottleneck_heatmap(
        fetched_by=world.hq_manager, process_code="LOAN", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 14)
    )
    assert heat == [(0, 9, 1, 1.0), (1, 9, 1, 2.0), (2, 9, 1, 3.0), (3, 9, 1, 4.0), (4, 9, 1, 8.0)]
    assert CaseStep.objects.filter(status=StepStatus.SKIPPED).count() == 15
