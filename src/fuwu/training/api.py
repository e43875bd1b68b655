"""Training over HTTP (T1–T2): the catalogue and sessions, my assignments, QR check-in, taking an exam,
certificates, and the public certificate check. Thin: each action's schema is the HTML form's (schemas.py)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from fuwu.core import clock
from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.openapi import raises
from fuwu.core.transitions import actions_json
from fuwu.floor.mobile import absolute_url
from fuwu.training import selectors, services
from fuwu.training.models import (
    Assignment,
    Attempt,
    AttemptStatus,
    Certificate,
    Course,
    QuestionKind,
    Session,
)
from fuwu.training.schemas import (
    AnswerIn,
    AssignByRoleIn,
    CheckinIn,
    GradeIn,
    MaterialIn,
    SessionIn,
    SubmitIn,
)

router = Router(tags=["training"])

# A certificate's holder or an employer checks one paper at a time; guessing codes must stay slow.
VERIFY_RATE = "30/m"


class ActionOut(Schema):
    name: str
    label: str


class RecordRefOut(Schema):
    kind: str
    id: int
    title: str
    url: str
    version: int | None
    updated_at: dt.datetime | None


class MaterialOut(Schema):
    id: int
    title: str
    url: str
    # A knowledge base entry in its current version; `ref_missing` when it can no longer be opened.
    ref: RecordRefOut | None
    ref_missing: bool


class CourseOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    kind_label: str
    description: str
    unit_code: str
    online: bool
    materials: list[MaterialOut]


class SessionOut(Schema):
    id: int
    course_id: int
    course: str
    unit_code: str
    unit_name: str
    trainer: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    capacity: int


class AssignmentOut(Schema):
    id: int
    course_id: int
    course: str
    due_date: dt.date
    status: str
    status_label: str
    source: str
    source_label: str
    completed_at: dt.datetime | None
    completed_via: str
    can_complete_online: bool


class AttendanceOut(Schema):
    session_id: int
    checked_in_at: dt.datetime


class ExamOut(Schema):
    id: int
    course_id: int
    title: str
    time_limit_minutes: int
    pass_percent: int
    max_attempts: int


class OptionOut(Schema):
    index: int
    text: str


class ExamItemOut(Schema):
    position: int
    kind: str
    text: str
    points: int
    options: list[OptionOut]
    choice: list[int]
    answer_text: str
    answered_at: dt.datetime | None
    # Only once the attempt is submitted: before that they would give the answers away.
    awarded: int | None
    feedback: str


class AttemptOut(Schema):
    id: int
    exam_id: int
    exam: str
    number: int
    status: str
    status_label: str
    started_at: dt.datetime
    deadline: dt.datetime
    seconds_left: int
    submitted_at: dt.datetime | None
    score: int | None
    max_score: int
    passed: bool | None
    certificate_id: int | None
    actions: list[ActionOut]
    items: list[ExamItemOut]


class CertificateOut(Schema):
    id: int
    number: str
    course: str
    issued_at: dt.datetime
    expires_on: dt.date
    valid: bool
    pdf_url: str


class VerifyOut(Schema):
    """What the paper's QR link shows anyone: whose, which course, until when — nothing else."""

    holder: str
    course: str
    number: str
    expires_on: dt.date
    valid: bool


def _course_out(request: HttpRequest, c: Course) -> CourseOut:
    materials = selectors.course_materials(fetched_by=request_principal(request), course=c)
    return CourseOut(
        id=c.pk,
        code=c.code,
        title=c.title,
        kind=c.kind,
        kind_label=str(c.get_kind_display()),
        description=c.description,
        unit_code=c.org_unit.code,
        online=c.online,
        materials=[
            MaterialOut(
                id=m.id,
                title=m.title,
                url=m.url,
                ref=RecordRefOut(
                    kind=m.ref.kind,
                    id=m.ref.id,
                    title=m.ref.title,
                    url=m.ref.url,
                    version=m.ref.version,
                    updated_at=m.ref.updated_at,
                )
                if m.ref
                else None,
                ref_missing=m.ref_missing,
            )
            for m in materials
        ],
    )


def _session_out(s: Session) -> SessionOut:
    return SessionOut(
        id=s.pk,
        course_id=s.course_id,
        course=s.course.title,
        unit_code=s.org_unit.code,
        unit_name=s.org_unit.name,
        trainer=str(s.trainer),
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        place=s.place,
        online_url=s.online_url,
        capacity=s.capacity,
    )


def _assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        course_id=a.course_id,
        course=a.course.title,
        due_date=a.due_date,
        status=a.status,
        status_label=str(a.get_status_display()),
        source=a.source,
        source_label=str(a.get_source_display()),
        completed_at=a.completed_at,
        completed_via=a.completed_via,
        can_complete_online=services.online_completable(a),
    )


def _attempt_out(request: HttpRequest, attempt: Attempt) -> AttemptOut:
    who = request_principal(request)
    shown = attempt.status != AttemptStatus.IN_PROGRESS
    items = []
    for item in attempt.items.select_related("version").order_by("position"):
        v = item.version
        if v.kind == QuestionKind.TRUE_FALSE:
            options = [OptionOut(index=0, text="对"), OptionOut(index=1, text="错")]
        else:
            order = item.option_order or list(range(len(v.options)))
            options = [OptionOut(index=i, text=v.options[i]) for i in order]
        items.append(
            ExamItemOut(
                position=item.position,
                kind=v.kind,
                text=v.text,
                points=v.points,
                options=options,
                choice=item.answer if isinstance(item.answer, list) else [],
                answer_text=item.answer.get("text", "") if isinstance(item.answer, dict) else "",
                answered_at=item.answered_at,
                awarded=item.awarded if shown else None,
                feedback=item.feedback if shown else "",
            )
        )
    cert = Certificate.objects.filter(attempt=attempt).values_list("pk", flat=True).first()
    return AttemptOut(
        id=attempt.pk,
        exam_id=attempt.exam_id,
        exam=attempt.exam.title,
        number=attempt.number,
        status=attempt.status,
        status_label=str(attempt.get_status_display()),
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        seconds_left=max(0, int((attempt.deadline - clock.now()).total_seconds())),
        submitted_at=attempt.submitted_at,
        score=attempt.score,
        max_score=attempt.max_score,
        passed=attempt.passed,
        certificate_id=cert,
        actions=[ActionOut(**a) for a in actions_json(attempt, who)],
        items=items,
    )


def _certificate_out(request: HttpRequest, cert: Certificate) -> CertificateOut:
    return CertificateOut(
        id=cert.pk,
        number=cert.number,
        course=cert.course.title,
        issued_at=cert.issued_at,
        expires_on=cert.expires_on,
        valid=selectors.certificate_valid(cert),
        pdf_url=reverse("training:certificate_pdf", args=[cert.pk]),
    )


@router.get("/training/courses", response=list[CourseOut])
def course_list(request: HttpRequest) -> list[CourseOut]:
    """The active course catalogue with its materials."""
    return [_course_out(request, c) for c in selectors.courses(fetched_by=request_principal(request))]


@router.get("/training/courses/{pk}", response=CourseOut)
def course_detail(request: HttpRequest, pk: int) -> CourseOut:
    return _course_out(request, selectors.course(fetched_by=request_principal(request), pk=pk))


@router.post("/training/courses/{pk}/materials", response={201: CourseOut})
def material_add(request: HttpRequest, pk: int, payload: MaterialIn) -> Status[CourseOut]:
    """Add a link or a knowledge base entry to a course (course editors)."""
    who = request_principal(request)
    course = selectors.course(fetched_by=who, pk=pk)
    services.material_add(
        actor=who,
        course=course,
        title=payload.title,
        url=payload.url,
        knowledge_entry_id=payload.knowledge_entry_id,
    )
    return Status(201, _course_out(request, course))


@router.get("/training/sessions", response=list[SessionOut])
def session_list(request: HttpRequest, upcoming: bool = True) -> list[SessionOut]:
    """Sessions of the caller's unit, the units above it and (managers) below it."""
    found = selectors.sessions(fetched_by=request_principal(request), upcoming_only=upcoming)
    return [_session_out(s) for s in found]


@router.get("/training/sessions/{pk}", response=SessionOut)
def session_detail(request: HttpRequest, pk: int) -> SessionOut:
    return _session_out(selectors.session(fetched_by=request_principal(request), pk=pk))


@router.post("/training/sessions", response={201: SessionOut})
@raises(NotFound)
def session_create(request: HttpRequest, payload: SessionIn) -> Status[SessionOut]:
    """Schedule a session run by the caller (the HTML form's action)."""
    who = request_principal(request)
    session = services.session_schedule(actor=who, data=payload)
    return Status(201, _session_out(selectors.session(fetched_by=who, pk=session.pk)))


@router.post("/training/sessions/{pk}/checkin", response=AttendanceOut)
@raises(Conflict)
def session_checkin(request: HttpRequest, pk: int, payload: CheckinIn) -> AttendanceOut:
    """Check in with the secret of the room's QR code, while the session runs."""
    who = request_principal(request)
    session = selectors.session(fetched_by=who, pk=pk)
    done = services.session_checkin(actor=who, session=session, secret=payload.secret)
    return AttendanceOut(session_id=session.pk, checked_in_at=done.checked_in_at)


@router.get("/training/assignments/mine", response=list[AssignmentOut])
def my_assignments(request: HttpRequest) -> list[AssignmentOut]:
    return [_assignment_out(a) for a in selectors.my_assignments(fetched_by=request_principal(request))]


@router.post("/training/assignments", response=list[AssignmentOut])
@raises(NotFound)
def assign_by_role(request: HttpRequest, payload: AssignByRoleIn) -> list[AssignmentOut]:
    """Assign a course to everyone holding a role in a unit and below (the manage page's form)."""
    who = request_principal(request)
    made = services.assign_by_role(
        actor=who,
        course=selectors.course(fetched_by=who, pk=payload.course_id),
        unit=core_selectors.org_unit(fetched_by=who, code=payload.unit_code),
        role=payload.role,
        due_date=payload.due_date,
    )
    return [_assignment_out(a) for a in made]


@router.post("/training/assignments/{pk}/complete", response=AssignmentOut)
@raises(Conflict)
def assignment_complete(request: HttpRequest, pk: int) -> AssignmentOut:
    """Mark an online course as studied (only one's own, only for courses completed online)."""
    who = request_principal(request)
    done = services.assignment_complete_online(
        actor=who, assignment=selectors.get_assignment(fetched_by=who, pk=pk)
    )
    return _assignment_out(done)


@router.get("/training/exams", response=list[ExamOut])
def exam_list(request: HttpRequest) -> list[ExamOut]:
    return [
        ExamOut(
            id=e.pk,
            course_id=e.course_id,
            title=e.title,
            time_limit_minutes=e.time_limit_minutes,
            pass_percent=e.pass_percent,
            max_attempts=e.max_attempts,
        )
        for e in selectors.exams(fetched_by=request_principal(request))
    ]


@router.post("/training/exams/{pk}/attempts", response={201: AttemptOut})
@raises(Conflict)
def attempt_start(request: HttpRequest, pk: int) -> Status[AttemptOut]:
    """Start an attempt (or get the one still running): the paper is drawn and frozen now."""
    who = request_principal(request)
    attempt = services.attempt_start(actor=who, exam=selectors.exam(fetched_by=who, pk=pk))
    return Status(201, _attempt_out(request, selectors.attempt(fetched_by=who, pk=attempt.pk)))


@router.get("/training/attempts/{pk}", response=AttemptOut)
def attempt_detail(request: HttpRequest, pk: int) -> AttemptOut:
    return _attempt_out(request, selectors.attempt(fetched_by=request_principal(request), pk=pk))


@router.post("/training/attempts/{pk}/answers", response=AttemptOut)
@raises(Conflict)
def attempt_answer(request: HttpRequest, pk: int, payload: AnswerIn) -> AttemptOut:
    """Save one answer while time allows."""
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    services.attempt_answer(actor=who, attempt=attempt, position=payload.position, answer=payload.value())
    return _attempt_out(request, selectors.attempt(fetched_by=who, pk=pk))


@router.post("/training/attempts/{pk}/submit", response=AttemptOut)
@raises(Conflict)
def attempt_submit(request: HttpRequest, pk: int, payload: SubmitIn) -> AttemptOut:
    """Submit (with any answers not yet saved): graded at once, short answers wait for a grader."""
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    services.attempt_submit(
        actor=who, attempt=attempt, answers={a.position: a.value() for a in payload.answers}
    )
    return _attempt_out(request, selectors.attempt(fetched_by=who, pk=pk))


@router.post("/training/attempts/{pk}/grade", response=AttemptOut)
@raises(Conflict)
def attempt_grade(request: HttpRequest, pk: int, payload: GradeIn) -> AttemptOut:
    """A grader scores one short answer."""
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    services.attempt_grade(
        actor=who,
        attempt=attempt,
        position=payload.position,
        awarded=payload.awarded,
        feedback=payload.feedback,
    )
    return _attempt_out(request, selectors.attempt(fetched_by=who, pk=pk))


@router.get("/training/certificates/mine", response=list[CertificateOut])
def my_certificates(request: HttpRequest) -> list[CertificateOut]:
    return [
        _certificate_out(request, c) for c in selectors.my_certificates(fetched_by=request_principal(request))
    ]


@router.get("/training/certificates/{pk}.pdf")
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a PDF with the QR code of its public verification page."""
    who = request_principal(request)
    cert = selectors.certificate(fetched_by=who, pk=pk)
    url = absolute_url(reverse("training:verify", args=[cert.verify_code]), request)
    pdf = selectors.certificate_pdf(fetched_by=who, certificate=cert, verify_url=url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    return response


@router.get("/training/certificates/{pk}", response=CertificateOut)
def certificate_detail(request: HttpRequest, pk: int) -> CertificateOut:
    return _certificate_out(request, selectors.certificate(fetched_by=request_principal(request), pk=pk))


@router.get(
    "/training/verify/{code}", response=VerifyOut, auth=None, throttle=[AnonRateThrottle(VERIFY_RATE)]
)
def verify(request: HttpRequest, code: str) -> VerifyOut:
    """Public: the code in the certificate's QR link is the capability; unknown codes are 404."""
    cert = selectors.certificate_verify(code=code)
    if cert is None:
        raise NotFound()
    return VerifyOut(
        holder=str(cert.user),
        course=cert.course.title,
        number=cert.number,
        expires_on=cert.expires_on,
        valid=selectors.certificate_valid(cert),
    )
