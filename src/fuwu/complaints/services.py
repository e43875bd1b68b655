"""Every write to a complaint: intake, assignment (回避), the statutory clock, decision, reply, revisit, review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from fuwu.complaints import clock as statutory
from fuwu.complaints import sop
from fuwu.complaints.deid import deidentify
from fuwu.complaints.models import (
    OPEN_STATUSES,
    REGULATOR_SOURCES,
    Alert,
    ClassificationCode,
    ClockEvent,
    Complaint,
    DayBasis,
    Decision,
    Extension,
    Remediation,
    Reply,
    ReviewRequest,
    Revisit,
    Severity,
    Source,
    Status,
    Step,
    StepDeadline,
    Tag,
    TypicalCase,
)
from fuwu.core import audit, clock, pii
from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import can_see_unit
from fuwu.customers.models import Customer

MAX_REPRESENTATIVES = 5  # a group complaint elects at most five representatives
REVIEW_WINDOW_DAYS = 30
FAST_TRACK_TAGS = frozenset({Tag.PUBLIC_OPINION})


def _require(actor: Any, perm: str, message: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise Forbidden(message)


def _audit(actor: Any, verb: str, complaint: Complaint, **data: Any) -> None:
    """The audit row of one step on a case; the row changes themselves are in simple-history."""
    audit.record(
        actor=actor, action=f"complaint.{verb}", target=complaint, org_unit=complaint.outlet, data=data
    )


def _refuse(complaint: Complaint, action: str, allowed: Iterable[str]) -> None:
    if complaint.status not in allowed:
        raise Conflict(
            f"A complaint in state {complaint.status} cannot be {action}.",
            details={"status": complaint.status, "allowed": sorted(allowed)},
        )


def _clock_events(complaint: Complaint) -> list[statutory.Event]:
    return [
        statutory.Event(row.kind, clock.business_date(row.at), row.level)  # type: ignore[arg-type]
        for row in complaint.clock_events.all()
    ]


def _basis(value: str) -> statutory.Basis:
    return "business" if value == DayBasis.BUSINESS else "calendar"


def clock_state(complaint: Complaint, *, today: dt.date | None = None) -> statutory.ClockResult:
    """The statutory clock of `complaint` replayed from its stored events."""
    return statutory.compute(
        clock.business_date(complaint.received_at),
        _clock_events(complaint),
        today=today or clock.today(),
        basis=_basis(complaint.day_basis),
        fast_track=complaint.is_fast_track,
    )


def _refresh_due(complaint: Complaint) -> statutory.ClockResult:
    result = clock_state(complaint)
    complaint.due_at = statutory.end_of_day(result.due)
    return result


def _add_clock_event(
    complaint: Complaint,
    kind: str,
    *,
    actor: Any,
    reason: str = "",
    level: int = 0,
    customer_notified: bool = False,
) -> ClockEvent:
    return ClockEvent.objects.create(
        complaint=complaint,
        kind=kind,
        at=clock.now(),
        reason=reason,
        level=level,
        actor=actor if isinstance(actor, User) else None,
        customer_notified=customer_notified,
    )


def _alert(complaint: Complaint, unit: OrgUnit, kind: str, message: str, step: str = "") -> Alert:
    return Alert.objects.create(
        complaint=complaint,
        org_unit=unit,
        kind=kind,
        step=step,
        message=message[:200],
        created_at=clock.now(),
    )


def _alert_up_the_tree(complaint: Complaint, kind: str, message: str) -> list[Alert]:
    return [
        _alert(complaint, unit, kind, message)
        for unit in [complaint.outlet, *complaint.outlet.get_ancestors()]
    ]


def _start_step(complaint: Complaint, step: str, at: dt.datetime | None = None) -> StepDeadline:
    started = at or clock.now()
    # Special customer groups (C6) get the fast-track SOP targets, not a shorter statutory clock.
    due, warn = sop.step_due(step, started, fast_track=complaint.is_fast_track or complaint.is_special_group)
    return StepDeadline.objects.create(
        complaint=complaint, step=step, started_at=started, due_at=due, warn_at=warn
    )


def _finish_steps(complaint: Complaint, *steps: str) -> None:
    complaint.steps.filter(step__in=steps, done_at__isnull=True).update(done_at=clock.now())


def _next_reference(received: dt.datetime) -> str:
    day = clock.business_date(received)
    prefix = f"TS{day:%Y%m%d}"
    last = Complaint.objects.filter(reference__startswith=prefix).order_by("-reference").first()
    seq = int(last.reference[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _check_codes(channel: str, category: str, reason: str) -> list[dict[str, Any]]:
    problems = []
    for field, dimension, code in (
        ("channel_code", "channel", channel),
        ("category_code", "category", category),
        ("reason_code", "reason", reason),
    ):
        if not ClassificationCode.objects.filter(dimension=dimension, code=code, is_active=True).exists():
            problems.append({"field": field, "reason": f"unknown or inactive {dimension} code {code!r}"})
    return problems


@transaction.atomic
def complaint_register(
    *,
    actor: Any,
    outlet: OrgUnit,
    source: str,
    content: str,
    complainant_name: str,
    channel_code: str,
    category_code: str,
    reason_code: str,
    severity: str = Severity.NORMAL,
    tags: Iterable[str] = (),
    customer: Customer | None = None,
    phone: str = "",
    staff: User | None = None,
    product: str = "",
    demand: str = "",
    received_at: dt.datetime | None = None,
    day_basis: str = DayBasis.CALENDAR,
    representatives: int = 1,
    regulator_due_date: dt.date | None = None,
    resubmission_of: Complaint | None = None,
    new_facts: bool = False,
) -> Complaint:
    """Register a complaint from any channel; merges a resubmission, alerts on fast track and special groups."""
    _require(actor, "complaints.add_complaint", "Your role may not register complaints.")
    if actor is not None and not can_see_unit(actor, outlet):
        raise Forbidden("You may only register complaints for your own units.")
    tag_set = set(tags)
    problems = _check_codes(channel_code, category_code, reason_code)
    if not content.strip():
        problems.append({"field": "content", "reason": "the complaint has no content"})
    if not complainant_name.strip():
        problems.append({"field": "complainant_name", "reason": "required"})
    if source not in Source.values:
        problems.append({"field": "source", "reason": f"unknown source {source!r}"})
    if severity not in Severity.values:
        problems.append({"field": "severity", "reason": f"unknown severity {severity!r}"})
    if day_basis not in DayBasis.values:
        problems.append({"field": "day_basis", "reason": f"unknown basis {day_basis!r}"})
    unknown_tags = tag_set - set(Tag.values)
    if unknown_tags:
        problems.append({"field": "tags", "reason": "unknown: " + ", ".join(sorted(unknown_tags))})
    if not 1 <= representatives <= MAX_REPRESENTATIVES:
        problems.append({"field": "representatives", "reason": f"a group elects 1 to {MAX_REPRESENTATIVES}"})
    if phone and not pii.PHONE_RE.fullmatch(pii.normalize_phone(phone)):
        problems.append({"field": "phone", "reason": "not a mobile number"})
    received = received_at or clock.now()
    if received > clock.now():
        problems.append({"field": "received_at", "reason": "in the future"})
    if problems:
        raise ValidationFailed("The complaint cannot be registered.", details=problems)

    if representatives > 1:
        tag_set.add(Tag.GROUP)
    if source in REGULATOR_SOURCES:
        tag_set.add(Tag.PETITION if source == Source.PETITION else Tag.REGULATOR)
    special = bool(customer is not None and customer.is_special)
    if special:
        tag_set.add(Tag.SPECIAL_GROUP)
    fast = severity == Severity.MAJOR or bool(tag_set & FAST_TRACK_TAGS)

    complaint = Complaint(
        reference=_next_reference(received),
        outlet=outlet,
        source=source,
        received_at=received,
        due_at=received,
        severity=severity,
        tags=sorted(tag_set),
        is_fast_track=fast,
        day_basis=_basis(day_basis),
        channel_code=channel_code,
        category_code=category_code,
        reason_code=reason_code,
        product=product,
        # Hotline staff type what the caller says; numbers in free text are masked before anyone sees them.
        content=pii.scrub(content.strip()),
        demand=pii.scrub(demand),
        customer=customer,
        complainant_name=complainant_name.strip(),
        is_special_group=special or Tag.SPECIAL_GROUP in tag_set,
        representatives=representatives,
        staff=staff,
        registered_by=actor if isinstance(actor, User) else None,
        handling_unit=outlet,
    )
    if phone:
        protected = pii.protect_phone(phone)
        complaint.phone_hash, complaint.phone_masked = protected.hash, protected.masked
        complaint.phone_cipher = protected.cipher
    if resubmission_of is not None:
        original_state = clock_state(resubmission_of, today=clock.business_date(received))
        if resubmission_of.is_open and statutory.within_period(original_state, clock.business_date(received)):
            return _merge(actor=actor, original=resubmission_of, resubmission=complaint, new_facts=new_facts)
    result = statutory.compute(
        clock.business_date(received),
        today=clock.business_date(received),
        basis=_basis(day_basis),
        fast_track=fast,
    )
    complaint.due_at = statutory.end_of_day(result.due)
    if source in REGULATOR_SOURCES:
        complaint.regulator_due_at = statutory.end_of_day(regulator_due_date or result.due)
    by(complaint, actor).save()
    _start_step(complaint, Step.ACKNOWLEDGE, received)
    if fast:
        _alert_up_the_tree(
            complaint,
            Alert.Kind.FAST_TRACK,
            f"{complaint.reference}: {complaint.get_severity_display()} — {complaint.content[:60]}",
        )
    if complaint.is_special_group:
        _alert(complaint, outlet, Alert.Kind.SPECIAL_GROUP, f"{complaint.reference}: special customer group")
    _audit(actor, "register", complaint, source=source, severity=severity, fast_track=fast)
    return complaint


def _merge(*, actor: Any, original: Complaint, resubmission: Complaint, new_facts: bool) -> Complaint:
    resubmission.status = Status.MERGED
    resubmission.merged_into = original
    resubmission.closed_at = resubmission.received_at
    resubmission.due_at = original.due_at
    by(resubmission, actor).save()
    if new_facts:
        _add_clock_event(original, ClockEvent.Kind.RESTART, actor=actor, reason=resubmission.reference)
        original.extension_level = 0
        original.paused_since = None
    else:
        _add_clock_event(original, ClockEvent.Kind.MERGE, actor=actor, reason=resubmission.reference)
    _refresh_due(original)
    by(original, actor).save()
    _audit(actor, "merge", original, resubmission=resubmission.reference, new_facts=new_facts)
    return resubmission


def _is_superior_of(unit: OrgUnit | None, outlet: OrgUnit) -> bool:
    return unit is not None and outlet.path.startswith(unit.path) and unit.path != outlet.path


@transaction.atomic
def complaint_assign(*, actor: Any, complaint: Complaint, handler: User) -> Complaint:
    """Give the case to a handler; the staff member complained about may never handle it (回避)."""
    _require(actor, "complaints.change_complaint", "Your role may not assign complaints.")
    _refuse(complaint, "assigned", {Status.REGISTERED, Status.IN_PROGRESS})
    if complaint.staff_id is not None and handler.pk == complaint.staff_id:
        raise Conflict(
            "The staff member complained about cannot handle this complaint (回避).",
            code="conflict_of_interest",
            details={"status": complaint.status, "handler": handler.pk},
        )
    if complaint.staff_id is not None and actor is not None and actor.pk == complaint.staff_id:
        raise Conflict(
            "The staff member complained about cannot assign this complaint (回避).",
            code="conflict_of_interest",
            details={"status": complaint.status},
        )
    if (
        not handler.is_active
        or handler.org_unit is None
        or not complaint.outlet.path.startswith(handler.org_unit.path)
    ):
        raise ValidationFailed(
            "The handler must belong to this unit or a unit above it.",
            details=[{"field": "handler", "reason": "outside the complaint's unit"}],
        )
    first = complaint.status == Status.REGISTERED
    complaint.handler = handler
    complaint.status = Status.IN_PROGRESS
    by(complaint, actor).save()
    if first:
        _finish_steps(complaint, Step.ACKNOWLEDGE)
        _start_step(complaint, Step.INVESTIGATE)
    _audit(actor, "assign", complaint, handler=handler.pk)
    return complaint


def _require_handler(actor: Any, complaint: Complaint, action: str) -> None:
    _require(actor, "complaints.change_complaint", f"Your role may not {action} complaints.")
    if actor is not None and complaint.staff_id is not None and actor.pk == complaint.staff_id:
        raise Conflict(
            f"The staff member complained about cannot {action} this complaint (回避).",
            code="conflict_of_interest",
            details={"status": complaint.status},
        )


@transaction.atomic
def complaint_investigate(*, actor: Any, complaint: Complaint, root_cause: str) -> Complaint:
    """Record the findings and root cause; the decision step starts."""
    _require_handler(actor, complaint, "investigate")
    _refuse(complaint, "investigated", {Status.IN_PROGRESS})
    if not root_cause.strip():
        raise ValidationFailed(
            "State the root cause.", details=[{"field": "root_cause", "reason": "required"}]
        )
    complaint.root_cause = pii.scrub(root_cause.strip())
    by(complaint, actor).save()
    if complaint.steps.filter(step=Step.INVESTIGATE, done_at__isnull=True).exists():
        _finish_steps(complaint, Step.INVESTIGATE)
        _start_step(complaint, Step.DECIDE)
    _audit(actor, "investigate", complaint)
    return complaint


@transaction.atomic
def complaint_extension_request(*, actor: Any, complaint: Complaint, reason: str) -> Extension:
    """Ask for the next extension (to 30 days, then a further 30)."""
    _require_handler(actor, complaint, "extend")
    _refuse(complaint, "extended", {Status.REGISTERED, Status.IN_PROGRESS})
    level = complaint.extension_level + 1
    if level > 2:
        raise Conflict(
            "Both extensions are used (15 → 30 → 60 days).",
            details={"status": complaint.status, "extension_level": complaint.extension_level},
        )
    if complaint.extensions.filter(state=Extension.State.PENDING).exists():
        raise Conflict("An extension request is already pending.", details={"status": complaint.status})
    if not reason.strip():
        raise ValidationFailed("Give the reason.", details=[{"field": "reason", "reason": "required"}])
    extension = Extension(
        complaint=complaint,
        level=level,
        reason=pii.scrub(reason.strip()),
        requested_by=actor,
        requested_at=clock.now(),
    )
    by(extension, actor).save()
    _audit(actor, "extension_request", complaint, extension=extension.pk, level=level)
    return extension


@transaction.atomic
def complaint_extension_decide(
    *, actor: User, extension: Extension, approve: bool, customer_notified: bool = False
) -> Extension:
    """Approve or reject an extension: never by the requester; the second one only by a superior unit."""
    _require(actor, "complaints.change_extension", "Your role may not approve extensions.")
    complaint = extension.complaint
    if extension.state != Extension.State.PENDING:
        raise Conflict("This extension is already decided.", details={"status": extension.state})
    _refuse(complaint, "extended", {Status.REGISTERED, Status.IN_PROGRESS})
    if actor.pk == extension.requested_by_id:
        raise Forbidden("An extension must be approved by someone other than who asked for it.")
    if extension.level == 2 and not _is_superior_of(actor.org_unit, complaint.outlet):
        raise Forbidden("A second extension needs approval by a superior unit (办法 art. 28).")
    if approve and not customer_notified:
        raise ValidationFailed(
            "Tell the customer about the extension first.",
            details=[{"field": "customer_notified", "reason": "required"}],
        )
    extension.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
    extension.decided_by = actor
    extension.decided_at = clock.now()
    extension.customer_notified = customer_notified
    by(extension, actor).save()
    if approve:
        _add_clock_event(
            complaint,
            ClockEvent.Kind.EXTEND,
            actor=actor,
            reason=extension.reason,
            level=extension.level,
            customer_notified=True,
        )
        complaint.extension_level = extension.level
        complaint.severity = Severity.MAJOR if complaint.severity == Severity.MAJOR else Severity.COMPLEX
        _refresh_due(complaint)
        by(complaint, actor).save()
    _audit(
        actor,
        "extension_decide",
        complaint,
        extension=extension.pk,
        level=extension.level,
        approved=approve,
        customer_notified=customer_notified,
    )
    return extension


@transaction.atomic
def complaint_pause(*, actor: Any, complaint: Complaint, reason: str, customer_notified: bool) -> Complaint:
    """Stop the clock while an outside body appraises or tests; the customer must be told."""
    _require_handler(actor, complaint, "pause")
    _refuse(complaint, "paused", {Status.IN_PROGRESS})
    if complaint.paused_since is not None:
        raise Conflict("The clock is already paused.", details={"status": complaint.status, "paused": True})
    problems = []
    if not reason.strip():
        problems.append({"field": "reason", "reason": "name the appraisal or test"})
    if not customer_notified:
        problems.append({"field": "customer_notified", "reason": "the customer must be told"})
    if problems:
        raise ValidationFailed("The clock cannot be paused.", details=problems)
    _add_clock_event(
        complaint,
        ClockEvent.Kind.PAUSE,
        actor=actor,
        reason=pii.scrub(reason.strip()),
        customer_notified=True,
    )
    complaint.paused_since = clock.now()
    _refresh_due(complaint)
    by(complaint, actor).save()
    _audit(actor, "pause", complaint, customer_notified=True)
    return complaint


@transaction.atomic
def complaint_resume(*, actor: Any, complaint: Complaint) -> Complaint:
    """Restart the clock when the appraisal result is back."""
    _require_handler(actor, complaint, "resume")
    if complaint.paused_since is None:
        raise Conflict("The clock is not paused.", details={"status": complaint.status, "paused": False})
    _add_clock_event(complaint, ClockEvent.Kind.RESUME, actor=actor)
    complaint.paused_since = None
    _refresh_due(complaint)
    by(complaint, actor).save()
    _audit(actor, "resume", complaint)
    return complaint


@transaction.atomic
def complaint_withdraw(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """The customer withdraws: the clock ends that day."""
    # 回避: the staff member complained about must not be the one who records that the customer gave up.
    _require_handler(actor, complaint, "withdraw")
    _refuse(complaint, "withdrawn", {Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED})
    previous = complaint.status
    _add_clock_event(complaint, ClockEvent.Kind.WITHDRAW, actor=actor, reason=pii.scrub(reason))
    complaint.status = Status.WITHDRAWN
    complaint.closed_at = clock.now()
    complaint.paused_since = None
    _finish_steps(complaint, *Step.values)
    by(complaint, actor).save()
    _audit(actor, "withdraw", complaint, previous_status=previous)
    return complaint


def _decision_problems(facts: str, basis: str, remedy: str, upheld: bool) -> list[dict[str, Any]]:
    """What a decision notice lacks — the same rules for the first decision and the review (C5)."""
    problems = [
        {"field": name, "reason": "required"}
        for name, value in (("facts", facts), ("basis", basis))
        if not value.strip()
    ]
    if upheld and not remedy.strip():
        problems.append({"field": "remedy", "reason": "an upheld complaint needs a remedy"})
    return problems


def _save_decision(
    *, actor: Any, complaint: Complaint, facts: str, basis: str, remedy: str, upheld: bool, is_review: bool
) -> Decision:
    # Handlers quote the customer's numbers in the notice; masked like the intake text (C1, C5).
    decision = Decision(
        complaint=complaint,
        facts=pii.scrub(facts.strip()),
        basis=pii.scrub(basis.strip()),
        remedy=pii.scrub(remedy.strip()),
        upheld=upheld,
        decided_by=actor,
        decided_at=clock.now(),
        is_review=is_review,
    )
    by(decision, actor).save()
    return decision


@transaction.atomic
def complaint_decide(
    *, actor: Any, complaint: Complaint, facts: str, basis: str, remedy: str = "", upheld: bool = False
) -> Decision:
    """The decision notice: facts found, basis (rule or contract), remedy."""
    _require_handler(actor, complaint, "decide")
    _refuse(complaint, "decided", {Status.IN_PROGRESS})
    if complaint.paused_since is not None:
        raise Conflict(
            "Resume the clock before deciding.", details={"status": complaint.status, "paused": True}
        )
    problems = _decision_problems(facts, basis, remedy, upheld)
    if not complaint.root_cause:
        problems.append({"field": "root_cause", "reason": "record the investigation first"})
    if problems:
        raise ValidationFailed("The decision is incomplete.", details=problems)
    decision = _save_decision(
        actor=actor,
        complaint=complaint,
        facts=facts,
        basis=basis,
        remedy=remedy,
        upheld=upheld,
        is_review=False,
    )
    complaint.status = Status.DECIDED
    by(complaint, actor).save()
    _finish_steps(complaint, Step.INVESTIGATE, Step.DECIDE)
    _start_step(complaint, Step.REPLY)
    _audit(actor, "decide", complaint, decision=decision.pk, upheld=upheld)
    return decision


@transaction.atomic
def complaint_reply(*, actor: Any, complaint: Complaint, method: str, text: str) -> Reply:
    """Tell the customer the decision; the case is handled (closed_at) from here on."""
    _require_handler(actor, complaint, "reply to")
    _refuse(complaint, "replied to", {Status.DECIDED})
    problems = []
    if method not in Reply.Method.values:
        problems.append({"field": "method", "reason": f"unknown method {method!r}"})
    if not text.strip():
        problems.append({"field": "text", "reason": "required"})
    if problems:
        raise ValidationFailed("The reply is incomplete.", details=problems)
    reply = Reply(
        complaint=complaint,
        method=method,
        text=pii.scrub(text.strip()),  # masked like the intake text: the reply often repeats a number
        replied_by=actor,
        replied_at=clock.now(),
    )
    reply.save()
    complaint.status = Status.REPLIED
    complaint.replied_at = reply.replied_at
    complaint.closed_at = reply.replied_at
    by(complaint, actor).save()
    _finish_steps(complaint, Step.REPLY)
    _start_step(complaint, Step.REVISIT)
    _audit(actor, "reply", complaint, reply=reply.pk, method=method)
    return reply


@transaction.atomic
def complaint_revisit(
    *, actor: Any, complaint: Complaint, satisfaction: str, note: str = "", reopen: bool = False
) -> Revisit:
    """回访: record satisfaction; a dissatisfied customer's case may be reopened."""
    # 回避: the staff member complained about must not be the one who asks the customer how it went.
    _require_handler(actor, complaint, "revisit")
    _refuse(complaint, "revisited", {Status.REPLIED})
    if satisfaction not in Revisit.Satisfaction.values:
        raise ValidationFailed(
            "Unknown satisfaction.", details=[{"field": "satisfaction", "reason": satisfaction}]
        )
    if reopen and satisfaction != Revisit.Satisfaction.DISSATISFIED:
        raise Conflict(
            "Only a dissatisfied customer's case is reopened.",
            details={"status": complaint.status, "satisfaction": satisfaction},
        )
    revisit = Revisit(
        complaint=complaint,
        satisfaction=satisfaction,
        note=pii.scrub(note.strip()),  # masked like the intake text
        reopened=reopen,
        by=actor,
        at=clock.now(),
    )
    revisit.save()
    complaint.satisfaction = satisfaction
    _finish_steps(complaint, Step.REVISIT)
    if reopen:
        complaint.status = Status.IN_PROGRESS
        complaint.closed_at = None
        _start_step(complaint, Step.INVESTIGATE)
    else:
        complaint.status = Status.CLOSED
    by(complaint, actor).save()
    _audit(actor, "revisit", complaint, revisit=revisit.pk, satisfaction=satisfaction, reopened=reopen)
    return revisit


@transaction.atomic
def complaint_request_review(*, actor: Any, complaint: Complaint, reason: str) -> ReviewRequest:
    """The customer asks for a review within 30 days of the reply; the superior unit takes it."""
    _require(actor, "complaints.add_complaint", "Your role may not record review requests.")
    _refuse(complaint, "reviewed", {Status.REPLIED, Status.CLOSED})
    assert complaint.replied_at is not None
    if clock.today() > clock.business_date(complaint.replied_at) + dt.timedelta(days=REVIEW_WINDOW_DAYS):
        raise Conflict(
            "A review must be requested within 30 days of the reply.",
            code="review_window_closed",
            details={"status": complaint.status, "replied_at": complaint.replied_at.isoformat()},
        )
    if complaint.reviews.exists():
        raise Conflict("This complaint was already reviewed once.", details={"status": complaint.status})
    superior = complaint.outlet.get_parent()
    if superior is None:
        raise Conflict(
            "The head office has no superior unit to review.", details={"status": complaint.status}
        )
    if not reason.strip():
        raise ValidationFailed("Give the reason.", details=[{"field": "reason", "reason": "required"}])
    now = clock.now()
    due = statutory.compute(clock.today(), today=clock.today(), basis=_basis(complaint.day_basis))
    review = ReviewRequest.objects.create(
        complaint=complaint,
        reason=pii.scrub(reason.strip()),
        requested_at=now,
        reviewing_unit=superior,
        due_at=statutory.end_of_day(due.due),
    )
    complaint.status = Status.UNDER_REVIEW
    complaint.handling_unit = superior
    complaint.closed_at = None
    by(complaint, actor).save()
    _alert(complaint, superior, Alert.Kind.REVIEW, f"{complaint.reference}: review requested")
    _audit(actor, "review_request", complaint, review=review.pk, reviewing_unit=superior.code)
    return review


@transaction.atomic
def complaint_review_decide(
    *, actor: User, complaint: Complaint, facts: str, basis: str, remedy: str = "", upheld: bool = False
) -> Decision:
    """The superior unit's review decision closes the case."""
    _require(actor, "complaints.change_complaint", "Your role may not decide reviews.")
    _refuse(complaint, "review-decided", {Status.UNDER_REVIEW})
    review = complaint.reviews.get(decided_at__isnull=True)
    if actor.org_unit is None or not review.reviewing_unit.path.startswith(actor.org_unit.path):
        raise Forbidden("Only the superior unit decides a review.")
    problems = _decision_problems(facts, basis, remedy, upheld)
    if problems:
        raise ValidationFailed("The decision is incomplete.", details=problems)
    decision = _save_decision(
        actor=actor,
        complaint=complaint,
        facts=facts,
        basis=basis,
        remedy=remedy,
        upheld=upheld,
        is_review=True,
    )
    now = decision.decided_at
    review.decided_at = now
    review.save(update_fields=["decided_at"])
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    by(complaint, actor).save()
    _audit(actor, "review_decide", complaint, decision=decision.pk, review=review.pk, upheld=upheld)
    return decision


@transaction.atomic
def complaint_reclassify(
    *,
    actor: Any,
    complaint: Complaint,
    channel_code: str,
    category_code: str,
    reason_code: str,
    severity: str,
) -> Complaint:
    """Correct the codes or severity; raising to 重大 puts the case on the fast track."""
    _require_handler(actor, complaint, "reclassify")
    _refuse(complaint, "reclassified", {Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED})
    problems = _check_codes(channel_code, category_code, reason_code)
    if severity not in Severity.values:
        problems.append({"field": "severity", "reason": severity})
    if problems:
        raise ValidationFailed("The classification is not valid.", details=problems)
    became_major = severity == Severity.MAJOR and complaint.severity != Severity.MAJOR
    complaint.channel_code, complaint.category_code, complaint.reason_code = (
        channel_code,
        category_code,
        reason_code,
    )
    complaint.severity = severity
    if became_major and not complaint.is_fast_track:
        complaint.is_fast_track = True
        _refresh_due(complaint)
        _alert_up_the_tree(complaint, Alert.Kind.FAST_TRACK, f"{complaint.reference}: raised to major")
    by(complaint, actor).save()
    _audit(
        actor,
        "reclassify",
        complaint,
        channel_code=channel_code,
        category_code=category_code,
        reason_code=reason_code,
        severity=severity,
        fast_track=complaint.is_fast_track,
    )
    return complaint


@transaction.atomic
def remediation_create(
    *,
    actor: Any,
    complaint: Complaint,
    action: str,
    owner: User,
    due_date: dt.date,
    accountable_staff: User | None = None,
    accountability_note: str = "",
) -> Remediation:
    """溯源整改: a task that removes the root cause; optionally holds a staff member to account."""
    _require(actor, "complaints.add_remediation", "Your role may not open remediation tasks.")
    problems = []
    if not action.strip():
        problems.append({"field": "action", "reason": "required"})
    if due_date < clock.today():
        problems.append({"field": "due_date", "reason": "in the past"})
    if accountable_staff is not None and not accountability_note.strip():
        problems.append(
            {"field": "accountability_note", "reason": "say what the staff member is accountable for"}
        )
    if problems:
        raise ValidationFailed("The remediation task is incomplete.", details=problems)
    task = Remediation(
        complaint=complaint,
        action=pii.scrub(action.strip()),
        owner=owner,
        due_date=due_date,
        accountable_staff=accountable_staff,
        accountability_note=pii.scrub(accountability_note.strip()),
        created_at=clock.now(),
    )
    by(task, actor).save()
    _audit(
        actor,
        "remediation_create",
        complaint,
        remediation=task.pk,
        accountable_staff=accountable_staff.pk if accountable_staff is not None else None,
    )
    return task


@transaction.atomic
def remediation_complete(*, actor: Any, remediation: Remediation) -> Remediation:
    """Mark the remediation done."""
    _require(actor, "complaints.add_remediation", "Your role may not complete remediation tasks.")
    if remediation.done_at is not None:
        raise Conflict("Already done.", details={"status": "done"})
    remediation.done_at = clock.now()
    by(remediation, actor).save()
    _audit(actor, "remediation_complete", remediation.complaint, remediation=remediation.pk)
    return remediation


@transaction.atomic
def typical_case_create(
    *, actor: Any, complaint: Complaint, polarity: str, title: str, lesson: str = ""
) -> TypicalCase:
    """Copy a handled complaint into the case library, with names, numbers and addresses removed."""
    _require(actor, "complaints.add_typicalcase", "Your role may not curate the case library.")
    _refuse(complaint, "added to the case library", {Status.REPLIED, Status.CLOSED})
    if polarity not in TypicalCase.Polarity.values:
        raise ValidationFailed("Unknown polarity.", details=[{"field": "polarity", "reason": polarity}])
    if hasattr(complaint, "typical_case"):
        raise Conflict("This complaint is already in the library.", details={"status": complaint.status})
    names = [complaint.complainant_name]
    if complaint.customer is not None:
        names.append(complaint.customer.name)
    for person in (complaint.staff, complaint.handler):
        if person is not None:
            names.extend([person.display_name, person.get_full_name()])
    decision = complaint.decisions.order_by("-decided_at").first()
    parts = [complaint.content, f"根因：{complaint.root_cause}" if complaint.root_cause else ""]
    if decision is not None:
        parts += [f"处理：{decision.facts}", f"补救：{decision.remedy}" if decision.remedy else ""]
    text = deidentify("\n".join(p for p in parts if p), names)
    case = TypicalCase(
        complaint=complaint,
        outlet=complaint.outlet,
        polarity=polarity,
        title=deidentify(title, names),
        text=text,
        lesson=deidentify(lesson, names),
        category_code=complaint.category_code,
        created_by=actor,
        created_at=clock.now(),
    )
    by(case, actor).save()
    _audit(actor, "typical_case_create", complaint, typical_case=case.pk, polarity=polarity)
    return case


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """Mark an alert as seen."""
    if alert.acknowledged_at is None:
        alert.acknowledged_at = clock.now()
        alert.save(update_fields=["acknowledged_at"])
        audit.record(actor=actor, action="complaint.alert_ack", target=alert, org_unit=alert.org_unit)
    return alert


@transaction.atomic
def deadlines_sweep(*, actor: Principal) -> dict[str, int]:
    """Warn at 80% of each SOP step and the statutory clock; escalate step, statutory, regulator and review
    breaches to the next level up (each once)."""
    now = clock.now()
    counts = {
        "warned": 0,
        "escalated": 0,
        "statutory_warned": 0,
        "statutory_breached": 0,
        "regulator_breached": 0,
        "review_breached": 0,
    }
    open_steps = StepDeadline.objects.select_related("complaint__outlet").filter(
        done_at__isnull=True,
        complaint__status__in=[
            s for s in Status.values if s not in (Status.WITHDRAWN, Status.MERGED, Status.CLOSED)
        ],
    )
    for step in open_steps.filter(warned_at__isnull=True, warn_at__lte=now):
        complaint = step.complaint
        _alert(
            complaint,
            complaint.outlet,
            Alert.Kind.WARNING,
            f"{complaint.reference}: {step.get_step_display()} 80%",
            step=step.step,
        )
        step.warned_at = now
        step.save(update_fields=["warned_at"])
        counts["warned"] += 1
    for step in open_steps.filter(escalated_at__isnull=True, due_at__lt=now):
        complaint = step.complaint
        target = complaint.outlet.get_parent() or complaint.outlet
        _alert(
            complaint,
            target,
            Alert.Kind.BREACH,
            f"{complaint.reference}: {step.get_step_display()} overdue",
            step=step.step,
        )
        step.escalated_at = now
        step.escalated_to = target
        step.save(update_fields=["escalated_at", "escalated_to"])
        counts["escalated"] += 1
    statutory_open = (
        Complaint.objects.select_related("outlet")
        # The statutory duty is to decide *and tell*: it is met at the first reply, so a case reopened
        # after the revisit or under review is watched by its SOP steps and its review deadline instead.
        .filter(
            status__in=[Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED],
            paused_since__isnull=True,
            replied_at__isnull=True,
        )
        # One alert must be both a breach and step-less: exclude(alerts__kind=..., alerts__step=...) would
        # match them on different alerts (an SOP step breach plus the 80% warning) and skip the case.
        .exclude(Exists(Alert.objects.filter(complaint=OuterRef("pk"), kind=Alert.Kind.BREACH, step="")))
        .prefetch_related("clock_events")  # clock_state replays them per case
    )
    today = clock.today()
    for complaint in statutory_open:
        state = clock_state(complaint, today=today)
        if state.is_overdue(today):
            target = complaint.outlet.get_parent() or complaint.outlet
            _alert(
                complaint,
                target,
                Alert.Kind.BREACH,
                f"{complaint.reference}: statutory deadline {state.due} passed",
            )
            counts["statutory_breached"] += 1
        elif (
            state.fraction_used >= sop.WARN_FRACTION
            and not complaint.alerts.filter(Q(kind=Alert.Kind.WARNING) & Q(step="")).exists()
        ):
            _alert(
                complaint,
                complaint.outlet,
                Alert.Kind.WARNING,
                f"{complaint.reference}: {state.used_days}/{state.limit_days} days used, due {state.due}",
            )
            counts["statutory_warned"] += 1
    regulator_late = (
        Complaint.objects.select_related("outlet")
        .filter(status__in=list(OPEN_STATUSES), regulator_due_at__lt=now)
        .exclude(alerts__step="regulator")
    )
    for complaint in regulator_late:
        target = complaint.outlet.get_parent() or complaint.outlet
        _alert(
            complaint,
            target,
            Alert.Kind.BREACH,
            f"{complaint.reference}: answer to the regulator overdue",
            step="regulator",
        )
        counts["regulator_breached"] += 1
    late_reviews = (
        ReviewRequest.objects.select_related("complaint", "reviewing_unit")
        .filter(decided_at__isnull=True, due_at__lt=now, complaint__status=Status.UNDER_REVIEW)
        .exclude(complaint__alerts__step="review")
    )
    for review in late_reviews:
        target = review.reviewing_unit.get_parent() or review.reviewing_unit
        _alert(
            review.complaint,
            target,
            Alert.Kind.BREACH,
            f"{review.complaint.reference}: review overdue",
            step="review",
        )
        counts["review_breached"] += 1
    return counts
