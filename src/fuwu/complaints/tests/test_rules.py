"""Issue 13 on stored cases, one test per rule, on real 2025–2026 dates (办法 = 《银行业保险业消费投诉处理管理办法》).

Expected dates come from the State Council holiday notices (checked against chinese-calendar's is_workday),
not from the code under test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.complaints import deadlines, services
from fuwu.complaints.models import Complaint, Status
from fuwu.complaints.tests import factories as f
from fuwu.core import clock, roles
from fuwu.core import services as core_services
from fuwu.core.clock import SHANGHAI
from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def ctx(world: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    world.supervisor = f.supervisor(world)
    yield world
    clock.reset()


def on(day: dt.date, hour: int = 10) -> None:
    clock.set_clock(at(day, hour), speed=0)


def due(c: Complaint) -> dt.date:
    c.refresh_from_db()
    return c.due_at.astimezone(SHANGHAI).date()


def assigned(ctx: Any, **kw: Any) -> Complaint:
    c = f.complaint(ctx, **kw)
    return services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)


RECEIPTS = [
    # (received at, expected due, why)
    (at(D(2026, 3, 2), 22, 30), D(2026, 3, 17), "after hours: still received that calendar day (民法典201)"),
    (at(D(2026, 2, 17)), D(2026, 3, 4), "received on a Spring Festival holiday: natural days run through it"),
    (at(D(2025, 9, 22)), D(2025, 10, 9), "day 15 in National Day 2025 -> 10-09 (民法典203)"),
    (at(D(2025, 9, 26)), D(2025, 10, 11), "day 15 = make-up Saturday 2025-10-11: a working day, stays"),
    (at(D(2026, 2, 6)), D(2026, 2, 24), "day 15 in Spring Festival 2026 -> 2-24"),
]


@pytest.mark.parametrize(("received", "expected", "why"), RECEIPTS, ids=[r[-1] for r in RECEIPTS])
def test_receipt_sets_the_statutory_due_date(
    ctx: Any, received: dt.datetime, expected: dt.date, why: str
) -> None:
    on(D(2026, 3, 3))
    c = f.complaint(ctx, received_at=received)
    assert due(c) == expected, why
    assert c.reference.startswith(f"TS{received:%Y%m%d}")


def test_major_complaints_keep_the_statutory_period_and_20_in_person_is_major(ctx: Any) -> None:
    # 办法 第二十九条: 重大 needs an emergency plan, not a shorter period; (二) 20 or more complainants in person.
    on(D(2026, 3, 2))
    group = f.complaint(ctx, complainants_in_person=20, representatives=5)
    assert (group.severity, group.major_basis, group.is_fast_track) == ("major", "group", True)
    assert due(group) == D(2026, 3, 17)
    nineteen = f.complaint(ctx, complainants_in_person=19)
    assert nineteen.severity == "normal" and nineteen.major_basis == ""
    disaster = f.complaint(ctx, major_basis="event")
    assert disaster.severity == "major" and due(disaster) == D(2026, 3, 17)


def test_an_extension_moves_a_running_period_but_not_an_expired_one(ctx: Any) -> None:
    on(D(2025, 3, 3))
    running = assigned(ctx)
    ext = services.complaint_extension_request(
        actor=ctx.handler, complaint=running, reason="需调取多家机构流水"
    )
    on(D(2025, 3, 18))  # the last day of 15: still in time
    services.complaint_extension_decide(actor=ctx.head_a, extension=ext, approve=True, customer_notified=True)
    assert due(running) == D(2025, 4, 2)

    on(D(2025, 3, 5))
    late = assigned(ctx)  # due 2025-03-20
    ext = services.complaint_extension_request(actor=ctx.handler, complaint=late, reason="复杂")
    on(D(2025, 3, 21))
    # Decided (issue 13 point 7): an expired period is not revived; the case stays overdue.
    with pytest.raises(Conflict) as err:
        services.complaint_extension_decide(
            actor=ctx.head_a, extension=ext, approve=True, customer_notified=True
        )
    assert err.value.code == "period_expired"
    assert due(late) == D(2025, 3, 20)
    with pytest.raises(Conflict):
        services.complaint_extension_request(actor=ctx.handler, complaint=late, reason="再申请")


def test_the_second_extension_is_approved_by_the_superior_unit_or_head_office(ctx: Any) -> None:
    # 办法 第十八条: "上级机构或总行高级管理人员" — so a case at head office can get it too.
    on(D(2026, 3, 2))
    hq_handler = ctx.person("hq_handler", ctx.ho, roles.COMPLAINT_HANDLER)
    case = f.complaint(ctx, actor=ctx.hq_manager, outlet=ctx.ho)
    services.complaint_assign(actor=ctx.hq_manager, complaint=case, handler=hq_handler)
    first = services.complaint_extension_request(actor=hq_handler, complaint=case, reason="复杂")
    services.complaint_extension_decide(
        actor=ctx.hq_manager, extension=first, approve=True, customer_notified=True
    )
    second = services.complaint_extension_request(actor=hq_handler, complaint=case, reason="特别复杂")
    services.complaint_extension_decide(
        actor=ctx.hq_manager, extension=second, approve=True, customer_notified=True
    )
    assert due(case) == D(2026, 5, 6)  # day 60 = 5-01 in Labour Day 2026 (5-01..5-05) -> 5-06

    at_outlet = assigned(ctx)
    first = services.complaint_extension_request(actor=ctx.handler, complaint=at_outlet, reason="复杂")
    services.complaint_extension_decide(
        actor=ctx.head_a, extension=first, approve=True, customer_notified=True
    )
    second = services.complaint_extension_request(actor=ctx.handler, complaint=at_outlet, reason="特别复杂")
    with pytest.raises(Forbidden):  # the outlet's own head is neither above it nor head office
        services.complaint_extension_decide(
            actor=ctx.head_a, extension=second, approve=True, customer_notified=True
        )
    services.complaint_extension_decide(
        actor=ctx.supervisor, extension=second, approve=True, customer_notified=True
    )
    assert due(at_outlet) == D(2026, 5, 6)


def test_withdrawal_ends_on_the_day_the_request_was_received(ctx: Any) -> None:
    # 办法 第十五条: the procedure ends on the day the withdrawal request is received, not when it is recorded.
    on(D(2026, 3, 2))
    c = assigned(ctx)
    on(D(2026, 3, 10))
    with pytest.raises(ValidationFailed):
        services.complaint_withdraw(actor=ctx.handler, complaint=c, reason="x", on=D(2026, 3, 11))  # future
    with pytest.raises(ValidationFailed):
        services.complaint_withdraw(
            actor=ctx.handler, complaint=c, reason="x", on=D(2026, 3, 1)
        )  # before receipt
    services.complaint_withdraw(actor=ctx.handler, complaint=c, reason="客户来电撤诉", on=D(2026, 3, 6))
    c.refresh_from_db()
    assert c.status == Status.WITHDRAWN and c.closed_at.astimezone(SHANGHAI).date() == D(2026, 3, 6)
    state = deadlines.clock_state(c, today=D(2026, 3, 30))
    assert (state.state, state.stopped_on, state.used_days) == ("stopped", D(2026, 3, 6), 4)


def test_pauses_for_appraisal_and_mediation_count_from_the_days_received(ctx: Any) -> None:
    on(D(2025, 9, 22))
    c = assigned(ctx)  # due 2025-10-09
    on(D(2025, 9, 26))
    services.complaint_pause(
        actor=ctx.handler, complaint=c, reason="人民调解委员会调解", customer_notified=True, kind="mediation",
        on=D(2025, 9, 25),
    )  # fmt: skip
    on(D(2025, 10, 9))
    with pytest.raises(ValidationFailed):  # the result cannot come back before the pause began
        services.complaint_resume(actor=ctx.handler, complaint=c, on=D(2025, 9, 24))
    services.complaint_resume(actor=ctx.handler, complaint=c, on=D(2025, 10, 5))
    assert due(c) == D(2025, 10, 17)  # 办法 第二十三条: 9-26..10-05 (10 days) not counted
    assert list(c.clock_events.values_list("pause_kind", flat=True)) == ["mediation", ""]

    on(D(2026, 3, 2))
    appraisal = assigned(ctx)
    on(D(2026, 3, 5))
    services.complaint_pause(
        actor=ctx.handler, complaint=appraisal, reason="笔迹鉴定", customer_notified=True
    )
    on(D(2026, 3, 13))
    services.complaint_resume(actor=ctx.handler, complaint=appraisal, on=D(2026, 3, 12))
    assert due(appraisal) == D(2026, 3, 24)  # 办法 第十八条: 3-06..3-12 not counted


def test_new_facts_restart_from_the_day_the_new_material_was_received(ctx: Any) -> None:
    on(D(2026, 3, 2))
    original = assigned(ctx)
    on(D(2026, 3, 12))  # recorded on 3-12, received by letter on 3-10
    f.complaint(
        ctx,
        resubmission_of=original,
        new_facts=True,
        received_at=at(D(2026, 3, 10)),
        content="又发现一笔扣款",
    )
    assert due(original) == D(2026, 3, 25)
    assert original.clock_events.get().received_on == D(2026, 3, 10)


def test_the_review_window_and_the_review_deadline_roll_over_holidays(ctx: Any) -> None:
    # 办法 第二十条: asked within 30 days of receiving the decision; decided within 30 days of the request.
    on(D(2025, 9, 1))
    c = assigned(ctx)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="解释不到位")
    services.complaint_decide(actor=ctx.handler, complaint=c, facts="属实", basis="规范")
    on(D(2025, 9, 5))
    services.complaint_reply(actor=ctx.handler, complaint=c, method="letter", text="处理决定")
    on(D(2025, 10, 9))  # day 30 = 10-05 in National Day -> the last day is 10-09
    review = services.complaint_request_review(actor=ctx.teller_a, complaint=c, reason="不服")
    assert review.due_at.astimezone(SHANGHAI).date() == D(2025, 11, 10)  # 11-08 Saturday -> Monday 11-10

    on(D(2025, 9, 1))
    late = assigned(ctx)
    services.complaint_investigate(actor=ctx.handler, complaint=late, root_cause="解释不到位")
    services.complaint_decide(actor=ctx.handler, complaint=late, facts="属实", basis="规范")
    on(D(2025, 9, 5))
    services.complaint_reply(actor=ctx.handler, complaint=late, method="letter", text="处理决定")
    on(D(2025, 10, 10))
    with pytest.raises(Conflict) as err:
        services.complaint_request_review(actor=ctx.teller_a, complaint=late, reason="不服")
    assert err.value.details["last_day"] == "2025-10-09"


def test_a_deadline_in_a_year_without_a_schedule_is_flagged_until_it_is_entered(
    ctx: Any, client: Client
) -> None:
    # chinese-calendar stops at 2026; 2027's schedule is published in November 2026 and entered by hand.
    on(D(2026, 12, 20))
    c = f.complaint(ctx)
    c.refresh_from_db()
    assert c.calendar_unknown and due(c) == D(2027, 1, 4)
    client.force_login(ctx.head_a)
    listing = client.get("/complaints/").content.decode()
    assert 'data-testid="schedule-missing"' in listing and "2027" in listing
    assert 'data-testid="calendar-unknown"' in client.get(f"/complaints/{c.pk}/").content.decode()
    assert "2027" in home_notice(ctx.head_a) and "2027" in home_notice(ctx.hq_manager)
    assert home_notice(ctx.person("trainer_a", ctx.outlet_a, roles.TRAINER)) == ""

    core_services.calendar_day_set(actor=SYSTEM, date=D(2027, 1, 1), kind="holiday", name="元旦")
    core_services.calendar_day_set(actor=SYSTEM, date=D(2027, 1, 4), kind="holiday", name="元旦(假设)")
    assert services.deadlines_sweep(actor=SYSTEM)["calendar_refreshed"] == 1
    c.refresh_from_db()
    assert not c.calendar_unknown and due(c) == D(2027, 1, 5)
    assert 'data-testid="schedule-missing"' not in client.get("/complaints/").content.decode()
    assert home_notice(ctx.head_a) == ""


def home_notice(user: Any) -> str:
    """What the home page shows once the lead includes the partial (see complaints/context_processors.py)."""
    from django.template import engines
    from django.test import RequestFactory

    from fuwu.complaints.context_processors import schedule_notice

    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string('{% include "complaints/partials/schedule_notice.html" %}')
    return template.render(schedule_notice(request), request).strip()
