"""Handling a case: assignment (回避), findings, the statutory clock (extensions, pauses, withdrawal), the
decision, the reply and the revisit. Every step is a declared transition (fuwu.complaints.states)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.complaints import clock as statutory
from fuwu.complaints import deadlines
from fuwu.complaints.models import (
    ClockEvent,
    Complaint,
    Decision,
    Extension,
    Reply,
    Revisit,
    Severity,
    Status,
    Step,
)
from fuwu.complaints.services._common import (
    DEFECT_SEVERITY,
    add_clock_event,
    finish_steps,
    problem,
    received_day,
    refuse_if,
    staff_actor,
    start_step,
)
from fuwu.complaints.states import COMPLAINT, EXTENSION
from fuwu.core import clock, defects, pii
from fuwu.core.errors import Conflict, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import User
from fuwu.core.principals import Principal


def complaint_assign(*, actor: Principal, complaint: Complaint, handler: User) -> Complaint:
    """Give the case to a handler; the staff member complained about may never handle it (回避)."""

    def effect(c: Complaint) -> Complaint:
        if c.staff_id is not None and handler.pk == c.staff_id:
            raise Conflict(
                _("The staff member complained about cannot handle this complaint (回避)."),
                code="conflict_of_interest",
                details={"status": c.status, "handler": handler.pk},
            )
        if (
            not handler.is_active
            or handler.org_unit is None
            or not c.outlet.path.startswith(handler.org_unit.path)
        ):
            raise ValidationFailed(
                _("The handler must belong to this unit or a unit above it."),
                details=[problem("handler", _("The handler must belong to this unit or a unit above it."))],
            )
        first = c.status == Status.REGISTERED
        c.handler = handler
        if first:
            finish_steps(c, Step.ACKNOWLEDGE)
            start_step(c, Step.INVESTIGATE)
        return c

    return COMPLAINT.apply(complaint, "assign", actor=actor, effect=effect, data={"handler": handler.pk})


def complaint_investigate(*, actor: Principal, complaint: Complaint, root_cause: str) -> Complaint:
    """Record the findings and root cause; the decision step starts."""

    def effect(c: Complaint) -> Complaint:
        if not root_cause.strip():
            raise ValidationFailed(
                _("State the root cause."), details=[problem("root_cause", _("This field is required."))]
            )
        c.root_cause = pii.scrub(root_cause.strip())
        if c.steps.filter(step=Step.INVESTIGATE, done_at__isnull=True).exists():
            finish_steps(c, Step.INVESTIGATE)
            start_step(c, Step.DECIDE)
        return c

    return COMPLAINT.apply(complaint, "investigate", actor=actor, effect=effect)


def _not_expired(c: Complaint) -> None:
    """Decided (issue 13, point 7): an expired period is not revived. 办法 第十八条 extends a running period
    ("可以延长"); once the due date has passed, the case is overdue and stays overdue, so neither a request nor
    an approval after the due date moves it."""
    state = deadlines.clock_state(c)
    if state.is_overdue(clock.today()):
        raise Conflict(
            _("The period ended on %(due)s: an expired period cannot be extended; the case stays overdue.")
            % {"due": state.due.isoformat()},
            code="period_expired",
            details={"status": c.status, "due": state.due.isoformat()},
        )


def complaint_extension_request(*, actor: Principal, complaint: Complaint, reason: str) -> Extension:
    """Ask for the next extension (to 30 days, then a further 30: 办法 第十八条)."""

    def effect(c: Complaint) -> Extension:
        if not reason.strip():
            raise ValidationFailed(
                _("Give the reason."), details=[problem("reason", _("This field is required."))]
            )
        _not_expired(c)
        extension = Extension(
            complaint=c,
            level=c.extension_level + 1,
            reason=pii.scrub(reason.strip()),
            requested_by=staff_actor(actor),
            requested_at=clock.now(),
        )
        by(extension, actor).save()
        return extension

    return COMPLAINT.apply(complaint, "extension_request", actor=actor, effect=effect)


@transaction.atomic
def complaint_extension_decide(
    *, actor: Principal, extension: Extension, approve: bool, customer_notified: bool = False
) -> Extension:
    """Approve or reject an extension: never by the requester; the second one only by the superior unit or
    head office (办法 第十八条); never after the period has expired."""
    # Lock the case before the extension (the order every path uses) so the approval and a concurrent decide
    # or withdrawal of the same case cannot interleave.
    complaint = COMPLAINT.lock(extension.complaint)

    def effect(e: Extension) -> Extension:
        if approve and not customer_notified:
            raise ValidationFailed(
                _("Tell the customer about the extension first."),
                details=[problem("customer_notified", _("The customer must be told."))],
            )
        if approve:
            _not_expired(complaint)
        e.decided_by = actor if isinstance(actor, User) else None
        e.decided_at = clock.now()
        e.customer_notified = customer_notified
        if approve:
            add_clock_event(
                complaint,
                ClockEvent.Kind.EXTEND,
                actor=actor,
                reason=e.reason,
                level=e.level,
                customer_notified=True,
            )
            complaint.extension_level = e.level
            if complaint.severity != Severity.MAJOR:
                complaint.severity = Severity.COMPLEX
            deadlines.refresh_due(complaint)
            by(complaint, actor).save()
        return e

    return EXTENSION.apply(
        extension,
        "approve" if approve else "reject",
        actor=actor,
        effect=effect,
        data={"complaint": complaint.pk, "level": extension.level, "customer_notified": customer_notified},
    )


def complaint_pause(
    *,
    actor: Principal,
    complaint: Complaint,
    reason: str,
    customer_notified: bool,
    kind: str = ClockEvent.PauseKind.APPRAISAL,
    on: dt.date | None = None,
) -> Complaint:
    """Stop the clock: external appraisal (办法 第十八条) or mediation (办法 第二十三条); the customer is told."""

    def effect(c: Complaint) -> Complaint:
        problems = []
        if kind not in (ClockEvent.PauseKind.APPRAISAL, ClockEvent.PauseKind.MEDIATION):
            problems.append(problem("kind", _("Choose one of the offered values.")))
        if not reason.strip():
            problems.append(problem("reason", _("Name the appraisal, test or mediation.")))
        if not customer_notified:
            problems.append(problem("customer_notified", _("The customer must be told.")))
        refuse_if(problems, _("The clock cannot be paused."))
        day = received_day(on, c, "on")
        add_clock_event(
            c,
            ClockEvent.Kind.PAUSE,
            actor=actor,
            on=day,
            reason=pii.scrub(reason.strip()),
            customer_notified=True,
            pause_kind=kind,
        )
        c.paused_since = clock.now()
        deadlines.refresh_due(c)
        return c

    return COMPLAINT.apply(
        complaint, "pause", actor=actor, effect=effect, data={"customer_notified": True, "kind": kind}
    )


def complaint_resume(*, actor: Principal, complaint: Complaint, on: dt.date | None = None) -> Complaint:
    """Restart the clock from the day the appraisal result came back or mediation ended (default today)."""

    def effect(c: Complaint) -> Complaint:
        day = received_day(on, c, "on")
        paused = c.clock_events.filter(kind=ClockEvent.Kind.PAUSE).order_by("-at", "-id").first()
        if paused is not None and paused.received_on is not None and day < paused.received_on:
            raise ValidationFailed(
                _("The clock cannot resume before it was paused."),
                details=[problem("on", _("The clock cannot resume before it was paused."))],
            )
        add_clock_event(c, ClockEvent.Kind.RESUME, actor=actor, on=day)
        c.paused_since = None
        deadlines.refresh_due(c)
        return c

    return COMPLAINT.apply(complaint, "resume", actor=actor, effect=effect)


def complaint_withdraw(
    *, actor: Principal, complaint: Complaint, reason: str, on: dt.date | None = None
) -> Complaint:
    """The customer withdraws: the procedure ends on the day the request was received (办法 第十五条)."""

    def effect(c: Complaint) -> Complaint:
        day = received_day(on, c, "on")
        add_clock_event(c, ClockEvent.Kind.WITHDRAW, actor=actor, on=day, reason=pii.scrub(reason))
        c.closed_at = clock.now() if day == clock.today() else statutory.end_of_day(day)
        c.paused_since = None
        finish_steps(c, *Step.values)
        return c

    return COMPLAINT.apply(complaint, "withdraw", actor=actor, effect=effect, data={"on": str(on or "")})


def decision_problems(facts: str, basis: str, remedy: str, upheld: bool) -> list[dict[str, Any]]:
    """What a decision notice lacks — the same rules for the first decision and the review (C5)."""
    problems = [
        problem(name, _("This field is required."))
        for name, value in (("facts", facts), ("basis", basis))
        if not value.strip()
    ]
    if upheld and not remedy.strip():
        problems.append(problem("remedy", _("An upheld complaint needs a remedy.")))
    return problems


def save_decision(
    *,
    actor: Principal,
    complaint: Complaint,
    facts: str,
    basis: str,
    remedy: str,
    upheld: bool,
    is_review: bool,
) -> Decision:
    # Handlers quote the customer's numbers in the notice; masked like the intake text (C1, C5).
    decision = Decision(
        complaint=complaint,
        facts=pii.scrub(facts.strip()),
        basis=pii.scrub(basis.strip()),
        remedy=pii.scrub(remedy.strip()),
        upheld=upheld,
        decided_by=staff_actor(actor),
        decided_at=clock.now(),
        is_review=is_review,
    )
    by(decision, actor).save()
    if upheld:
        report_defect(actor=actor, complaint=complaint, decision=decision)
    return decision


def report_defect(*, actor: Principal, complaint: Complaint, decision: Decision) -> list[object]:
    """An upheld complaint is a service defect: hand it to the rectification ledger in this transaction."""
    severity = DEFECT_SEVERITY.get(Severity(complaint.severity), "minor")
    description = "\n".join(p for p in (complaint.root_cause, decision.remedy) if p)
    return defects.report(
        actor=actor,
        defect=defects.Defect(
            source_kind=defects.SourceKind.COMPLAINT,
            source_id=str(complaint.pk),
            label=complaint.reference,
            unit=complaint.outlet,
            description=description or decision.facts,
            severity=severity,
            staff=complaint.staff,
            reason_code=complaint.reason_code,
            url=reverse("complaints:detail", args=[complaint.pk]),
        ),
    )


def complaint_decide(
    *,
    actor: Principal,
    complaint: Complaint,
    facts: str,
    basis: str,
    remedy: str = "",
    upheld: bool = False,
) -> Decision:
    """The decision notice: facts found, basis (rule or contract), remedy; upheld ones go to the ledger."""

    def effect(c: Complaint) -> Decision:
        problems = decision_problems(facts, basis, remedy, upheld)
        if not c.root_cause:
            problems.append(problem("root_cause", _("Record the investigation first.")))
        refuse_if(problems, _("The decision is incomplete."))
        decision = save_decision(
            actor=actor, complaint=c, facts=facts, basis=basis, remedy=remedy, upheld=upheld, is_review=False
        )
        finish_steps(c, Step.INVESTIGATE, Step.DECIDE)
        start_step(c, Step.REPLY)
        return decision

    return COMPLAINT.apply(complaint, "decide", actor=actor, effect=effect, data={"upheld": upheld})


def complaint_reply(*, actor: Principal, complaint: Complaint, method: str, text: str) -> Reply:
    """Tell the customer the decision; the statutory duty is met and the case is handled (closed_at)."""

    def effect(c: Complaint) -> Reply:
        problems = []
        if method not in Reply.Method.values:
            problems.append(problem("method", _("Choose one of the offered values.")))
        if not text.strip():
            problems.append(problem("text", _("This field is required.")))
        refuse_if(problems, _("The reply is incomplete."))
        reply = Reply.objects.create(
            complaint=c,
            method=method,
            text=pii.scrub(text.strip()),  # masked like the intake text: the reply often repeats a number
            replied_by=staff_actor(actor),
            replied_at=clock.now(),
        )
        c.replied_at = reply.replied_at
        c.closed_at = reply.replied_at
        finish_steps(c, Step.REPLY)
        start_step(c, Step.REVISIT)
        return reply

    return COMPLAINT.apply(complaint, "reply", actor=actor, effect=effect, data={"method": method})


def complaint_revisit(
    *, actor: Principal, complaint: Complaint, satisfaction: str, note: str = "", reopen: bool = False
) -> Revisit:
    """回访: record satisfaction; a dissatisfied customer's case may be reopened."""

    def effect(c: Complaint) -> Revisit:
        if satisfaction not in Revisit.Satisfaction.values:
            raise ValidationFailed(
                _("Choose one of the offered values."),
                details=[problem("satisfaction", _("Choose one of the offered values."))],
            )
        if reopen and satisfaction != Revisit.Satisfaction.DISSATISFIED:
            raise ValidationFailed(
                _("Only a dissatisfied customer's case is reopened."),
                details=[problem("reopen", _("Only a dissatisfied customer's case is reopened."))],
            )
        revisit = Revisit.objects.create(
            complaint=c,
            satisfaction=satisfaction,
            note=pii.scrub(note.strip()),  # masked like the intake text
            reopened=reopen,
            by=staff_actor(actor),
            at=clock.now(),
        )
        c.satisfaction = satisfaction
        finish_steps(c, Step.REVISIT)
        if reopen:
            c.closed_at = None
            start_step(c, Step.INVESTIGATE)
        return revisit

    return COMPLAINT.apply(
        complaint,
        "reopen" if reopen else "revisit",
        actor=actor,
        effect=effect,
        data={"satisfaction": satisfaction, "reopened": reopen},
    )
