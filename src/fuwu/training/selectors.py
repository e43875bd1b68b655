"""Training reads: courses and sessions, assignments and completion rates, attempts, certificates, the bank."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from fuwu.core import access, clock, figures, references
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible
from fuwu.training.models import (
    Assignment,
    AssignmentStatus,
    Attempt,
    AttemptStatus,
    Certificate,
    Course,
    Exam,
    Material,
    Question,
    Session,
)


def _is(principal: Principal, user_id: int) -> bool:
    return isinstance(principal, User) and principal.pk == user_id


def courses(*, fetched_by: Principal) -> list[Course]:
    """Active courses (bank-wide: every staff member may read the catalogue)."""
    access.require(fetched_by, "training.view_course")
    return list(
        Course.objects.filter(is_active=True).select_related("org_unit").prefetch_related("materials")
    )


def course(*, fetched_by: Principal, pk: int) -> Course:
    access.require(fetched_by, "training.view_course")
    found = Course.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class MaterialView:
    """A course material as the learner reads it; a knowledge entry in its current version (`ref`)."""

    id: int
    title: str
    url: str
    ref: references.RecordRef | None
    # Linked to a record the reader cannot open now (withdrawn to draft, deleted): say so, show nothing of it.
    ref_missing: bool


def course_materials(*, fetched_by: Principal, course: Course) -> list[MaterialView]:
    """The course's materials; linked knowledge entries resolved to what the knowledge base says today."""
    access.require(fetched_by, "training.view_course")
    rows: list[Material] = list(course.materials.order_by("pk"))
    refs: dict[str, dict[int, references.RecordRef]] = {}
    for kind in {m.ref_kind for m in rows if m.ref_kind}:
        ids = [m.ref_id for m in rows if m.ref_kind == kind and m.ref_id is not None]
        refs[kind] = references.resolve(fetched_by=fetched_by, kind=kind, ids=ids)
    out = []
    for m in rows:
        ref = refs.get(m.ref_kind, {}).get(m.ref_id) if m.ref_kind and m.ref_id is not None else None
        out.append(
            MaterialView(
                id=m.pk,
                title=ref.title if ref else m.title,
                url=ref.url if ref else (m.file.url if m.file else m.url),
                ref=ref,
                ref_missing=bool(m.ref_kind) and ref is None,
            )
        )
    return out


def _sessions_visible(fetched_by: Principal) -> QuerySet[Session]:
    """Sessions held in the viewer's unit, below it, or above it (a branch's session is for its outlets)."""
    qs = Session.objects.select_related("course", "org_unit", "trainer")
    if access.sees_all(fetched_by):
        return qs
    home = access.home_unit(fetched_by)
    if home is None:
        return qs.none()
    ancestors = [home.path[:i] for i in range(home.steplen, len(home.path) + 1, home.steplen)]
    return qs.filter(Q(org_unit__path__startswith=home.path) | Q(org_unit__path__in=ancestors))


def sessions(*, fetched_by: Principal, upcoming_only: bool = False) -> list[Session]:
    access.require(fetched_by, "training.view_course")
    qs = _sessions_visible(fetched_by)
    if upcoming_only:
        qs = qs.filter(ends_at__gte=clock.now())
    return list(qs.annotate(attendees=Count("attendance")).order_by("starts_at")[:200])


def session(*, fetched_by: Principal, pk: int) -> Session:
    access.require(fetched_by, "training.view_course")
    found = _sessions_visible(fetched_by).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def session_checkin_qr(*, fetched_by: Principal, session: Session, checkin_url: str) -> bytes:
    """The SVG QR code the trainer shows in the room (only who may run sessions there sees the secret)."""
    access.require(fetched_by, "training.add_session", unit=session.org_unit)
    from fuwu.floor.mobile import qr_svg

    return qr_svg(checkin_url)


def my_assignments(*, fetched_by: Principal) -> list[Assignment]:
    """The person's own open and recent assignments."""
    access.require(fetched_by, "training.view_course")
    if not isinstance(fetched_by, User):
        return []
    return list(
        Assignment.objects.filter(user=fetched_by)
        .exclude(status=AssignmentStatus.CANCELLED)
        .select_related("course")
        .order_by("status", "due_date")[:100]
    )


def assignments(
    *, fetched_by: Principal, status: str | None = None, course_id: int | None = None
) -> list[Assignment]:
    """Assignments of the units the viewer may see (managers, trainers, auditors)."""
    return list(assignment_rows(fetched_by=fetched_by, status=status, course_id=course_id)[:500])


def assignment_rows(
    *, fetched_by: Principal, status: str | None = None, course_id: int | None = None
) -> QuerySet[Assignment]:
    """The same assignments as a query, for the paged list and the home worklists (#19)."""
    access.require(fetched_by, "training.view_assignment")
    qs = visible(Assignment.objects.select_related("course", "user", "org_unit"), fetched_by)
    if status:
        qs = qs.filter(status=status)
    if course_id:
        qs = qs.filter(course_id=course_id)
    return qs


@dataclass(frozen=True)
class CompletionRow:
    unit_code: str
    unit_name: str
    course_code: str
    course_title: str
    due: int  # assignments falling due in the period
    on_time: int  # of those, completed on or before the due date
    completed: int  # of those, completed at all (by the end of the period)

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def completion_rates(*, fetched_by: Principal, start: dt.date, end: dt.date) -> list[CompletionRow]:
    """Training completion (K1) per unit and course for assignments due in [start, end]: the measure
    catalogue's `training_completion` and its counts, read through `core.figures` from the rollups' course
    cut, so this page, the dashboards and appraisal compute it one way (#17)."""
    access.require(fetched_by, "training.view_assignment")
    ids = ["training_due", "training_on_time", "training_completed"]
    found = figures.keyed_figures(fetched_by=fetched_by, start=start, end=end, cut="course", measure_ids=ids)
    units = {u.pk: u for u in visible(OrgUnit.objects.filter(pk__in={u for u, _k in found}), fetched_by)}
    courses = {c.code: c for c in Course.objects.filter(code__in={k for _u, k in found})}
    rows = [
        CompletionRow(
            units[unit].code,
            units[unit].name,
            code,
            courses[code].title,
            int(values["training_due"] or 0),
            int(values["training_on_time"] or 0),
            int(values["training_completed"] or 0),
        )
        for (unit, code), values in found.items()
        if unit in units and code in courses and values["training_due"]
    ]
    return sorted(rows, key=lambda r: (r.unit_code, r.course_code))


@dataclass(frozen=True)
class CompletionView:
    """What the rectification ledger shows beside a task: the course assigned from the finding and its state."""

    assignment_id: int
    course: str
    person: str
    status: str
    status_label: str
    due: dt.date
    completed_at: dt.datetime | None


def completion_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[CompletionView]:
    """The training assigned from one finding (T3), as `fetched_by` may see it."""
    access.require(fetched_by, "training.view_assignment")
    qs = visible(Assignment.objects.select_related("course", "user"), fetched_by).filter(
        source_kind=source_kind, source_id=source_id
    )
    return [
        CompletionView(
            a.pk,
            a.course.title,
            str(a.user),
            a.status,
            str(a.get_status_display()),
            a.due_date,
            a.completed_at,
        )
        for a in qs
    ]


def exams(*, fetched_by: Principal) -> list[Exam]:
    access.require(fetched_by, "training.view_course")
    return list(Exam.objects.filter(is_active=True, course__is_active=True).select_related("course"))


def exam(*, fetched_by: Principal, pk: int) -> Exam:
    access.require(fetched_by, "training.view_course")
    found = Exam.objects.filter(pk=pk, is_active=True).select_related("course").first()
    if found is None:
        raise NotFound()
    return found


def attempt(*, fetched_by: Principal, pk: int) -> Attempt:
    """One's own attempt, or (graders, managers) any attempt of a visible unit."""
    access.require(fetched_by, "training.view_course")
    found = Attempt.objects.select_related("exam", "exam__course", "user", "org_unit").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if not _is(fetched_by, found.user_id):
        access.require(fetched_by, "training.view_attempt", unit=found.org_unit)
    return found


def my_attempts(*, fetched_by: Principal) -> list[Attempt]:
    access.require(fetched_by, "training.view_course")
    if not isinstance(fetched_by, User):
        return []
    return list(Attempt.objects.filter(user=fetched_by).select_related("exam")[:100])


def attempts_to_grade(*, fetched_by: Principal) -> list[Attempt]:
    access.require(fetched_by, "training.grade_attempt")
    return list(
        visible(Attempt.objects.select_related("exam", "user"), fetched_by).filter(
            status=AttemptStatus.SUBMITTED
        )
    )


def my_certificates(*, fetched_by: Principal) -> list[Certificate]:
    access.require(fetched_by, "training.view_course")
    if not isinstance(fetched_by, User):
        return []
    return list(Certificate.objects.filter(user=fetched_by).select_related("course"))


def certificate(*, fetched_by: Principal, pk: int) -> Certificate:
    """One's own certificate, or any of a visible unit for who may read certificates."""
    return _certificate(fetched_by, pk)


def _certificate(fetched_by: Principal, pk: int) -> Certificate:
    access.require(fetched_by, "training.view_course")
    found = Certificate.objects.select_related("course", "user", "org_unit").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if not _is(fetched_by, found.user_id):
        access.require(fetched_by, "training.view_certificate", unit=found.org_unit)
    return found


def certificate_verify(*, code: str) -> Certificate | None:
    """Public verification by the code in the certificate's QR link: anyone holding the paper may check it."""
    return Certificate.objects.select_related("course", "user").filter(verify_code=code).first()


def certificate_valid(cert: Certificate) -> bool:
    """A certificate is valid through its expiry date (Shanghai business date)."""
    return cert.expires_on >= clock.today()


def certificate_pdf(*, fetched_by: Principal, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as a PDF (WeasyPrint, Noto CJK) with a QR code of its public verification page."""
    found = _certificate(fetched_by, certificate.pk)
    from fuwu.training.pdf import render_certificate

    return render_certificate(found, verify_url)


def questions(*, fetched_by: Principal) -> list[Question]:
    access.require(fetched_by, "training.manage_bank")
    return list(Question.objects.select_related("category").prefetch_related("versions")[:1000])


def question_bank_xlsx(*, fetched_by: Principal) -> bytes:
    """The whole active bank in the import layout (current versions), for editing and re-import."""
    access.require(fetched_by, "training.manage_bank")
    import openpyxl

    from fuwu.core.files import xlsx_append
    from fuwu.training.services import BANK_COLUMNS, KIND_LABELS

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "题库"
    xlsx_append(sheet, BANK_COLUMNS)
    for q in Question.objects.filter(is_active=True).select_related("category").order_by("code"):
        v = q.current()
        if v.kind == "true_false":
            answer = "对" if v.correct == [0] else "错"
        else:
            answer = "".join(chr(ord("A") + i) for i in v.correct)
        xlsx_append(
            sheet,
            [
                q.code,
                q.category.name,
                KIND_LABELS[v.kind],
                v.text,
                "\n".join(v.options),
                answer,
                v.explanation,
                ",".join(q.tags),
                v.points,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def get_assignment(*, fetched_by: Principal, pk: int) -> Assignment:
    """One assignment: one's own, or one of a visible unit for managers."""
    access.require(fetched_by, "training.view_course")
    found = Assignment.objects.select_related("course", "org_unit").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if not _is(fetched_by, found.user_id):
        access.require(fetched_by, "training.view_assignment", unit=found.org_unit)
    return found
