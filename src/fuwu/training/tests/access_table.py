"""Access table rows for training's services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import clock, roles
from fuwu.core.defects import Defect
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase
from fuwu.training import selectors, services
from fuwu.training.schemas import SessionIn

S = "fuwu.training.services."
Q = "fuwu.training.selectors."


def _p(username: str, unit: str, *role: str) -> Any:
    def make(w: Any) -> Any:
        from fuwu.core.models import User

        found = User.objects.filter(username=username).first()
        return found or w.person(username, getattr(w, unit), *role)

    return make


noone = _p("noone", "outlet_a")
teller_a2 = _p("teller_a2", "outlet_a", roles.TELLER)
head_b = _p("head_b", "outlet_b", roles.OUTLET_HEAD)
trainer = _p("trainer", "t1", roles.TRAINER)
trainer_x = _p("trainer_x", "t1x", roles.TRAINER)


def _course(w: Any, online: bool = False) -> None:
    w.course = services.course_create(
        actor=SYSTEM, code="C1", title="服务礼仪", kind="etiquette", org_unit=w.t1, online=online
    )


def _online(w: Any) -> None:
    _course(w, online=True)
    w.assignment = services.assign_person(
        actor=SYSTEM, course=w.course, user=w.teller_a, due_date=clock.today() + dt.timedelta(days=5)
    )


def _bank(w: Any, short: bool = False) -> None:
    _course(w)
    for i in range(3):
        services.question_save(
            actor=SYSTEM,
            code=f"Q{i}",
            category="规范",
            kind="single",
            text=f"题{i}",
            options=["甲", "乙"],
            correct=[0],
        )
    draw = {"规范": 2}
    if short:
        services.question_save(actor=SYSTEM, code="S1", category="简答", kind="short", text="如何安抚客户？")
        draw["简答"] = 1
    w.exam = services.exam_create(actor=SYSTEM, course=w.course, title="考试", draw=draw)


def _attempt(w: Any) -> None:
    _bank(w)
    w.attempt = services.attempt_start(actor=w.teller_a, exam=w.exam)


def _submitted_short(w: Any) -> None:
    _bank(w, short=True)
    w.attempt = services.attempt_start(actor=w.teller_a, exam=w.exam)
    services.attempt_submit(actor=w.teller_a, attempt=w.attempt)
    w.short_pos = w.attempt.items.get(version__kind="short").position


def _certified(w: Any) -> None:
    _attempt(w)
    for item in w.attempt.items.select_related("version"):
        services.attempt_answer(actor=w.teller_a, attempt=w.attempt, position=item.position, answer=[0])
    services.attempt_submit(actor=w.teller_a, attempt=w.attempt)
    w.cert = w.attempt.certificate


def _session(w: Any, unit: str = "outlet_a") -> None:
    _course(w)
    w.session = services.session_create(
        actor=SYSTEM,
        course=w.course,
        org_unit=getattr(w, unit),
        trainer=w.hq_manager,
        starts_at=clock.now() - dt.timedelta(minutes=5),
        ends_at=clock.now() + dt.timedelta(hours=1),
        place="培训室",
    )


def _defect(w: Any) -> Defect:
    return Defect(
        source_kind="inspection",
        source_id="7",
        label="仪容仪表",
        unit=w.outlet_a,
        description="未佩戴工牌",
        staff=w.teller_a,
        reason_code="I-01",
    )


def _rule(w: Any) -> None:
    _course(w)
    services.defect_rule_set(actor=SYSTEM, source_kind="inspection", reason_code="I-01", course=w.course)


def _defect_assigned(w: Any) -> None:
    _rule(w)
    services.assign_for_defect(actor=SYSTEM, defect=_defect(w))


def _online_rolled_up(w: Any) -> None:
    """An online assignment in the measure catalogue's rollups, as the sweep leaves it (#17)."""
    from fuwu.core import rollups

    _online(w)
    rollups.rebuild(actor=SYSTEM, start=_period()[0], end=_period()[1])


def _period() -> tuple[dt.date, dt.date]:
    return clock.today() - dt.timedelta(days=30), clock.today() + dt.timedelta(days=30)


CASES = [
    AccessCase(
        S + "course_create",
        call=lambda w, who: services.course_create(
            actor=who, code=f"N{who.pk}", title="新产品", kind="new_product", org_unit=w.t1
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "material_add",
        setup=_course,
        call=lambda w, who: services.material_add(
            actor=who, course=w.course, title="讲义", url="https://example.cn/a"
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "session_create",
        setup=_course,
        call=lambda w, who: services.session_create(
            actor=who,
            course=w.course,
            org_unit=w.t2,
            trainer=w.hq_manager,
            starts_at=clock.now(),
            ends_at=clock.now() + dt.timedelta(hours=1),
            place="三楼",
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "session_schedule",
        setup=_course,
        call=lambda w, who: services.session_schedule(
            actor=who,
            data=SessionIn(
                course_id=w.course.pk,
                unit_code=w.t2.code,
                starts_at=clock.now(),
                ends_at=clock.now() + dt.timedelta(hours=1),
                place="三楼",
            ),
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "session_checkin",
        setup=_session,
        call=lambda w, who: services.session_checkin(
            actor=who, session=w.session, secret=w.session.checkin_secret
        ),
        holder=lambda w: w.teller_a,
        without=noone,
    ),
    AccessCase(
        S + "assign_by_role",
        setup=_course,
        call=lambda w, who: services.assign_by_role(
            actor=who,
            course=w.course,
            unit=w.outlet_a,
            role=roles.TELLER,
            due_date=clock.today() + dt.timedelta(days=9),
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
    AccessCase(
        S + "assign_person",
        setup=_course,
        call=lambda w, who: services.assign_person(
            actor=who, course=w.course, user=w.teller_a, due_date=clock.today() + dt.timedelta(days=9)
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
    AccessCase(
        S + "assign_for_defect",
        setup=_rule,
        call=lambda w, who: services.assign_for_defect(actor=who, defect=_defect(w)),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
    AccessCase(
        S + "assignment_complete_online",
        setup=_online,
        call=lambda w, who: services.assignment_complete_online(actor=who, assignment=w.assignment),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "attempt_start",
        setup=_bank,
        call=lambda w, who: services.attempt_start(actor=who, exam=w.exam),
        holder=lambda w: w.teller_a,
        without=noone,
    ),
    AccessCase(
        S + "attempt_answer",
        setup=_attempt,
        call=lambda w, who: services.attempt_answer(actor=who, attempt=w.attempt, position=1, answer=[1]),
        also=(S + "attempt_answer_many",),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "attempt_submit",
        setup=_attempt,
        call=lambda w, who: services.attempt_submit(actor=who, attempt=w.attempt),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "attempt_grade",
        setup=_submitted_short,
        call=lambda w, who: services.attempt_grade(
            actor=who, attempt=w.attempt, position=w.short_pos, awarded=1
        ),
        holder=trainer,
        without=lambda w: w.head_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "attempts_timeout_sweep",
        call=lambda w, who: services.attempts_timeout_sweep(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "certificates_expiry_sweep",
        call=lambda w, who: services.certificates_expiry_sweep(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "reminders_sweep",
        call=lambda w, who: services.reminders_sweep(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "overdue_sweep",
        call=lambda w, who: services.overdue_sweep(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "defect_rule_set",
        setup=_course,
        call=lambda w, who: services.defect_rule_set(
            actor=who, source_kind="complaint", reason_code="R1", course=w.course
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "exam_create",
        setup=_bank,
        call=lambda w, who: services.exam_create(actor=who, course=w.course, title="补考", draw={"规范": 1}),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=trainer_x,
    ),
    AccessCase(
        S + "question_save",
        call=lambda w, who: services.question_save(
            actor=who, code="X1", category="规范", kind="true_false", text="对吗", correct=[0]
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "question_bank_import",
        setup=_bank,
        call=lambda w, who: services.question_bank_import(
            actor=who, content=selectors.question_bank_xlsx(fetched_by=SYSTEM)
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "assignments",
        setup=_online,
        call=lambda w, who: selectors.assignments(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: w.assignment not in rows,
    ),
    AccessCase(
        Q + "assignment_rows",
        setup=_online,
        call=lambda w, who: selectors.assignment_rows(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: w.assignment not in rows,
    ),
    AccessCase(
        Q + "get_assignment",
        setup=_online,
        call=lambda w, who: selectors.get_assignment(fetched_by=who, pk=w.assignment.pk),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=head_b,
    ),
    AccessCase(
        Q + "attempt",
        setup=_attempt,
        call=lambda w, who: selectors.attempt(fetched_by=who, pk=w.attempt.pk),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=head_b,
    ),
    AccessCase(
        Q + "attempts_to_grade",
        setup=_submitted_short,
        call=lambda w, who: selectors.attempts_to_grade(fetched_by=who),
        holder=trainer,
        without=lambda w: w.head_a,
        outsider=trainer_x,
        hides=lambda w, rows: w.attempt not in rows,
    ),
    AccessCase(
        Q + "certificate",
        setup=_certified,
        call=lambda w, who: selectors.certificate(fetched_by=who, pk=w.cert.pk),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=head_b,
    ),
    AccessCase(
        Q + "certificate_pdf",
        setup=_certified,
        call=lambda w, who: selectors.certificate_pdf(
            fetched_by=who, certificate=w.cert, verify_url="https://x/v/"
        ),
        holder=lambda w: w.teller_a,
        without=teller_a2,
        outsider=head_b,
    ),
    AccessCase(
        Q + "completion_for",
        setup=_defect_assigned,
        call=lambda w, who: selectors.completion_for(fetched_by=who, source_kind="inspection", source_id="7"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "completion_rates",
        setup=_online_rolled_up,
        call=lambda w, who: selectors.completion_rates(fetched_by=who, start=_period()[0], end=_period()[1]),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "courses",
        setup=_course,
        call=lambda w, who: selectors.courses(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=noone,
        also=(
            Q + "course",
            Q + "course_materials",
            Q + "exams",
            Q + "exam",
            Q + "my_assignments",
            Q + "my_attempts",
            Q + "my_certificates",
        ),
    ),
    AccessCase(
        Q + "questions",
        call=lambda w, who: selectors.questions(fetched_by=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        also=(Q + "question_bank_xlsx",),
    ),
    AccessCase(
        Q + "session",
        setup=_session,
        call=lambda w, who: selectors.session(fetched_by=who, pk=w.session.pk),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "sessions",
        setup=_session,
        call=lambda w, who: selectors.sessions(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.session not in rows,
    ),
    AccessCase(
        Q + "session_checkin_qr",
        setup=_session,
        call=lambda w, who: selectors.session_checkin_qr(
            fetched_by=who, session=w.session, checkin_url="https://x/c/"
        ),
        holder=trainer,
        without=lambda w: w.head_a,
        outsider=trainer_x,
    ),
]

EXEMPT = {
    "fuwu.training.services.online_completable": "a pure rule on an assignment the caller already read through a selector",
    S + "grade_item": "pure scoring of one answer against one question version; no principal, no data read",
    Q + "certificate_valid": "a pure date rule on a certificate the caller already read",
    Q
    + "certificate_verify": "the public verification page: the secret code in the QR link is the capability",
}
