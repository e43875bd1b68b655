"""Intake, 回避, the statutory clock on real rows, and every transition with its refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.complaints import deadlines, services
from fuwu.complaints.models import Alert, ClockEvent, Complaint, Extension, Status, StepDeadline
from fuwu.complaints.tests import factories as f
from fuwu.core import clock, roles
from fuwu.core.clock import SHANGHAI
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers.services import customer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    world.supervisor = f.supervisor(world)
    return world


def local(complaint: Complaint, field: str = "due_at") -> dt.datetime:
    return getattr(complaint, field).astimezone(SHANGHAI)


def in_progress(ctx: Any, **kw: Any) -> Complaint:
    c = f.complaint(ctx, **kw)
    return services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)


def decided(ctx: Any, **kw: Any) -> Complaint:
    c = in_progress(ctx, **kw)
    services.complaint_investigate(
        actor=ctx.handler, complaint=c, root_cause="高峰期人手不足，未按规定解释等候原因"
    )
    services.complaint_decide(
        actor=ctx.handler,
        complaint=c,
        facts="经调阅录像属实",
        basis="《柜面服务规范》第5条",
        remedy="当面致歉",
        upheld=True,
    )
    return c


def replied(ctx: Any, **kw: Any) -> Complaint:
    c = decided(ctx, **kw)
    services.complaint_reply(actor=ctx.handler, complaint=c, method="phone", text="已向您致歉并加强培训")
    return c


# --- intake ---------------------------------------------------------------------------------------------


def test_register_sets_reference_statutory_due_masked_phone_and_first_step(ctx: Any) -> None:
    c = f.complaint(ctx)
    assert c.reference == "TS202603020001"
    assert c.status == Status.REGISTERED
    assert local(c).date() == dt.date(2026, 3, 17)  # 15 calendar days after Monday 2026-03-02
    assert c.phone_masked == "138****5678" and "13812345678" not in c.phone_cipher
    step = c.steps.get()
    assert (step.step, local(step).hour) == ("acknowledge", 13)  # 4 hours after 09:00
    assert f.complaint(ctx).reference == "TS202603020002"


def test_numbers_typed_into_the_complaint_text_are_masked(ctx: Any) -> None:
    c = f.complaint(
        ctx, content="客户身份证11010819900307018X，手机13912345678，说柜员态度差。", demand="回电13912345678"
    )
    c.refresh_from_db()
    assert "11010819900307018X" not in c.content and "13912345678" not in c.content
    assert "110***********018X" in c.content and "139****5678" in c.content
    assert "13912345678" not in c.demand


def test_a_number_typed_into_the_product_field_is_stored_masked(ctx: Any) -> None:
    """#18: `product` is free text like the content and was never scrubbed."""
    c = f.complaint(ctx, product="信用卡 尾号 13912345678 客户手机 身份证11010819900307018X")
    c.refresh_from_db()
    assert "13912345678" not in c.product and "11010819900307018X" not in c.product
    assert "139****5678" in c.product and "110***********018X" in c.product


def test_the_statutory_period_is_natural_days_and_has_no_business_day_basis(ctx: Any) -> None:
    # 办法 第四十三条: every 日 is a natural day; the old per-complaint "business days" choice is gone.
    with pytest.raises(TypeError):
        f.complaint(ctx, day_basis="business")
    assert local(f.complaint(ctx)).date() == dt.date(2026, 3, 17)


BAD_INPUT = [
    ({"channel_code": "99"}, "channel_code"),
    ({"category_code": "0301"}, "category_code"),  # a channel code is not a category
    ({"reason_code": ""}, "reason_code"),
    ({"content": "  "}, "content"),
    ({"complainant_name": ""}, "complainant_name"),
    ({"source": "pigeon"}, "source"),
    ({"severity": "huge"}, "severity"),
    ({"tags": ["rumour"]}, "tags"),
    ({"representatives": 6}, "representatives"),
    ({"representatives": 0}, "representatives"),
    ({"phone": "12345"}, "phone"),
    ({"major_basis": "gossip"}, "major_basis"),
    ({"complainants_in_person": 0}, "complainants_in_person"),
]


def test_register_refuses_each_bad_input_naming_the_field(ctx: Any) -> None:
    # One world for the whole table keeps the suite fast; each row is still checked on its own.
    for override, field in BAD_INPUT:
        with pytest.raises(ValidationFailed) as err:
            f.complaint(ctx, **override)
        assert field in [d["field"] for d in err.value.details], override
    assert not Complaint.objects.exists()


def test_register_refused_for_another_outlet_and_for_read_only_roles(ctx: Any) -> None:
    with pytest.raises(NotFound):
        f.complaint(ctx, actor=ctx.teller_b)  # OB teller registering for OA: not their unit
    with pytest.raises(Forbidden):
        f.complaint(ctx, actor=ctx.auditor)


def test_deactivated_code_cannot_be_used(ctx: Any) -> None:
    from fuwu.complaints.models import ClassificationCode

    ClassificationCode.objects.filter(dimension="category", code="04").update(is_active=False)
    with pytest.raises(ValidationFailed):
        f.complaint(ctx)


def test_major_complaint_goes_on_fast_track_with_alerts_up_the_tree(ctx: Any) -> None:
    c = f.complaint(ctx, severity="major")
    assert c.is_fast_track
    # 办法 第二十九条: a major complaint needs an emergency plan; the statutory period stays 15 days.
    assert local(c).date() == dt.date(2026, 3, 17)
    alerted = set(Alert.objects.filter(kind="fast_track").values_list("org_unit__code", flat=True))
    assert alerted == {"OA", "T2", "T1", "HO"}


def test_public_opinion_tag_also_fast_tracks(ctx: Any) -> None:
    c = f.complaint(ctx, source="media", tags=["public_opinion"])
    assert c.is_fast_track and c.severity == "normal"


def test_special_group_customer_is_flagged_and_alerted(ctx: Any) -> None:
    elder = customer_create(
        actor=SYSTEM, customer_no="C1", name="孙秀英", home_outlet=ctx.outlet_a, special_groups=("elderly",)
    )
    c = f.complaint(ctx, customer=elder)
    assert c.is_special_group and "special_group" in c.tags
    assert Alert.objects.filter(complaint=c, kind="special_group", org_unit=ctx.outlet_a).exists()


def test_regulator_referral_carries_its_own_deadline_and_tag(ctx: Any) -> None:
    c = f.complaint(ctx, source="nfra", regulator_due_date=dt.date(2026, 3, 12))
    assert local(c, "regulator_due_at").date() == dt.date(2026, 3, 12)
    assert "regulator" in c.tags
    assert local(c).date() == dt.date(2026, 3, 17)


def test_group_complaint_is_tagged(ctx: Any) -> None:
    assert "group" in f.complaint(ctx, representatives=5).tags


# --- assignment and 回避 -----------------------------------------------------------------------------------


def test_assign_moves_to_in_progress_and_starts_investigation(ctx: Any) -> None:
    c = in_progress(ctx)
    assert c.status == Status.IN_PROGRESS and c.handler == ctx.handler
    steps = dict(StepDeadline.objects.filter(complaint=c).values_list("step", "done_at"))
    assert steps["acknowledge"] is not None and steps["investigate"] is None


def test_staff_complained_about_cannot_handle_or_assign_own_case(ctx: Any) -> None:
    c = f.complaint(ctx, staff=ctx.teller_a)
    with pytest.raises(Conflict) as err:
        services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.teller_a)
    assert err.value.code == "conflict_of_interest"
    assert err.value.details["status"] == "registered"
    accused_head = f.complaint(ctx, staff=ctx.head_a)
    with pytest.raises(Conflict):
        services.complaint_assign(actor=ctx.head_a, complaint=accused_head, handler=ctx.handler)
    services.complaint_assign(actor=ctx.handler, complaint=accused_head, handler=ctx.handler)
    with pytest.raises(Conflict):
        services.complaint_decide(actor=ctx.head_a, complaint=accused_head, facts="x", basis="y")


def accused_handler(ctx: Any) -> Any:
    """An outlet complaint handler who is also the staff member complained about."""
    return f.staff(ctx.outlet_a, "handler_oa", roles.COMPLAINT_HANDLER, "钱受诉")


def test_staff_complained_about_cannot_record_the_withdrawal(ctx: Any) -> None:
    accused = accused_handler(ctx)
    c = in_progress(ctx, staff=accused)
    with pytest.raises(Conflict) as err:
        services.complaint_withdraw(actor=accused, complaint=c, reason="客户表示不再追究")
    assert err.value.code == "conflict_of_interest"
    assert err.value.details["status"] == "in_progress"
    c.refresh_from_db()
    assert c.status == Status.IN_PROGRESS and not c.clock_events.filter(kind="withdraw").exists()
    services.complaint_withdraw(actor=ctx.handler, complaint=c, reason="客户表示不再追究")
    assert c.status == Status.WITHDRAWN


def test_staff_complained_about_cannot_make_the_revisit(ctx: Any) -> None:
    accused = accused_handler(ctx)
    c = replied(ctx, staff=accused)
    with pytest.raises(Conflict) as err:
        services.complaint_revisit(actor=accused, complaint=c, satisfaction="satisfied")
    assert err.value.code == "conflict_of_interest"
    assert err.value.details["status"] == "replied"
    assert not c.revisits.exists()
    services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied")
    assert c.status == Status.CLOSED


def test_handler_must_belong_to_the_unit_or_above(ctx: Any) -> None:
    c = f.complaint(ctx)
    with pytest.raises(ValidationFailed):
        services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.teller_b)


def test_teller_may_register_but_not_assign(ctx: Any) -> None:
    c = f.complaint(ctx)
    with pytest.raises(Forbidden):
        services.complaint_assign(actor=ctx.teller_a, complaint=c, handler=ctx.handler)


# --- the statutory clock on rows -------------------------------------------------------------------------


def test_extension_to_30_then_60_with_approvals(ctx: Any) -> None:
    c = in_progress(ctx)
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="需调取多家机构流水")
    with pytest.raises(Forbidden):
        services.complaint_extension_decide(
            actor=ctx.handler, extension=ext, approve=True, customer_notified=True
        )
    with pytest.raises(ValidationFailed):
        services.complaint_extension_decide(actor=ctx.head_a, extension=ext, approve=True)
    services.complaint_extension_decide(actor=ctx.head_a, extension=ext, approve=True, customer_notified=True)
    c.refresh_from_db()
    assert (c.extension_level, local(c).date(), c.severity) == (1, dt.date(2026, 4, 1), "complex")
    with pytest.raises(Conflict):
        services.complaint_extension_decide(
            actor=ctx.head_a, extension=ext, approve=True, customer_notified=True
        )

    second = services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="涉及司法鉴定")
    with pytest.raises(Conflict):
        services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="again")
    with pytest.raises(Forbidden):  # the outlet head is not a superior unit
        services.complaint_extension_decide(
            actor=ctx.head_a, extension=second, approve=True, customer_notified=True
        )
    services.complaint_extension_decide(
        actor=ctx.supervisor, extension=second, approve=True, customer_notified=True
    )
    c.refresh_from_db()
    assert local(c).date() == dt.date(2026, 5, 6)  # day 60 = 05-01, Labour Day 05-01..05-05 -> 05-06
    with pytest.raises(Conflict) as err:
        services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="third")
    assert err.value.details["extension_level"] == 2
    assert ClockEvent.objects.filter(complaint=c, kind="extend").count() == 2


def test_rejected_extension_leaves_the_deadline(ctx: Any) -> None:
    c = in_progress(ctx)
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="x")
    services.complaint_extension_decide(actor=ctx.head_a, extension=ext, approve=False)
    c.refresh_from_db()
    assert ext.state == Extension.State.REJECTED and local(c).date() == dt.date(2026, 3, 17)


def test_pause_for_appraisal_moves_the_deadline_by_the_paused_days(ctx: Any) -> None:
    c = in_progress(ctx)
    with pytest.raises(ValidationFailed) as err:
        services.complaint_pause(actor=ctx.handler, complaint=c, reason="笔迹鉴定", customer_notified=False)
    assert err.value.details[0]["field"] == "customer_notified"
    clock.advance(dt.timedelta(days=3))  # Thursday 03-05
    services.complaint_pause(actor=ctx.handler, complaint=c, reason="笔迹鉴定", customer_notified=True)
    with pytest.raises(Conflict):
        services.complaint_pause(actor=ctx.handler, complaint=c, reason="again", customer_notified=True)
    with pytest.raises(Conflict):
        services.complaint_decide(actor=ctx.handler, complaint=c, facts="x", basis="y")
    clock.advance(dt.timedelta(days=7))  # Thursday 03-12: 03-06..03-12 not counted
    services.complaint_resume(actor=ctx.handler, complaint=c)
    c.refresh_from_db()
    assert local(c).date() == dt.date(2026, 3, 24)
    with pytest.raises(Conflict):
        services.complaint_resume(actor=ctx.handler, complaint=c)


def test_resubmission_within_period_merges_and_new_facts_restart(ctx: Any) -> None:
    original = in_progress(ctx)
    clock.advance(dt.timedelta(days=2))
    again = f.complaint(ctx, resubmission_of=original)
    assert again.status == Status.MERGED and again.merged_into == original
    original.refresh_from_db()
    assert local(original).date() == dt.date(2026, 3, 17)
    clock.advance(dt.timedelta(days=6))  # Tuesday 03-10
    facts = f.complaint(ctx, resubmission_of=original, new_facts=True, content="又发现一笔未授权扣款")
    assert facts.status == Status.MERGED
    original.refresh_from_db()
    assert local(original).date() == dt.date(2026, 3, 25)
    assert list(original.clock_events.values_list("kind", flat=True)) == ["merge", "restart"]


def test_resubmission_after_the_period_is_a_new_complaint(ctx: Any) -> None:
    original = in_progress(ctx)
    clock.advance(dt.timedelta(days=20))
    later = f.complaint(ctx, resubmission_of=original)
    assert later.status == Status.REGISTERED and later.merged_into is None


def test_withdrawal_ends_the_case_that_day(ctx: Any) -> None:
    c = in_progress(ctx)
    clock.advance(dt.timedelta(days=4))
    services.complaint_withdraw(actor=ctx.handler, complaint=c, reason="客户表示已谅解")
    c.refresh_from_db()
    assert c.status == Status.WITHDRAWN and local(c, "closed_at").date() == dt.date(2026, 3, 6)
    assert deadlines.clock_state(c, today=dt.date(2026, 3, 30)).used_days == 4
    with pytest.raises(Conflict):
        services.complaint_withdraw(actor=ctx.handler, complaint=c, reason="again")
    with pytest.raises(Conflict):
        services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)


# --- decision, reply, revisit, review --------------------------------------------------------------------


def test_decision_needs_the_investigation_facts_basis_and_a_remedy_when_upheld(ctx: Any) -> None:
    c = in_progress(ctx)
    with pytest.raises(ValidationFailed) as err:
        services.complaint_decide(actor=ctx.handler, complaint=c, facts="", basis="", upheld=True)
    assert {d["field"] for d in err.value.details} == {"facts", "basis", "remedy", "root_cause"}
    with pytest.raises(ValidationFailed):
        services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause=" ")


def test_decide_reply_and_revisit_in_the_wrong_state_are_refused(ctx: Any) -> None:
    c = f.complaint(ctx)
    with pytest.raises(Conflict) as err:
        services.complaint_decide(actor=ctx.handler, complaint=c, facts="x", basis="y")
    assert err.value.details["status"] == "registered"
    with pytest.raises(Conflict):
        services.complaint_reply(actor=ctx.handler, complaint=c, method="phone", text="x")
    with pytest.raises(Conflict):
        services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied")
    with pytest.raises(Conflict):
        services.complaint_request_review(actor=ctx.handler, complaint=c, reason="x")
    with pytest.raises(Conflict):
        services.complaint_review_decide(actor=ctx.handler, complaint=c, facts="x", basis="y")
    with pytest.raises(Conflict):
        services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="x")


def test_full_path_to_satisfied_revisit_closes(ctx: Any) -> None:
    c = replied(ctx)
    assert c.status == Status.REPLIED and c.closed_at is not None
    with pytest.raises(ValidationFailed):
        services.complaint_reply(actor=ctx.handler, complaint=decided(ctx), method="pigeon", text="x")
    with pytest.raises(ValidationFailed):  # only dissatisfied customers reopen
        services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied", reopen=True)
    services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied")
    assert c.status == Status.CLOSED and c.satisfaction == "satisfied"
    assert set(c.steps.values_list("step", flat=True)) == {
        "acknowledge",
        "investigate",
        "decide",
        "reply",
        "revisit",
    }
    assert not c.steps.filter(done_at__isnull=True).exists()


def test_dissatisfied_revisit_reopens_the_case(ctx: Any) -> None:
    c = replied(ctx)
    services.complaint_revisit(
        actor=ctx.handler,
        complaint=c,
        satisfaction="dissatisfied",
        reopen=True,
        note="客户不接受致歉，要求赔偿误工费",
    )
    assert c.status == Status.IN_PROGRESS and c.closed_at is None
    assert c.steps.filter(step="investigate", done_at__isnull=True).exists()


def test_review_goes_to_the_superior_unit_within_30_days(ctx: Any) -> None:
    c = replied(ctx)
    clock.advance(dt.timedelta(days=10))
    with pytest.raises(ValidationFailed):
        services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason=" ")
    review = services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="对处理结果不服")
    assert review.reviewing_unit == ctx.t2 and c.status == Status.UNDER_REVIEW
    assert Alert.objects.filter(complaint=c, kind="review", org_unit=ctx.t2).exists()
    with pytest.raises(Forbidden):  # the outlet itself may not review its own decision
        services.complaint_review_decide(actor=ctx.head_a, complaint=c, facts="x", basis="y")
    services.complaint_review_decide(
        actor=ctx.handler, complaint=c, facts="复核维持原处理", basis="办法第31条"
    )
    assert c.status == Status.CLOSED
    with pytest.raises(Conflict):
        services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="再次不服")


def test_upheld_review_decision_needs_a_remedy_like_the_first_decision(ctx: Any) -> None:
    """C5: a review that upholds the complaint must say how it is remedied, as the first decision must."""
    c = replied(ctx)
    services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="对处理结果不服")
    with pytest.raises(ValidationFailed) as err:
        services.complaint_review_decide(
            actor=ctx.handler, complaint=c, facts="核实属实", basis="办法", upheld=True
        )
    assert [d["field"] for d in err.value.details] == ["remedy"]
    decision = services.complaint_review_decide(
        actor=ctx.handler, complaint=c, facts="核实属实", basis="办法", remedy="退还年费", upheld=True
    )
    assert decision.is_review and decision.remedy == "退还年费" and c.status == Status.CLOSED


def test_review_after_30_days_is_refused(ctx: Any) -> None:
    c = replied(ctx)
    clock.advance(dt.timedelta(days=31))
    with pytest.raises(Conflict) as err:
        services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="不服")
    assert err.value.code == "review_window_closed"


def test_reclassify_to_major_fast_tracks_and_alerts(ctx: Any) -> None:
    c = in_progress(ctx)
    services.complaint_reclassify(
        actor=ctx.handler,
        complaint=c,
        channel_code="0303",
        category_code="03",
        reason_code="10",
        severity="major",
    )
    # The fast track is the bank's SOP and escalation; the statutory due date is not shortened after the
    # fact (办法 第二十九条, issue 13 point 1).
    assert c.is_fast_track and local(c).date() == dt.date(2026, 3, 17)
    assert Alert.objects.filter(complaint=c, kind="fast_track").count() == 4
    with pytest.raises(ValidationFailed):
        services.complaint_reclassify(
            actor=ctx.handler,
            complaint=c,
            channel_code="0303",
            category_code="03",
            reason_code="99",
            severity="major",
        )


def _ledger_task(view: Any) -> Any:
    from fuwu.inspections.models import RectificationTask

    return RectificationTask.objects.get(pk=view.id)


def test_remediation_goes_to_the_one_ledger_with_owner_due_date_and_accountability(ctx: Any) -> None:
    """#14 / S3: a handler's remediation is a ledger task beside the upheld decision's, numbered per case."""
    from fuwu.complaints import selectors
    from fuwu.inspections import services as ledger

    c = decided(ctx)
    with pytest.raises(ValidationFailed):
        services.remediation_create(
            actor=ctx.handler,
            complaint=c,
            action="排班调整",
            owner=ctx.head_a,
            due_date=dt.date(2026, 3, 20),
            accountable_staff=ctx.teller_a,
        )
    view = services.remediation_create(
        actor=ctx.handler,
        complaint=c,
        action="高峰期增开窗口",
        owner=ctx.head_a,
        due_date=dt.date(2026, 3, 20),
        accountable_staff=ctx.teller_a,
        accountability_note="未履行一次性告知义务",
    )
    task = _ledger_task(view)
    assert (task.source_kind, task.source_id, task.label) == ("complaint", f"{c.pk}/1", c.reference)
    assert (task.owner, task.due, task.staff, task.unit) == (
        ctx.head_a,
        dt.date(2026, 3, 20),
        ctx.teller_a,
        c.outlet,
    )
    assert task.description == "高峰期增开窗口\n未履行一次性告知义务"
    second = services.remediation_create(
        actor=ctx.handler,
        complaint=c,
        action="一次性告知培训",
        owner=ctx.head_a,
        due_date=dt.date(2026, 3, 27),
    )
    assert _ledger_task(second).source_id == f"{c.pk}/2"
    # The case shows its ledger tasks: the upheld decision's and the two remediations, in the order opened.
    shown = selectors.remediations(fetched_by=ctx.handler, complaint=c)
    assert [t.description.split("\n")[0] for t in shown][1:] == ["高峰期增开窗口", "一次性告知培训"]
    assert [t.id for t in shown][1:] == [view.id, second.id]
    # Done is the ledger's: the owner submits evidence, the verifier confirms.
    ledger.task_submit_evidence(actor=ctx.head_a, task=task, evidence="已增开两个窗口")
    ledger.task_verify(actor=SYSTEM, task=task)
    assert [
        t.state for t in selectors.remediations(fetched_by=ctx.handler, complaint=c) if t.id == view.id
    ] == ["verified"]


# --- SOP steps, 80% warning and breach escalation (frozen clock) -----------------------------------------


def test_sweep_warns_at_80_percent_and_escalates_breach_once(ctx: Any) -> None:
    c = f.complaint(ctx)  # acknowledge due 13:00, warn at 12:12
    clock.advance(dt.timedelta(hours=3, minutes=11))
    assert services.deadlines_sweep(actor=SYSTEM)["warned"] == 0
    clock.advance(dt.timedelta(minutes=2))
    assert services.deadlines_sweep(actor=SYSTEM)["warned"] == 1
    assert Alert.objects.filter(
        complaint=c, kind="warning", step="acknowledge", org_unit=ctx.outlet_a
    ).exists()
    clock.advance(dt.timedelta(hours=1))
    counts = services.deadlines_sweep(actor=SYSTEM)
    assert (counts["warned"], counts["escalated"]) == (0, 1)
    assert Alert.objects.get(complaint=c, kind="breach", step="acknowledge").org_unit == ctx.t2
    assert services.deadlines_sweep(actor=SYSTEM)["escalated"] == 0


def test_sweep_warns_on_the_statutory_clock_and_escalates_when_it_passes(ctx: Any) -> None:
    c = f.complaint(ctx)
    c.steps.update(done_at=clock.now())  # isolate the statutory clock from the SOP steps
    clock.advance(dt.timedelta(days=11))
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_warned"] == 0
    clock.advance(dt.timedelta(days=1))  # day 12 of 15 = 80%
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_warned"] == 1
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_warned"] == 0
    clock.advance(dt.timedelta(days=4))  # 03-18 > due 03-17
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_breached"] == 1
    assert Alert.objects.get(complaint=c, kind="breach", step="").org_unit == ctx.t2
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_breached"] == 0


def test_statutory_breach_is_escalated_even_after_a_step_breach_and_a_statutory_warning(ctx: Any) -> None:
    """C4: an escalated SOP step (breach, step set) and the 80% warning (step "") must not together read as
    "statutory breach already raised"; the two conditions must hold for one and the same alert."""
    c = f.complaint(ctx)  # the acknowledge step stays open and escalates first
    clock.advance(dt.timedelta(days=12))
    counts = services.deadlines_sweep(actor=SYSTEM)
    assert counts["escalated"] == 1 and counts["statutory_warned"] == 1
    clock.advance(dt.timedelta(days=4))  # past the 15-day statutory limit
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_breached"] == 1
    assert Alert.objects.filter(complaint=c, kind="breach", step="").count() == 1
    assert services.deadlines_sweep(actor=SYSTEM)["statutory_breached"] == 0


def test_sop_business_day_steps_skip_the_weekend(ctx: Any) -> None:
    clock.set_clock(dt.datetime(2026, 3, 6, 10, 0, tzinfo=SHANGHAI), 0)  # Friday
    c = in_progress(ctx)
    step = c.steps.get(step="investigate")
    assert local(step).date() == dt.date(2026, 3, 9)  # next business day, Monday


def test_regulator_deadline_breach_is_escalated_once(ctx: Any) -> None:
    c = f.complaint(ctx, source="pboc", regulator_due_date=dt.date(2026, 3, 4))
    c.steps.update(done_at=clock.now())
    clock.advance(dt.timedelta(days=2))
    assert services.deadlines_sweep(actor=SYSTEM)["regulator_breached"] == 0
    clock.advance(dt.timedelta(days=1))  # 03-05: the regulator's date has passed
    assert services.deadlines_sweep(actor=SYSTEM)["regulator_breached"] == 1
    assert Alert.objects.get(complaint=c, step="regulator").org_unit == ctx.t2
    assert services.deadlines_sweep(actor=SYSTEM)["regulator_breached"] == 0


def test_special_groups_get_faster_sop_steps_and_come_first(ctx: Any) -> None:
    from fuwu.complaints import selectors

    normal = f.complaint(ctx)
    elder = customer_create(
        actor=SYSTEM, customer_no="C9", name="钱桂兰", home_outlet=ctx.outlet_a, special_groups=("disabled",)
    )
    special = f.complaint(ctx, customer=elder)
    assert local(special.steps.get(), "due_at").hour == 10  # 1 hour instead of 4
    major = f.complaint(ctx, severity="major")
    closed = replied(ctx)
    order = list(selectors.complaints(fetched_by=ctx.head_a).values_list("pk", flat=True))
    assert order == [major.pk, special.pk, normal.pk, closed.pk]


def test_background_sweep_is_scheduled_and_escalates(ctx: Any) -> None:
    from fuwu.complaints import tasks
    from fuwu.core import scheduler

    sweep = next(s for s in scheduler.sweeps() if s.task is tasks.complaint_deadlines_sweep)
    assert sweep.every == dt.timedelta(minutes=5)
    c = f.complaint(ctx)
    clock.advance(dt.timedelta(hours=5))  # acknowledge was due at 13:00
    assert sweep.name in scheduler.tick()
    counts = tasks.complaint_deadlines_sweep.call()
    assert counts["escalated"] == 1 and counts["warned"] == 1
    assert Alert.objects.filter(complaint=c, kind="breach", org_unit=ctx.t2).exists()


def test_remaining_refusals(ctx: Any) -> None:
    registered = f.complaint(ctx)
    with pytest.raises(Conflict):  # the clock is paused only while someone is working the case
        services.complaint_pause(
            actor=ctx.handler, complaint=registered, reason="鉴定", customer_notified=True
        )
    with pytest.raises(ValidationFailed):
        services.complaint_extension_request(actor=ctx.handler, complaint=registered, reason=" ")
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=registered, reason="复杂")
    with pytest.raises(Forbidden):  # tellers do not approve extensions
        services.complaint_extension_decide(
            actor=ctx.teller_a, extension=ext, approve=True, customer_notified=True
        )

    done = replied(ctx)
    with pytest.raises(Conflict):
        services.complaint_extension_request(actor=ctx.handler, complaint=done, reason="late")
    with pytest.raises(Conflict):
        services.complaint_reclassify(
            actor=ctx.handler,
            complaint=done,
            channel_code="01",
            category_code="01",
            reason_code="01",
            severity="normal",
        )
    with pytest.raises(ValidationFailed):
        services.complaint_revisit(actor=ctx.handler, complaint=done, satisfaction="ecstatic")
    with pytest.raises(ValidationFailed):
        services.typical_case_create(actor=ctx.handler, complaint=done, polarity="neutral", title="x")
    with pytest.raises(Forbidden):
        services.typical_case_create(actor=ctx.teller_a, complaint=done, polarity="positive", title="x")
    with pytest.raises(ValidationFailed):
        services.remediation_create(
            actor=ctx.handler, complaint=done, action="x", owner=ctx.head_a, due_date=dt.date(2026, 3, 1)
        )
    services.complaint_request_review(actor=ctx.teller_a, complaint=done, reason="不服")
    with pytest.raises(ValidationFailed):
        services.complaint_review_decide(actor=ctx.handler, complaint=done, facts="", basis="")

    at_head_office = f.complaint(ctx, actor=ctx.hq_manager, outlet=ctx.ho)
    services.complaint_assign(actor=ctx.hq_manager, complaint=at_head_office, handler=ctx.hq_manager)
    services.complaint_investigate(actor=ctx.hq_manager, complaint=at_head_office, root_cause="x")
    services.complaint_decide(actor=ctx.hq_manager, complaint=at_head_office, facts="x", basis="y")
    services.complaint_reply(actor=ctx.hq_manager, complaint=at_head_office, method="letter", text="z")
    with pytest.raises(Conflict):  # nobody above the head office
        services.complaint_request_review(actor=ctx.hq_manager, complaint=at_head_office, reason="不服")


def test_statutory_duty_is_met_at_the_reply_and_reviews_have_their_own_deadline(ctx: Any) -> None:
    c = replied(ctx)
    clock.advance(dt.timedelta(days=10))
    services.complaint_request_review(
        actor=ctx.teller_a, complaint=c, reason="不服"
    )  # 03-12: review due 30 days later (办法 第二十条): 04-11 is a Saturday, so Monday 04-13
    c.steps.update(done_at=clock.now())
    clock.advance(dt.timedelta(days=10))  # 03-22: past the original 03-17, the review is not late yet
    counts = services.deadlines_sweep(actor=SYSTEM)
    assert (counts["statutory_breached"], counts["review_breached"]) == (0, 0)
    clock.advance(dt.timedelta(days=22))  # 04-13: the last day, still not late
    assert services.deadlines_sweep(actor=SYSTEM)["review_breached"] == 0
    clock.advance(dt.timedelta(days=1))  # 04-14
    assert services.deadlines_sweep(actor=SYSTEM)["review_breached"] == 1
    assert Alert.objects.get(complaint=c, step="review").org_unit == ctx.t1  # above the reviewing T2
    assert services.deadlines_sweep(actor=SYSTEM)["review_breached"] == 0


# --- audit trail -----------------------------------------------------------------------------------------


def test_every_step_on_a_case_writes_an_audit_row_for_the_case_and_its_outlet(ctx: Any) -> None:
    c = in_progress(ctx)
    services.complaint_reclassify(
        actor=ctx.handler,
        complaint=c,
        channel_code="01",
        category_code="04",
        reason_code="01",
        severity="complex",
    )
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="需调取录像")
    services.complaint_extension_decide(actor=ctx.head_a, extension=ext, approve=True, customer_notified=True)
    services.complaint_pause(actor=ctx.handler, complaint=c, reason="笔迹鉴定", customer_notified=True)
    services.complaint_resume(actor=ctx.handler, complaint=c)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="高峰期人手不足")
    services.complaint_decide(
        actor=ctx.handler, complaint=c, facts="属实", basis="规范第5条", remedy="致歉", upheld=True
    )
    services.complaint_reply(actor=ctx.handler, complaint=c, method="phone", text="已致歉")
    services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied", note="满意")
    services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="对赔偿不满")
    services.complaint_review_decide(actor=ctx.handler, complaint=c, facts="维持", basis="办法第31条")
    services.remediation_create(
        actor=ctx.handler, complaint=c, action="增开窗口", owner=ctx.head_a, due_date=dt.date(2026, 3, 20)
    )
    services.typical_case_create(actor=ctx.handler, complaint=c, polarity="negative", title="等候未解释")
    gone = in_progress(ctx)
    services.complaint_withdraw(actor=ctx.handler, complaint=gone, reason="客户撤诉")

    def trail(case: Complaint) -> list[tuple[str, Any]]:
        rows = AuditEvent.objects.filter(target_type="complaints.complaint", target_id=str(case.pk))
        assert {row.org_unit_id for row in rows} == {ctx.outlet_a.pk}
        return [(row.action, row.actor) for row in rows.order_by("id")]

    assert trail(c) == [
        ("complaint.register", ctx.teller_a),
        ("complaint.assign", ctx.head_a),
        ("complaint.reclassify", ctx.handler),
        ("complaint.extension_request", ctx.handler),
        ("complaint.pause", ctx.handler),
        ("complaint.resume", ctx.handler),
        ("complaint.investigate", ctx.handler),
        ("complaint.decide", ctx.handler),
        ("complaint.reply", ctx.handler),
        ("complaint.revisit", ctx.handler),
        ("complaint.review_request", ctx.teller_a),
        ("complaint.review_decide", ctx.handler),
        ("complaint.remediation_create", ctx.handler),
        ("complaint.typical_case_create", ctx.handler),
    ]
    assert trail(gone)[-1] == ("complaint.withdraw", ctx.handler)
    approval = AuditEvent.objects.get(action="complaint.extension.approve")
    assert (approval.target_type, approval.target_id, approval.actor) == (
        "complaints.extension",
        str(ext.pk),
        ctx.head_a,
    )
    assert approval.org_unit == ctx.outlet_a and approval.data["complaint"] == c.pk
    revisit = AuditEvent.objects.get(action="complaint.revisit")
    assert revisit.data == {"from": "replied", "to": "closed", "satisfaction": "satisfied", "reopened": False}
    # The texts stay on their rows (and in history): audit data carries ids and choices, never free text.
    assert not any("致歉" in str(row.data) for row in AuditEvent.objects.all())


def test_a_refused_step_leaves_no_audit_row(ctx: Any) -> None:
    c = in_progress(ctx)
    with pytest.raises(ValidationFailed):
        services.complaint_decide(actor=ctx.handler, complaint=c, facts="", basis="")
    assert not AuditEvent.objects.filter(action="complaint.decide").exists()


# --- numbers typed into the handlers' own texts are masked too -------------------------------------------

TYPED = "客户身份证11010819900307018X，手机13912345678"


def assert_masked(text: str) -> None:
    assert "11010819900307018X" not in text and "13912345678" not in text
    assert "110***********018X" in text and "139****5678" in text


def test_numbers_typed_into_root_cause_reasons_and_remediation_are_masked(ctx: Any) -> None:
    c = in_progress(ctx)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="核实" + TYPED)
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=c, reason="调取流水" + TYPED)
    services.complaint_pause(actor=ctx.handler, complaint=c, reason="鉴定" + TYPED, customer_notified=True)
    view = services.remediation_create(
        actor=ctx.handler,
        complaint=decided(ctx),
        action="回访" + TYPED,
        owner=ctx.head_a,
        due_date=dt.date(2026, 3, 20),
        accountable_staff=ctx.teller_a,
        accountability_note="告知" + TYPED,
    )
    c.refresh_from_db()
    ext.refresh_from_db()
    assert_masked(c.root_cause)
    assert_masked(ext.reason)
    assert_masked(c.clock_events.get(kind="pause").reason)
    action, note = _ledger_task(view).description.split("\n")
    assert_masked(action)
    assert_masked(note)
    other = in_progress(ctx)
    services.complaint_withdraw(actor=ctx.handler, complaint=other, reason="撤诉" + TYPED)
    assert_masked(other.clock_events.get(kind="withdraw").reason)


def test_numbers_typed_into_a_review_request_are_masked(ctx: Any) -> None:
    c = replied(ctx)
    review = services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="不服" + TYPED)
    review.refresh_from_db()
    assert_masked(review.reason)


def test_remediation_is_refused_before_a_decision(ctx: Any) -> None:
    c = in_progress(ctx)
    with pytest.raises(Conflict) as err:
        services.remediation_create(
            actor=ctx.handler, complaint=c, action="增开窗口", owner=ctx.head_a, due_date=dt.date(2026, 3, 20)
        )
    assert err.value.details["status"] == "in_progress"
    from fuwu.inspections.models import RectificationTask

    assert not RectificationTask.objects.filter(source_kind="complaint").exists()
    c.refresh_from_db()
    assert c.remediations_opened == 0


def test_only_complaint_handlers_open_remediation(ctx: Any) -> None:
    c = decided(ctx)
    with pytest.raises(Forbidden):
        services.remediation_create(
            actor=ctx.teller_a,
            complaint=c,
            action="增开窗口",
            owner=ctx.head_a,
            due_date=dt.date(2026, 3, 20),
        )
    c.refresh_from_db()
    assert c.remediations_opened == 0
