"""Courses and sessions (T1) and findings to training (T3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import clock, roles
from fuwu.core.defects import Defect, SourceKind
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.principals import SYSTEM
from fuwu.training import selectors, services
from fuwu.training.models import Assignment, Attendance
from fuwu.training.tests import factories as f


def _session(world: Any, start: dt.datetime, capacity: int = 30) -> Any:
    return services.session_create(
        actor=SYSTEM,
        course=f.course(world),
        org_unit=world.t2,
        trainer=f.trainer(world),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place="海淀支行三楼培训室",
        capacity=capacity,
    )


def test_qr_checkin_only_while_the_session_runs(world: Any, frozen_clock: Any) -> None:
    start = clock.now() + dt.timedelta(hours=2)  # 11:00
    session = _session(world, start)
    services.assign_by_role(
        actor=SYSTEM, course=session.course, unit=world.t2, role=roles.TELLER, due_date=dt.date(2026, 3, 6)
    )
    with pytest.raises(Conflict) as early:
        services.session_checkin(actor=world.teller_a, session=session, secret=session.checkin_secret)
    assert early.value.code == "not_started"
    frozen_clock.advance(dt.timedelta(hours=1, minutes=46))  # 10:46, within the 15 minutes before
    with pytest.raises(NotFound):
        services.session_checkin(actor=world.teller_a, session=session, secret="wrong-secret-xx")
    done = services.session_checkin(actor=world.teller_a, session=session, secret=session.checkin_secret)
    assert done.checked_in_at == clock.now()
    assert (
        services.session_checkin(actor=world.teller_a, session=session, secret=session.checkin_secret) == done
    )
    assert Assignment.objects.get(user=world.teller_a).status == "completed"
    assert Assignment.objects.get(user=world.teller_b).status == "open"
    frozen_clock.advance(dt.timedelta(hours=1, minutes=15))  # 12:01, after the end
    with pytest.raises(Conflict) as late:
        services.session_checkin(actor=world.teller_b, session=session, secret=session.checkin_secret)
    assert late.value.code == "ended"
    assert Attendance.objects.count() == 1


def test_checkin_refuses_past_capacity(world: Any, frozen_clock: Any) -> None:
    session = _session(world, clock.now(), capacity=1)
    services.session_checkin(actor=world.teller_a, session=session, secret=session.checkin_secret)
    with pytest.raises(Conflict):
        services.session_checkin(actor=world.teller_b, session=session, secret=session.checkin_secret)


def test_checkin_page_over_http(world: Any, frozen_clock: Any, client: Any) -> None:
    from fuwu.conftest import PASSWORD

    session = _session(world, clock.now())
    client.login(username="teller_a", password=PASSWORD)
    url = f"/training/sessions/{session.pk}/checkin/{session.checkin_secret}/"
    assert client.get(url).status_code == 200
    assert "checked-in" in client.post(url).content.decode()
    client.login(username="trainer", password=PASSWORD)
    qr = client.get(f"/training/sessions/{session.pk}/qr.svg")
    assert qr.status_code == 200 and qr.content.startswith(b"<svg")
    client.login(username="teller_b", password=PASSWORD)
    assert (
        client.get(f"/training/sessions/{session.pk}/qr.svg").status_code == 404
    )  # not the trainer: the secret stays hidden


def test_assign_by_role_reaches_the_subtree_once(world: Any, frozen_clock: Any) -> None:
    course = f.course(world)
    made = services.assign_by_role(
        actor=SYSTEM, course=course, unit=world.t2, role=roles.TELLER, due_date=dt.date(2026, 3, 13)
    )
    assert {a.user for a in made} == {world.teller_a, world.teller_b}
    again = services.assign_by_role(
        actor=SYSTEM, course=course, unit=world.t2, role=roles.TELLER, due_date=dt.date(2026, 3, 20)
    )
    assert Assignment.objects.count() == 2 and {a.due_date for a in again} == {dt.date(2026, 3, 13)}
    assert (
        services.assign_by_role(
            actor=world.head_a,
            course=course,
            unit=world.outlet_a,
            role=roles.LOBBY,
            due_date=dt.date(2026, 3, 13),
        )
        == []
    )
    with pytest.raises(NotFound):
        services.assign_by_role(
            actor=world.head_a,
            course=course,
            unit=world.outlet_b,
            role=roles.TELLER,
            due_date=dt.date(2026, 3, 13),
        )


def test_reminders_go_once_for_assignments_due_within_three_business_days(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    course = f.course(world)
    services.assign_person(actor=SYSTEM, course=course, user=world.teller_a, due_date=dt.date(2026, 3, 5))
    services.assign_person(actor=SYSTEM, course=course, user=world.teller_b, due_date=dt.date(2026, 3, 9))
    assert services.reminders_sweep(actor=SYSTEM) == 1
    assert services.reminders_sweep(actor=SYSTEM) == 0


def test_reminders_and_overdue_assignments_are_sent_once_even_when_the_sweep_runs_twice(
    world: Any, frozen_clock: Any, seeded_calendar: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """T1 / #17: due soon → the learner; overdue → the learner's manager; a second run sends nothing."""
    from fuwu.core.models import Notification
    from fuwu.core.notifications import text
    from fuwu.training.tasks import training_sweep

    course = f.course(world)
    services.assign_person(actor=SYSTEM, course=course, user=world.teller_a, due_date=dt.date(2026, 3, 5))
    services.assign_person(actor=SYSTEM, course=course, user=world.head_a, due_date=dt.date(2026, 3, 5))
    supervisor = world.person("sup_t2", world.t2, roles.SUPERVISOR)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            training_sweep.call()
    reminders = Notification.objects.filter(kind="training.reminder")
    assert sorted(n.recipient.username for n in reminders) == ["head_a", "teller_a"]
    assert text(reminders.first()) == f"培训「{course.title}」将于 2026-03-05 到期。"
    assert not Notification.objects.filter(kind="training.overdue").exists()

    frozen_clock.advance(dt.timedelta(days=4))  # Friday 2026-03-06: one day overdue
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            training_sweep.call()
    overdue = Notification.objects.filter(kind="training.overdue")
    # The teller's manager is the outlet head; the head's own manager is the branch supervisor above.
    assert sorted((n.recipient.username, n.params["person"]) for n in overdue) == [
        ("head_a", "李柜员"),
        (supervisor.username, "陈主任"),
    ]
    assert "李柜员" in text(overdue.get(recipient=world.head_a))
    assert Notification.objects.filter(kind="training.reminder").count() == 2


def test_completion_rate_per_unit_and_course_by_hand(world: Any, frozen_clock: Any) -> None:
    course = f.course(world, online=True)
    a = services.assign_person(actor=SYSTEM, course=course, user=world.teller_a, due_date=dt.date(2026, 3, 3))
    b = services.assign_person(actor=SYSTEM, course=course, user=world.teller_b, due_date=dt.date(2026, 3, 3))
    c_user = world.person("teller_c", world.outlet_a, roles.TELLER)
    services.assign_person(actor=SYSTEM, course=course, user=c_user, due_date=dt.date(2026, 3, 3))
    services.assignment_complete_online(actor=world.teller_a, assignment=a)  # on time
    frozen_clock.advance(dt.timedelta(days=2))  # 03-04: late
    services.assignment_complete_online(actor=world.teller_b, assignment=b)
    from fuwu.core import rollups

    # the rates are the measure catalogue's (#17): read from the rollups the sweep builds
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    rows = selectors.completion_rates(
        fetched_by=world.hq_manager, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    by_unit = {r.unit_code: r for r in rows}
    assert (by_unit["OA"].due, by_unit["OA"].on_time, by_unit["OA"].completed, by_unit["OA"].rate) == (
        2,
        1,
        1,
        0.5,
    )
    assert (by_unit["OB"].due, by_unit["OB"].on_time, by_unit["OB"].completed, by_unit["OB"].rate) == (
        1,
        0,
        1,
        0.0,
    )
    assert [
        r.unit_code
        for r in selectors.completion_rates(
            fetched_by=world.head_a, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
        )
    ] == ["OA"]


def test_a_finding_assigns_the_mapped_course_and_the_ledger_sees_its_completion(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    course = f.course(world, code="LANG", title="文明用语与禁用语", online=True)
    services.defect_rule_set(
        actor=SYSTEM, source_kind=SourceKind.LANGUAGE, reason_code="phrase-17", course=course, due_days=5
    )
    defect = Defect(
        source_kind=SourceKind.LANGUAGE,
        source_id="991",
        label="禁用语命中",
        unit=world.outlet_a,
        description="柜员使用了禁用语",
        staff=world.teller_a,
        reason_code="phrase-17",
    )
    assignment = services.assign_for_defect(actor=SYSTEM, defect=defect)
    assert assignment is not None and assignment.due_date == dt.date(2026, 3, 9)
    assert services.assign_for_defect(actor=SYSTEM, defect=defect) == assignment
    unmapped = Defect(
        source_kind=SourceKind.COMPLAINT,
        source_id="5",
        label="x",
        unit=world.outlet_a,
        description="",
        staff=world.teller_a,
        reason_code="R99",
    )
    assert services.assign_for_defect(actor=SYSTEM, defect=unmapped) is None
    view = selectors.completion_for(fetched_by=world.head_a, source_kind="language", source_id="991")
    assert [(v.person, v.status) for v in view] == [("李柜员", "open")]
    services.assignment_complete_online(actor=world.teller_a, assignment=assignment)
    assert (
        selectors.completion_for(fetched_by=world.head_a, source_kind="language", source_id="991")[0].status
        == "completed"
    )
    outsider = world.person("head_x", world.outlet_x, roles.OUTLET_HEAD)
    assert selectors.completion_for(fetched_by=outsider, source_kind="language", source_id="991") == []
