"""Training writes: courses, sessions, assignments, QR check-in; question bank, attempts, grading, certificates."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuwu.core import access, audit, calendar, clock, notifications, pii, references
from fuwu.core import selectors as core_selectors
from fuwu.core.defects import Defect
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal, SystemPrincipal, system
from fuwu.core.transitions import Machine, action
from fuwu.training import paper, selectors
from fuwu.training.models import (
    Assignment,
    AssignmentSource,
    AssignmentStatus,
    Attempt,
    AttemptItem,
    AttemptStatus,
    Attendance,
    Category,
    Certificate,
    Course,
    DefectRule,
    Exam,
    Material,
    Question,
    QuestionKind,
    QuestionVersion,
    Session,
)
from fuwu.training.schemas import SessionIn

# Check-in opens a little before the start so people at the door are not turned away.
CHECKIN_EARLY = dt.timedelta(minutes=15)
REMIND_BUSINESS_DAYS = 3
# The page submits itself when the timer reaches zero; answers arriving within this network delay still count.
ANSWER_GRACE = dt.timedelta(seconds=30)
RECERTIFY_BUSINESS_DAYS = 20


def _own_attempt(attempt: Attempt, principal: Principal) -> None:
    if isinstance(principal, SystemPrincipal):
        return
    if not isinstance(principal, User) or principal.pk != attempt.user_id:
        raise NotFound()


def _in_time(attempt: Attempt, principal: Principal) -> None:
    _own_attempt(attempt, principal)
    if clock.now() > attempt.deadline + ANSWER_GRACE:
        raise Conflict(_("Time is up: the attempt can only be submitted now."), code="time_up")


def _all_graded(attempt: Attempt, principal: Principal) -> None:
    if attempt.items.filter(awarded__isnull=True).exists():
        raise Conflict(_("Some answers still need grading by hand."), code="grading_open")


ATTEMPTS: Machine[Attempt] = Machine(
    model=Attempt,
    actions=[
        action(
            "answer",
            [AttemptStatus.IN_PROGRESS],
            None,
            "training.add_attempt",
            _("Save answer"),
            guard=_in_time,
        ),
        action(
            "submit",
            [AttemptStatus.IN_PROGRESS],
            AttemptStatus.SUBMITTED,
            "training.add_attempt",
            _("Submit"),
            guard=_own_attempt,
            primary=True,
        ),
        action("grade", [AttemptStatus.SUBMITTED], None, "training.grade_attempt", _("Grade")),
        action(
            "close",
            [AttemptStatus.SUBMITTED],
            AttemptStatus.GRADED,
            "training.grade_attempt",
            _("Close grading"),
            guard=_all_graded,
        ),
    ],
    unit=lambda a: a.org_unit,
    audit_prefix="training.attempt",
)


def _now() -> dt.datetime:
    return clock.now()


MAX_BANK_BYTES = 5 * 1024 * 1024  # a bank of a few thousand questions is far smaller


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "reason": message}])


# --- courses and sessions (T1) --------------------------------------------------------------------


def course_create(
    *,
    actor: Principal,
    code: str,
    title: str,
    kind: str,
    org_unit: OrgUnit,
    description: str = "",
    online: bool = False,
) -> Course:
    """Create a course run by `org_unit`."""
    access.require(actor, "training.add_course", unit=org_unit)
    if Course.objects.filter(code=code).exists():
        raise _invalid("code", _("A course with this code exists."))
    # A course is announced to every trainee: a number typed into it is kept masked (#18).
    title, description = pii.scrub(title), pii.scrub(description)
    with transaction.atomic():
        course = by(
            Course(
                code=code, title=title, kind=kind, org_unit=org_unit, description=description, online=online
            ),
            actor,
        )
        course.save()
        audit.record(actor=actor, action="training.course_create", target=course, org_unit=org_unit)
    return course


def material_add(
    *,
    actor: Principal,
    course: Course,
    title: str,
    file: Any = None,
    url: str = "",
    knowledge_entry_id: int | None = None,
) -> Material:
    """Attach a file, a link or a knowledge base entry (a product's current terms) to a course."""
    access.require(actor, "training.change_course", unit=course.org_unit)
    if not file and not url and knowledge_entry_id is None:
        raise _invalid("file", _("Give a file, a link or a knowledge base entry."))
    ref_kind = ""
    if knowledge_entry_id is not None:
        found = references.resolve(
            fetched_by=actor, kind=references.KNOWLEDGE_ENTRY, ids=[knowledge_entry_id]
        )
        if knowledge_entry_id not in found:
            raise _invalid("knowledge_entry_id", _("No such knowledge base entry."))
        ref_kind = references.KNOWLEDGE_ENTRY
        title = title or found[knowledge_entry_id].title
    with transaction.atomic():
        # The title and the uploader's file name (it is the download link's path) are free text (#18).
        material = Material(
            course=course, title=pii.scrub(title), url=url, ref_kind=ref_kind, ref_id=knowledge_entry_id
        )
        if file:
            material.file.save(pii.scrub(getattr(file, "name", "material")), file, save=False)
        material.save()
        audit.record(actor=actor, action="training.material_add", target=course, org_unit=course.org_unit)
    return material


def session_create(
    *,
    actor: Principal,
    course: Course,
    org_unit: OrgUnit,
    trainer: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    online_url: str = "",
    capacity: int = 30,
) -> Session:
    """Schedule a session of a course at `org_unit` (the room's unit)."""
    access.require(actor, "training.add_session", unit=org_unit)
    if ends_at <= starts_at:
        raise _invalid("ends_at", _("The session must end after it starts."))
    if not place and not online_url:
        raise _invalid("place", _("Give a place or an online link."))
    with transaction.atomic():
        session = by(
            Session(
                course=course,
                org_unit=org_unit,
                trainer=trainer,
                starts_at=starts_at,
                ends_at=ends_at,
                place=pii.scrub(place),  # shown on every trainee's list, like the course (#18)
                online_url=online_url,
                capacity=capacity,
                checkin_secret=secrets.token_urlsafe(16),
            ),
            actor,
        )
        session.save()
        audit.record(actor=actor, action="training.session_create", target=session, org_unit=org_unit)
    return session


def session_schedule(*, actor: Principal, data: SessionIn) -> Session:
    """The one reading of the "schedule a session" input (the HTML form and the API): run by the caller."""
    if not isinstance(actor, User):
        raise NotFound()
    return session_create(
        actor=actor,
        course=selectors.course(fetched_by=actor, pk=data.course_id),
        org_unit=core_selectors.org_unit(fetched_by=actor, code=data.unit_code),
        trainer=actor,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place,
        online_url=data.online_url,
        capacity=data.capacity,
    )


def session_checkin(*, actor: Principal, session: Session, secret: str) -> Attendance:
    """Check in by scanning the room's QR code; only while the session runs, once, within capacity."""
    access.require(actor, "training.add_attendance")
    if not isinstance(actor, User):
        raise Forbidden(_("Only a staff member checks in."))
    if not secrets.compare_digest(secret, session.checkin_secret):
        raise NotFound()
    now = _now()
    if now < session.starts_at - CHECKIN_EARLY:
        raise Conflict(_("Check-in opens 15 minutes before the session starts."), code="not_started")
    if now > session.ends_at:
        raise Conflict(_("The session is over: check-in is closed."), code="ended")
    with transaction.atomic():
        # Lock the session so two last-minute check-ins cannot both take the last seat.
        locked = Session.objects.select_for_update().get(pk=session.pk)
        existing = Attendance.objects.filter(session=locked, user=actor).first()
        if existing is not None:
            return existing
        if Attendance.objects.filter(session=locked).count() >= locked.capacity:
            raise Conflict(_("The session is full."), code="full")
        attendance = Attendance.objects.create(session=locked, user=actor, checked_in_at=now)
        if not locked.course.exams.filter(is_active=True).exists():
            _complete(actor, actor, locked.course, "session")
        audit.record(actor=actor, action="training.checkin", target=locked, org_unit=locked.org_unit)
    return attendance


def _assign(
    actor: Principal,
    course: Course,
    user: User,
    due: dt.date,
    source: str,
    source_kind: str = "",
    source_id: str = "",
) -> Assignment:
    """One open assignment per person and course: an existing one is returned (its due date kept)."""
    existing = Assignment.objects.filter(course=course, user=user, status=AssignmentStatus.OPEN).first()
    if existing is not None:
        return existing
    unit = user.org_unit
    if unit is None:
        raise _invalid("user", _("This person belongs to no unit."))
    try:
        with transaction.atomic():
            assignment = by(
                Assignment(
                    course=course,
                    user=user,
                    org_unit=unit,
                    due_date=due,
                    source=source,
                    source_kind=source_kind,
                    source_id=source_id,
                    assigned_at=_now(),
                ),
                actor,
            )
            assignment.save()
    except IntegrityError:
        # A concurrent assignment of the same course won the one-open-per-person constraint.
        return Assignment.objects.get(course=course, user=user, status=AssignmentStatus.OPEN)
    return assignment


def assign_by_role(
    *, actor: Principal, course: Course, unit: OrgUnit, role: str, due_date: dt.date
) -> list[Assignment]:
    """Assign a course to everyone holding `role` in `unit` and below, due on `due_date`."""
    access.require(actor, "training.assign_course", unit=unit)
    if due_date < clock.today():
        raise _invalid("due_date", _("The due date is in the past."))
    people = User.objects.filter(
        is_active=True, org_unit__path__startswith=unit.path, groups__name=role
    ).distinct()
    with transaction.atomic():
        made = [_assign(actor, course, person, due_date, AssignmentSource.ROLE) for person in people]
        audit.record(
            actor=actor,
            action="training.assign_by_role",
            target=course,
            org_unit=unit,
            data={"role": role, "due": due_date.isoformat(), "count": len(made)},
        )
    return made


def assign_person(*, actor: Principal, course: Course, user: User, due_date: dt.date) -> Assignment:
    """Assign a course to one person."""
    if user.org_unit is None:
        raise _invalid("user", _("This person belongs to no unit."))
    access.require(actor, "training.assign_course", unit=user.org_unit)
    with transaction.atomic():
        made = _assign(actor, course, user, due_date, AssignmentSource.PERSON)
        audit.record(actor=actor, action="training.assign_person", target=made, org_unit=user.org_unit)
    return made


def _complete(actor: Principal, user: User, course: Course, via: str) -> int:
    """Close the person's open assignments of `course`; returns how many closed."""
    open_ones = Assignment.objects.select_for_update().filter(
        user=user, course=course, status=AssignmentStatus.OPEN
    )
    count = 0
    for a in open_ones:
        a.status = AssignmentStatus.COMPLETED
        a.completed_at = _now()
        a.completed_via = via
        by(a, actor).save()
        count += 1
    return count


def online_completable(assignment: Assignment) -> bool:
    """The rule for "mark as studied": an open assignment of a course done online, with no exam to pass."""
    course = assignment.course
    return (
        assignment.status == AssignmentStatus.OPEN
        and course.online
        and not course.exams.filter(is_active=True).exists()
    )


def assignment_complete_online(*, actor: Principal, assignment: Assignment) -> Assignment:
    """The learner confirms an online course done (courses marked 'can be completed online', no exam)."""
    access.require(actor, "training.add_attendance", unit=assignment.org_unit)
    if not isinstance(actor, User) or actor.pk != assignment.user_id:
        raise NotFound()
    if not online_completable(assignment):
        raise Conflict(
            _("This course is completed by attending a session or passing its exam."),
            details={"status": assignment.status},
        )
    course = assignment.course
    with transaction.atomic():
        _complete(actor, actor, course, "online")
        audit.record(actor=actor, action="training.complete_online", target=assignment)
    assignment.refresh_from_db()
    return assignment


def reminders_sweep(*, actor: Principal) -> int:
    """Remind (notify, and audit) each learner once of an open assignment due within 3 business days."""
    access.require(actor, "training.assign_course")
    horizon = calendar.add_business_days(clock.today(), REMIND_BUSINESS_DAYS)
    due = Assignment.objects.filter(
        status=AssignmentStatus.OPEN, reminded_at__isnull=True, due_date__lte=horizon
    )
    count = 0
    with transaction.atomic():
        # skip_locked + reminded_at set in the same transaction: two sweeps never remind one assignment twice.
        for a in due.select_for_update(skip_locked=True, of=("self",)).select_related("course", "user"):
            a.reminded_at = _now()
            by(a, actor).save(update_fields=["reminded_at"])
            audit.record(
                actor=actor,
                action="training.reminder",
                target=a,
                org_unit=a.org_unit,
                data={"user": a.user_id, "course": a.course_id, "due": a.due_date.isoformat()},
            )
            notifications.notify(
                actor=actor,
                recipients=[a.user],
                kind="training.reminder",
                obj=a,
                message=gettext_noop("Training %(course)s is due on %(due)s."),
                params={"course": a.course.title, "due": a.due_date.isoformat()},
                key=f"training.reminder:{a.pk}",
                email=True,
            )
            count += 1
    return count


def overdue_sweep(*, actor: Principal) -> int:
    """Tell the learner's manager, once, of each open assignment past its due date (#17); audited."""
    access.require(actor, "training.assign_course")
    overdue = Assignment.objects.filter(Assignment.overdue_on(clock.today()), escalated_at__isnull=True)
    count = 0
    with transaction.atomic():
        # skip_locked + escalated_at set in the same transaction: a second sweep finds nothing left to send.
        for a in overdue.select_for_update(skip_locked=True, of=("self",)).select_related(
            "course", "user", "org_unit"
        ):
            managers = notifications.managers_above(a.org_unit, exclude=[a.user_id])
            a.escalated_at = _now()
            by(a, actor).save(update_fields=["escalated_at"])
            audit.record(
                actor=actor,
                action="training.overdue",
                target=a,
                org_unit=a.org_unit,
                data={"user": a.user_id, "course": a.course_id, "managers": [m.pk for m in managers]},
            )
            notifications.notify(
                actor=actor,
                recipients=managers,
                kind="training.overdue",
                obj=a,
                message=gettext_noop("%(person)s has not completed training %(course)s, due on %(due)s."),
                params={"person": str(a.user), "course": a.course.title, "due": a.due_date.isoformat()},
                key=f"training.overdue:{a.pk}",
                email=True,
            )
            count += 1
    return count


# --- question bank (T2) ---------------------------------------------------------------------------


def _check_question(kind: str, options: Sequence[str], correct: Sequence[int]) -> None:
    if kind not in QuestionKind.values:
        raise _invalid("kind", _("Unknown question kind."))
    if kind == QuestionKind.SHORT:
        return
    if kind == QuestionKind.TRUE_FALSE:
        if len(correct) != 1 or correct[0] not in (0, 1):
            raise _invalid("correct", _("A true/false question has one answer: true or false."))
        return
    if len(options) < 2:
        raise _invalid("options", _("Give at least two options."))
    if not correct or any(i < 0 or i >= len(options) for i in correct):
        raise _invalid("correct", _("The correct answer must be one of the options."))
    if kind == QuestionKind.SINGLE and len(correct) != 1:
        raise _invalid("correct", _("A single-choice question has exactly one correct option."))


def question_save(
    *,
    actor: Principal,
    code: str,
    category: str,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    correct: Sequence[int] = (),
    explanation: str = "",
    tags: Iterable[str] = (),
    points: int = 1,
) -> QuestionVersion:
    """Create a question, or add a new version when the wording or answer changed (old versions stay)."""
    access.require(actor, "training.manage_bank")
    _check_question(kind, options, correct)
    # Questions quote cases; a number in one is masked before the change check, so a resave is no new version.
    text, explanation = pii.scrub(text), pii.scrub(explanation)
    opts = (
        [pii.scrub(str(o)) for o in options]
        if kind not in (QuestionKind.SHORT, QuestionKind.TRUE_FALSE)
        else []
    )
    right = sorted(set(int(i) for i in correct))
    with transaction.atomic():
        cat, _created = Category.objects.get_or_create(name=category.strip())
        question, created = Question.objects.select_for_update().get_or_create(
            code=code, defaults={"category": cat, "tags": sorted(set(tags))}
        )
        if not created:
            question.category = cat
            question.tags = sorted(set(tags))
            question.save(update_fields=["category", "tags"])
            current = question.current()
            if (
                current.kind,
                current.text,
                current.options,
                current.correct,
                current.explanation,
                current.points,
            ) == (
                kind,
                text,
                opts,
                right,
                explanation,
                points,
            ):
                return current
            number = current.number + 1
        else:
            number = 1
        version = QuestionVersion.objects.create(
            question=question,
            number=number,
            kind=kind,
            text=text,
            options=opts,
            correct=right,
            explanation=explanation,
            points=points,
            created_at=_now(),
        )
        audit.record(actor=actor, action="training.question_save", target=version, data={"code": code})
    return version


def exam_create(
    *,
    actor: Principal,
    course: Course,
    title: str,
    draw: dict[str, int],
    time_limit_minutes: int = 30,
    pass_percent: int = 80,
    max_attempts: int = 3,
    retake_wait_hours: int = 0,
    certificate_months: int = 12,
) -> Exam:
    """An exam of a course: how many questions per category (by category name), limits and pass mark."""
    access.require(actor, "training.add_exam", unit=course.org_unit)
    by_id: dict[str, int] = {}
    for name, count in draw.items():
        cat = Category.objects.filter(name=name).first()
        if cat is None:
            raise _invalid("draw", _("Unknown question category: %(name)s") % {"name": name})
        available = Question.objects.filter(category=cat, is_active=True).count()
        if available < count:
            raise _invalid(
                "draw",
                _("Category %(name)s has %(n)s questions, fewer than %(count)s.")
                % {"name": name, "n": available, "count": count},
            )
        by_id[str(cat.pk)] = int(count)
    with transaction.atomic():
        exam = Exam.objects.create(
            course=course,
            title=pii.scrub(title),
            draw=by_id,
            time_limit_minutes=time_limit_minutes,
            pass_percent=pass_percent,
            max_attempts=max_attempts,
            retake_wait_hours=retake_wait_hours,
            certificate_months=certificate_months,
        )
        audit.record(actor=actor, action="training.exam_create", target=exam, org_unit=course.org_unit)
    return exam


# --- attempts -------------------------------------------------------------------------------------


def _seen_questions(user: User) -> set[int]:
    return set(
        AttemptItem.objects.filter(attempt__user=user)
        .values_list("version__question_id", flat=True)
        .distinct()
    )


def attempt_start(*, actor: Principal, exam: Exam, rng: random.Random | None = None) -> Attempt:
    """Start an attempt: retake policy, then a paper drawn per category with unseen questions first."""
    access.require(actor, "training.add_attempt")
    if not isinstance(actor, User) or actor.org_unit is None:
        raise Forbidden(_("Only a staff member takes exams."))
    if not exam.is_active:
        raise NotFound()
    rng = rng or random.Random()
    with transaction.atomic():
        # Lock the person's row so two tabs cannot both start "attempt 2" past the retake limit.
        User.objects.select_for_update().get(pk=actor.pk)
        previous = list(Attempt.objects.filter(exam=exam, user=actor).order_by("number"))
        if any(a.status == AttemptStatus.IN_PROGRESS and a.deadline > _now() for a in previous):
            return next(a for a in previous if a.status == AttemptStatus.IN_PROGRESS)
        _check_retake(exam, actor, previous)
        pools: dict[str, list[int]] = {}
        for cat_id in exam.draw:
            pools[cat_id] = list(
                Question.objects.filter(category_id=int(cat_id), is_active=True).values_list("pk", flat=True)
            )
        try:
            drawn = paper.draw(pools, exam.draw, _seen_questions(actor), rng)
        except paper.NotEnoughQuestions as exc:
            raise Conflict(_("The question bank has too few questions for this exam.")) from exc
        now = _now()
        attempt = by(
            Attempt(
                exam=exam,
                user=actor,
                org_unit=actor.org_unit,
                number=len(previous) + 1,
                started_at=now,
                deadline=now + dt.timedelta(minutes=exam.time_limit_minutes),
            ),
            actor,
        )
        total = 0
        items = []
        latest: dict[int, QuestionVersion] = {}
        for v in QuestionVersion.objects.filter(question_id__in=[q for _c, q in drawn]).order_by("-number"):
            latest.setdefault(v.question_id, v)
        for position, (_cat, qid) in enumerate(drawn, start=1):
            version = latest[qid]
            order = list(range(len(version.options)))
            rng.shuffle(order)
            total += version.points
            items.append(AttemptItem(position=position, version=version, option_order=order))
        attempt.max_score = total
        attempt.save()
        for item in items:
            item.attempt = attempt
        AttemptItem.objects.bulk_create(items)
        audit.record(actor=actor, action="training.attempt_start", target=attempt, org_unit=attempt.org_unit)
    return attempt


def _check_retake(exam: Exam, user: User, previous: list[Attempt]) -> None:
    valid = Certificate.objects.filter(user=user, course=exam.course, expires_on__gte=clock.today()).exists()
    if valid:
        raise Conflict(_("You hold a valid certificate for this course."), code="certified")
    # Attempts count since the last certificate lapsed (recertification starts a fresh allowance).
    lapsed = (
        Certificate.objects.filter(user=user, course=exam.course)
        .order_by("-issued_at")
        .values_list("issued_at", flat=True)
    ).first()
    counted = [a for a in previous if lapsed is None or a.started_at > lapsed]
    if len(counted) >= exam.max_attempts:
        raise Conflict(
            _("No attempts left: %(n)s allowed.") % {"n": exam.max_attempts}, code="no_attempts_left"
        )
    if counted and exam.retake_wait_hours:
        last = counted[-1].submitted_at or counted[-1].deadline
        ready = last + dt.timedelta(hours=exam.retake_wait_hours)
        if _now() < ready:
            raise Conflict(
                _("The next attempt opens at %(at)s.") % {"at": clock.business_date(ready).isoformat()},
                code="retake_wait",
            )


def _normalise_answer(version: QuestionVersion, answer: Any) -> Any:
    if version.kind == QuestionKind.SHORT:
        text = str(answer.get("text", "") if isinstance(answer, dict) else answer or "").strip()
        if len(text) > 2000:
            raise _invalid("answer", _("Enter at most %(max_length)s characters.") % {"max_length": 2000})
        return {
            "text": pii.scrub(text)
        }  # a trainee may quote a customer's number; graders see it masked (#18)
    values = answer if isinstance(answer, list) else [answer]
    try:
        chosen = sorted({int(v) for v in values if v is not None and v != ""})
    except (TypeError, ValueError) as exc:
        raise _invalid("answer", _("Choose from the list.")) from exc
    limit = 2 if version.kind == QuestionKind.TRUE_FALSE else len(version.options)
    if any(c < 0 or c >= limit for c in chosen):
        raise _invalid("answer", _("Choose from the list."))
    if version.kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(chosen) > 1:
        raise _invalid("answer", _("Choose one answer."))
    return chosen


def attempt_answer(*, actor: Principal, attempt: Attempt, position: int, answer: Any) -> AttemptItem:
    """Save one answer while the attempt is open and within its time limit."""
    return attempt_answer_many(actor=actor, attempt=attempt, answers={position: answer})[0]


def attempt_answer_many(
    *, actor: Principal, attempt: Attempt, answers: Mapping[int, Any]
) -> list[AttemptItem]:
    """Save several answers at once (the paper's submit button), all or none, within the time limit."""

    def effect(locked: Attempt) -> list[AttemptItem]:
        items = {
            i.position: i for i in locked.items.select_related("version").filter(position__in=list(answers))
        }
        if set(items) != set(answers):
            raise NotFound()
        now = _now()
        saved = []
        changed = []
        for position, answer in answers.items():
            item = items[position]
            value = _normalise_answer(item.version, answer)
            saved.append(item)
            if item.answer == value:
                continue  # unchanged: keep the time it was first given
            item.answer = value
            item.answered_at = now
            changed.append(item)
        # One statement; the attempt is locked and in progress (the machine checked), so the frozen-field
        # guard in AttemptItem.save has nothing to add here.
        AttemptItem.objects.bulk_update(changed, ["answer", "answered_at"])
        return saved

    return ATTEMPTS.apply(attempt, "answer", actor=actor, effect=effect, data={"positions": sorted(answers)})


def grade_item(version: QuestionVersion, answer: Any) -> tuple[int | None, str]:
    """(points, feedback) for one answer; (None, …) when a person must grade it (short answers)."""
    if version.kind == QuestionKind.SHORT:
        return None, ""
    chosen = sorted(answer) if isinstance(answer, list) else []
    right = sorted(version.correct)
    if chosen == right:
        return version.points, _("Correct.") + (" " + version.explanation if version.explanation else "")
    if version.kind == QuestionKind.TRUE_FALSE:
        shown = _("True") if right == [0] else _("False")
    else:
        shown = "、".join(chr(ord("A") + i) for i in right)
    feedback = _("Incorrect. The answer is %(answer)s.") % {"answer": shown}
    if version.explanation:
        feedback += " " + version.explanation
    return 0, feedback


def attempt_submit(
    *, actor: Principal, attempt: Attempt, answers: Mapping[int, Any] | None = None
) -> Attempt:
    """Submit: the attempt freezes; choices are graded now, short answers wait for a grader.

    `answers` sent with the submission are saved first while time allows (the page submits itself at zero);
    after the grace period they are dropped and the paper is submitted as it stands.
    """
    if answers and _now() <= attempt.deadline + ANSWER_GRACE:
        attempt_answer_many(actor=actor, attempt=attempt, answers=answers)

    def effect(locked: Attempt) -> None:
        locked.submitted_at = _now()
        for item in locked.items.select_related("version"):
            points, feedback = grade_item(item.version, item.answer)
            AttemptItem.objects.filter(pk=item.pk).update(awarded=points, feedback=feedback)

    ATTEMPTS.apply(attempt, "submit", actor=actor, effect=effect)
    if not attempt.items.filter(awarded__isnull=True).exists():
        _close(attempt)
    attempt.refresh_from_db()
    return attempt


def attempt_grade(
    *, actor: Principal, attempt: Attempt, position: int, awarded: int, feedback: str = ""
) -> Attempt:
    """A grader scores one short answer; the attempt closes when nothing is left to grade."""

    def effect(locked: Attempt) -> None:
        item = locked.items.select_related("version").filter(position=position).first()
        if item is None:
            raise NotFound()
        if item.version.kind != QuestionKind.SHORT:
            raise Conflict(_("Only short answers are graded by hand."))
        if not 0 <= awarded <= item.version.points:
            raise _invalid("awarded", _("Enter a value of at most %(le)s.") % {"le": item.version.points})
        item.awarded = awarded
        item.feedback = pii.scrub(feedback)  # masked like the answer it grades (#18)
        item.graded_by = actor if isinstance(actor, User) else None
        item.save(update_fields=["awarded", "feedback", "graded_by"])

    ATTEMPTS.apply(
        attempt, "grade", actor=actor, effect=effect, data={"position": position, "awarded": awarded}
    )
    if not attempt.items.filter(awarded__isnull=True).exists():
        _close(attempt)
    attempt.refresh_from_db()
    return attempt


def _close(attempt: Attempt) -> None:
    def effect(locked: Attempt) -> None:
        score = sum(i.awarded or 0 for i in locked.items.all())
        locked.score = score
        locked.passed = locked.max_score > 0 and score * 100 >= locked.exam.pass_percent * locked.max_score
        if locked.passed:
            _certify(locked)
            _complete(system("grading"), locked.user, locked.exam.course, "exam")

    ATTEMPTS.apply(attempt, "close", actor=system("grading"), effect=effect)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _certify(attempt: Attempt) -> Certificate:
    issued = _now()
    today = clock.business_date(issued)
    number = f"FW-{today:%Y%m%d}-{attempt.pk:06d}"
    return Certificate.objects.create(
        number=number,
        attempt=attempt,
        user=attempt.user,
        course=attempt.exam.course,
        org_unit=attempt.org_unit,
        issued_at=issued,
        expires_on=_add_months(today, attempt.exam.certificate_months),
        verify_code=secrets.token_urlsafe(16),
    )


def attempts_timeout_sweep(*, actor: Principal) -> int:
    """Submit attempts whose time ran out (the answers given in time count)."""
    access.require(actor, "training.grade_attempt")
    count = 0
    for attempt in Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=_now()):
        attempt_submit(actor=system("timeout"), attempt=attempt)
        count += 1
    return count


def certificates_expiry_sweep(*, actor: Principal) -> int:
    """A certificate that lapsed puts its holder back on the course's assignment list (recertification)."""
    access.require(actor, "training.assign_course")
    today = clock.today()
    count = 0
    with transaction.atomic():
        # skip_locked: two sweeps on two workers never both reassign one lapsed certificate.
        lapsed = Certificate.objects.select_for_update(skip_locked=True).filter(
            expires_on__lt=today, lapsed_at__isnull=True
        )
        for cert in lapsed.select_related("user", "course"):
            newer = Certificate.objects.filter(
                user=cert.user, course=cert.course, expires_on__gte=today
            ).exists()
            if not newer and cert.user.is_active and cert.user.org_unit is not None:
                due = calendar.add_business_days(today, RECERTIFY_BUSINESS_DAYS)
                _assign(actor, cert.course, cert.user, due, AssignmentSource.RECERTIFICATION)
                count += 1
            cert.lapsed_at = _now()
            cert.save(update_fields=["lapsed_at"])
            audit.record(
                actor=actor, action="training.certificate_lapsed", target=cert, org_unit=cert.org_unit
            )
    return count


# --- findings to training (T3) -------------------------------------------------------------------


def defect_rule_set(
    *, actor: Principal, source_kind: str, reason_code: str, course: Course, due_days: int = 10
) -> DefectRule:
    """Map a checklist item code / complaint reason code / phrase id to the course that fixes it."""
    access.require(actor, "training.add_defectrule")
    with transaction.atomic():
        rule, _created = DefectRule.objects.update_or_create(
            source_kind=source_kind,
            reason_code=reason_code,
            defaults={"course": course, "due_days": due_days},
        )
        audit.record(actor=actor, action="training.defect_rule_set", target=rule)
    return rule


def assign_for_defect(*, actor: Principal, defect: Defect) -> Assignment | None:
    """The course mapped to the defect's reason, assigned to the staff member concerned (None: no rule/staff)."""
    access.require(actor, "training.assign_course", unit=defect.unit)
    if defect.staff is None or not defect.reason_code:
        return None
    rule = (
        DefectRule.objects.select_related("course")
        .filter(source_kind=defect.source_kind, reason_code=defect.reason_code)
        .first()
    )
    if rule is None:
        return None
    due = calendar.add_business_days(clock.today(), rule.due_days)
    with transaction.atomic():
        assignment = _assign(
            actor,
            rule.course,
            defect.staff,
            due,
            AssignmentSource.DEFECT,
            source_kind=defect.source_kind,
            source_id=defect.source_id,
        )
        audit.record(
            actor=actor,
            action="training.assign_for_defect",
            target=assignment,
            org_unit=defect.unit,
            data={"source": f"{defect.source_kind}:{defect.source_id}", "reason": defect.reason_code},
        )
    return assignment


# --- question bank Excel --------------------------------------------------------------------------

BANK_COLUMNS = ["编号", "分类", "题型", "题目", "选项", "正确答案", "解析", "标签", "分值"]
KIND_LABELS = {"single": "单选", "multiple": "多选", "true_false": "判断", "short": "简答"}


def question_bank_import(*, actor: Principal, content: bytes) -> int:
    """Import questions from the bank's Excel layout (one row a question; options split by line breaks)."""
    access.require(actor, "training.manage_bank")
    import io

    import openpyxl

    if len(content) > MAX_BANK_BYTES:  # callers read one byte over the cap, never the whole upload (#18)
        raise _invalid(
            "file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BANK_BYTES // (1024 * 1024)}
        )

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise _invalid("file", _("This is not an Excel workbook.")) from exc
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][: len(BANK_COLUMNS)]] != BANK_COLUMNS:
        raise _invalid("file", _("The first row must be the bank's column headings."))
    kinds = {v: k for k, v in KIND_LABELS.items()}
    problems: list[dict[str, Any]] = []
    parsed = []
    for n, row in enumerate(rows[1:], start=2):
        cells = [("" if c is None else str(c)).strip() for c in row[: len(BANK_COLUMNS)]]
        cells += [""] * (len(BANK_COLUMNS) - len(cells))
        if not any(cells):
            continue
        code, cat, kind_label, text, options, correct, explanation, tags, points = cells
        kind = kinds.get(kind_label)
        if not code or not cat or not text or kind is None:
            problems.append(
                {"row": n, "field": "row", "reason": _("Code, category, kind and text are required.")}
            )
            continue
        opts = [o.strip() for o in options.splitlines() if o.strip()]
        try:
            if kind == "true_false":
                right = [0 if correct in ("对", "正确", "是", "T", "true", "True") else 1]
            elif kind == "short":
                right = []
            else:
                right = [ord(ch) - ord("A") for ch in correct.replace(",", "").replace("、", "").upper()]
            _check_question(kind, opts, right)
        except ValidationFailed as exc:
            problems.append({"row": n, "field": "correct", "reason": exc.message})
            continue
        if not (points or "1").isdigit():
            problems.append({"row": n, "field": "points", "reason": _("Enter a whole number.")})
            continue
        parsed.append((code, cat, kind, text, opts, right, explanation, tags, int(points or "1")))
    if problems:
        raise ValidationFailed(_("Some rows are not valid; nothing was imported."), details=problems)
    with transaction.atomic():
        for code, cat, kind, text, opts, right, explanation, tags, pts in parsed:
            question_save(
                actor=actor,
                code=code,
                category=cat,
                kind=kind,
                text=text,
                options=opts,
                correct=right,
                explanation=explanation,
                tags=[t.strip() for t in tags.replace("，", ",").split(",") if t.strip()],
                points=pts,
            )
    return len(parsed)
