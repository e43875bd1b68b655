"""Training pages: my training, sessions with QR check-in, taking an exam on a phone, certificates, management."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.core import access, clock, roles
from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.transitions import allowed_names
from fuwu.floor.mobile import absolute_url
from fuwu.training import selectors, services
from fuwu.training.models import AssignmentStatus, AttemptStatus, QuestionKind
from fuwu.training.schemas import AnswerIn, AssignByRoleIn, CheckinIn, GradeIn, SessionIn, SubmitIn


@login_required
def index(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    return render(
        request,
        "training/index.html",
        {
            "assignments": (assignments := selectors.my_assignments(fetched_by=who)),
            # Which rows offer "mark as studied" is the service's rule, not the template's.
            "completable": {a.pk for a in assignments if services.online_completable(a)},
            "exams": selectors.exams(fetched_by=who),
            "sessions": selectors.sessions(fetched_by=who, upcoming_only=True),
            "attempts": selectors.my_attempts(fetched_by=who),
            "certificates": selectors.my_certificates(fetched_by=who),
            "can_manage": access.has(who, "training.view_assignment"),
        },
    )


ASSIGNMENT_LIST = ListSpec(
    sorts=(
        Sort("due", gettext_lazy("Due soonest"), ("due_date",)),
        Sort("new", gettext_lazy("Newest first"), ("-assigned_at",)),
    ),
    text=("user__display_name", "course__title"),
    state_field="status",
    states=AssignmentStatus.choices,
    unit_field="org_unit",
    date_field="due_date",
)


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A course: what it is, its materials (knowledge products in their current version), sessions, exams."""
    who = request_principal(request)
    course = selectors.course(fetched_by=who, pk=pk)
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "materials": selectors.course_materials(fetched_by=who, course=course),
            "sessions": [
                s for s in selectors.sessions(fetched_by=who, upcoming_only=True) if s.course_id == course.pk
            ],
            "exams": [e for e in selectors.exams(fetched_by=who) if e.course_id == course.pk],
        },
    )


@login_required
def manage(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    who = request_principal(request)
    # Open assignments unless another state is asked for; paged, nearest due date first (#19).
    rows = selectors.assignment_rows(fetched_by=who, status=None if request.GET.get("state") else "open")
    return render(
        request,
        "training/manage.html",
        {
            **listing(request, rows, ASSIGNMENT_LIST, principal=who).context(),
            "courses": selectors.courses(fetched_by=who),
            "units": core_selectors.org_units(fetched_by=who),
            "roles": roles.ROLES,
            "to_grade": selectors.attempts_to_grade(fetched_by=who)
            if access.has(who, "training.grade_attempt")
            else [],
            "can_bank": access.has(who, "training.manage_bank"),
            "can_schedule": access.has(who, "training.add_session"),
            "form": form or FormState(),
        },
        status=status,
    )


@login_required
@require_POST
def assign_by_role(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    try:
        payload = parse(AssignByRoleIn, request.POST)
        services.assign_by_role(
            actor=who,
            course=selectors.course(fetched_by=who, pk=payload.course_id),
            unit=core_selectors.org_unit(fetched_by=who, code=payload.unit_code),
            role=payload.role,
            due_date=payload.due_date,
        )
    except ValidationFailed as exc:
        return manage(request, FormState.failed(request.POST, exc), status=422)
    return redirect("training:manage")


@login_required
@require_POST
def session_new(request: HttpRequest) -> HttpResponse:
    """Schedule a session; the trainer runs it and shows its check-in QR code in the room."""
    who = request_principal(request)
    try:
        session = services.session_schedule(actor=who, data=parse(SessionIn, request.POST))
    except ValidationFailed as exc:
        return manage(request, FormState.failed(request.POST, exc), status=422)
    return redirect("training:session", pk=session.pk)


@login_required
def completion(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    today = clock.today()
    start = dt.date(today.year, 1, 1)
    rows = selectors.completion_rates(fetched_by=who, start=start, end=today)
    return render(request, "training/completion.html", {"rows": rows, "start": start, "end": today})


@login_required
def bank_export(request: HttpRequest) -> HttpResponse:
    content = selectors.question_bank_xlsx(fetched_by=request_principal(request))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="question-bank.xlsx"'
    return response


@login_required
@require_POST
def bank_import(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            message = _("Choose a file to import.")
            raise ValidationFailed(message, details=[{"field": "file", "reason": message}])
        # One byte over the cap is enough for the service to refuse it; the rest is never read (#18).
        services.question_bank_import(actor=who, content=upload.read(services.MAX_BANK_BYTES + 1))
    except ValidationFailed as exc:
        return manage(request, FormState.failed(request.POST, exc), status=422)
    return redirect("training:manage")


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    session = selectors.session(fetched_by=who, pk=pk)
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "can_show_qr": access.has(who, "training.add_session", unit=session.org_unit),
            "attendance": session.attendance.select_related("user").order_by("checked_in_at"),
        },
    )


@login_required
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    session = selectors.session(fetched_by=who, pk=pk)
    url = absolute_url(reverse("training:checkin", args=[session.pk, session.checkin_secret]), request)
    svg = selectors.session_checkin_qr(fetched_by=who, session=session, checkin_url=url)
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
def checkin(request: HttpRequest, pk: int, secret: str) -> HttpResponse:
    """The page the room's QR code opens: a GET shows the button, the POST checks in."""
    who = request_principal(request)
    session = selectors.session(fetched_by=who, pk=pk)
    done = None
    if request.method == "POST":
        payload = parse(CheckinIn, {"secret": secret})
        done = services.session_checkin(actor=who, session=session, secret=payload.secret)
    return render(request, "training/checkin.html", {"session": session, "done": done, "secret": secret})


@login_required
@require_POST
def complete_online(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    services.assignment_complete_online(actor=who, assignment=selectors.get_assignment(fetched_by=who, pk=pk))
    return redirect("training:index")


@login_required
@require_POST
def exam_start(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    attempt = services.attempt_start(actor=who, exam=selectors.exam(fetched_by=who, pk=pk))
    return redirect("training:attempt", pk=attempt.pk)


def _items(attempt: Any) -> list[dict[str, Any]]:
    rows = []
    for item in attempt.items.select_related("version").order_by("position"):
        v = item.version
        chosen = item.answer if isinstance(item.answer, list) else []
        if v.kind == QuestionKind.TRUE_FALSE:
            options = [(0, "对"), (1, "错")]
        else:
            options = [(i, v.options[i]) for i in (item.option_order or range(len(v.options)))]
        rows.append(
            {
                "item": item,
                "version": v,
                "multiple": v.kind == QuestionKind.MULTIPLE,
                "short": v.kind == QuestionKind.SHORT,
                "options": [(i, text, i in chosen) for i, text in options],
                "text": item.answer.get("text", "") if isinstance(item.answer, dict) else "",
            }
        )
    return rows


@login_required
def attempt_page(
    request: HttpRequest, pk: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    certificate = getattr(attempt, "certificate", None) if attempt.status == AttemptStatus.GRADED else None
    return render(
        request,
        "training/attempt.html",
        {
            "attempt": attempt,
            "rows": _items(attempt),
            "actions": allowed_names(attempt, who),
            "seconds_left": max(0, int((attempt.deadline - clock.now()).total_seconds())),
            "certificate": certificate,
            "form": form or FormState(),
        },
        status=status,
    )


def _answer_from_form(request: HttpRequest, position: int, short: bool) -> AnswerIn:
    key = f"q{position}"
    if short:
        return parse(AnswerIn, {"position": position, "text": request.POST.get(key, "")})
    data = {"position": str(position), "choice": request.POST.getlist(key)}
    return parse(AnswerIn, data)


@login_required
@require_POST
def attempt_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one answer (htmx per question; the page also posts everything on submit)."""
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    position = int(request.POST.get("position", "0") or 0)
    item = attempt.items.select_related("version").filter(position=position).first()
    if item is None:
        raise NotFound()
    payload = _answer_from_form(request, position, item.version.kind == QuestionKind.SHORT)
    services.attempt_answer(actor=who, attempt=attempt, position=position, answer=payload.value())
    return HttpResponse(status=204)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    try:
        payload = SubmitIn(
            answers=[
                _answer_from_form(request, item.position, item.version.kind == QuestionKind.SHORT)
                for item in attempt.items.select_related("version")
                if f"q{item.position}" in request.POST
            ]
        )
        services.attempt_submit(
            actor=who, attempt=attempt, answers={a.position: a.value() for a in payload.answers}
        )
    except ValidationFailed as exc:
        return attempt_page(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("training:attempt", pk=attempt.pk)


@login_required
@require_POST
def attempt_grade(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    attempt = selectors.attempt(fetched_by=who, pk=pk)
    try:
        payload = parse(GradeIn, request.POST)
        services.attempt_grade(
            actor=who,
            attempt=attempt,
            position=payload.position,
            awarded=payload.awarded,
            feedback=payload.feedback,
        )
    except ValidationFailed as exc:
        return attempt_page(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("training:attempt", pk=attempt.pk)


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    cert = selectors.certificate(fetched_by=who, pk=pk)
    url = absolute_url(reverse("training:verify", args=[cert.verify_code]), request)
    pdf = selectors.certificate_pdf(fetched_by=who, certificate=cert, verify_url=url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone holding a certificate may check it is genuine and still valid."""
    cert = selectors.certificate_verify(code=code)
    if cert is None:
        raise NotFound()
    return render(
        request,
        "training/verify.html",
        {"cert": cert, "valid": selectors.certificate_valid(cert)},
    )
