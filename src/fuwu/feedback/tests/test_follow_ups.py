"""F5: the closed loop — follow-ups with deadlines, escalation of untouched ones, outcomes, own stream."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core import roles as core_roles
from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.core.services import staff_create
from fuwu.feedback import services, tasks
from fuwu.feedback.models import Evaluation, FollowUp
from fuwu.feedback.selectors import own_stream
from fuwu.feedback.tests import factories as f

pytestmark = pytest.mark.django_db


def dissatisfied(world: Any, counter: Any, staff: Any) -> Evaluation:
    from fuwu.core.principals import DevicePrincipal
    from fuwu.core.services import device_token_authenticate

    raw = f.pad_token(world.outlet_a, counter.code)
    pad = DevicePrincipal(device_token_authenticate(raw))
    ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=staff)
    return services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])


@pytest.fixture
def loop(world, frozen_clock, seeded_calendar):
    supervisor = staff_create(
        actor=SYSTEM,
        org_unit=world.t2,
        username="sup_t2",
        display_name="周督导",
        roles=[core_roles.SUPERVISOR],
    )
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    evaluation = dissatisfied(world, counter, world.teller_a)
    return evaluation, counter, supervisor


def test_deadline_is_end_of_next_business_day(world, loop):
    evaluation, _c, _s = loop
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    assert follow_up.due_at.astimezone(clock.SHANGHAI) == dt.datetime(
        2026, 3, 3, 18, 0, tzinfo=clock.SHANGHAI
    )
    assert follow_up.owner == world.head_a and follow_up.status == "open"


def test_untouched_follow_up_escalates_after_deadline_by_the_background_task(world, loop, frozen_clock):
    evaluation, _c, supervisor = loop
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    frozen_clock.advance(dt.timedelta(days=1, hours=8, minutes=59))  # Tue 17:59: not yet due
    assert services.follow_ups_escalate(actor=SYSTEM) == 0
    frozen_clock.advance(dt.timedelta(minutes=2))  # Tue 18:01
    tasks.escalate_follow_ups.call()
    follow_up.refresh_from_db()
    assert (follow_up.escalation_level, follow_up.escalated_to, follow_up.owner) == (1, world.t2, supervisor)
    assert follow_up.due_at.astimezone(clock.SHANGHAI) == dt.datetime(
        2026, 3, 4, 18, 0, tzinfo=clock.SHANGHAI
    )
    assert AuditEvent.objects.filter(action="follow_up.escalate", target_id=str(follow_up.pk)).count() == 1
    assert services.follow_ups_escalate(actor=SYSTEM) == 0  # not twice for the same deadline
    frozen_clock.advance(dt.timedelta(days=1))
    assert services.follow_ups_escalate(actor=SYSTEM) == 1
    follow_up.refresh_from_db()
    assert follow_up.escalated_to == world.t1 and follow_up.escalation_level == 2


def test_escalation_skips_weekend_and_holidays_for_the_new_deadline(world, frozen_clock, seeded_calendar):
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    frozen_clock.set_clock(
        dt.datetime(2026, 4, 30, 10, 0, tzinfo=clock.SHANGHAI), speed=0
    )  # Thu before 劳动节
    evaluation = dissatisfied(world, counter, world.teller_a)
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    due = follow_up.due_at.astimezone(clock.SHANGHAI).date()
    assert due > dt.date(2026, 5, 5)  # the May Day holiday is skipped


def test_touched_follow_up_does_not_escalate_and_outcome_is_recorded(client, world, loop, frozen_clock):
    evaluation, _c, _s = loop
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    client.force_login(world.head_a)
    assert client.post(f"/feedback/follow-ups/{follow_up.pk}/", {"action": "start"}).status_code == 302
    frozen_clock.advance(dt.timedelta(days=3))
    assert services.follow_ups_escalate(actor=SYSTEM) == 0
    response = client.post(
        f"/api/v1/feedback/follow-ups/{follow_up.pk}/close",
        json.dumps({"outcome": "resolved", "note": "电话致歉，客户表示理解，柜员已面谈辅导"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    follow_up.refresh_from_db()
    assert follow_up.outcome == "resolved" and follow_up.closed_at == clock.now()
    assert follow_up.history.filter(history_user=world.head_a).exists()
    with pytest.raises(Conflict):
        services.follow_up_close(
            actor=world.head_a, follow_up=follow_up, outcome="resolved", note="再关一次试试"
        )


def test_outcome_needs_a_note_and_a_known_outcome(world, loop):
    evaluation, _c, _s = loop
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    with pytest.raises(ValidationFailed) as caught:
        services.follow_up_close(actor=world.head_a, follow_up=follow_up, outcome="whatever", note="")
    assert {d["field"] for d in caught.value.details} == {"outcome", "note"}
    with pytest.raises(Forbidden):
        services.follow_up_close(
            actor=world.teller_a, follow_up=follow_up, outcome="resolved", note="我自己关掉"
        )


def test_outlet_head_sees_follow_up_and_outsiders_do_not(client, world, loop):
    client.force_login(world.head_a)
    html = client.get("/feedback/follow-ups/").content.decode()
    assert "服务态度" in html
    client.force_login(world.teller_b)
    assert client.get("/api/v1/feedback/follow-ups").status_code == 403  # tellers do not work follow-ups
    follow_up = FollowUp.objects.get()
    assert client.get(f"/feedback/follow-ups/{follow_up.pk}/").status_code in (403, 404)


def test_staff_sees_only_their_own_stream(client, world, loop):
    _evaluation, _counter, _s = loop
    other_counter = f.counter(world.outlet_a, 2, staff=world.head_a)
    dissatisfied(world, other_counter, world.head_a)
    services.feedback_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        text="李柜员讲解很耐心，谢谢",
        client="1",
        subject="staff",
        staff=world.teller_a,
    )
    mine = own_stream(fetched_by=world.teller_a)
    assert sorted(e["kind"] for e in mine) == ["evaluation", "feedback"]
    assert Evaluation.objects.count() == 2
    client.force_login(world.teller_a)
    html = client.get("/feedback/mine/").content.decode()
    assert "李柜员讲解很耐心" in html and html.count("服务态度") == 1
    client.force_login(world.teller_b)
    html_b = client.get("/feedback/mine/").content.decode()
    assert "李柜员讲解很耐心" not in html_b and "服务态度" not in html_b
