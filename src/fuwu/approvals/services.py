"""Approval writes: define and publish processes, start cases, decide steps, pause/resume, reassign, escalate."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from fuwu.approvals import hours
from fuwu.approvals.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    CaseStep,
    Delegation,
    Escalation,
    Process,
    ProcessVersion,
    StepDef,
    StepStatus,
    UnitLevel,
)
from fuwu.core import access, audit, clock, notifications, pii
from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal, SystemPrincipal, principal_label
from fuwu.core.transitions import Machine, action

RUNGS = ((1, "half_at"), (2, "due_at"), (3, "late_at"))


def _now() -> dt.datetime:
    return clock.now()


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "reason": message}])


def _event(
    case: Case, kind: str, actor: Principal, step: CaseStep | None = None, comment: str = "", **data: Any
) -> None:
    CaseEvent.objects.create(
        case=case,
        step=step,
        at=_now(),
        actor_label=_label(actor),
        kind=kind,
        comment=pii.scrub(comment),  # approvers quote the applicant's numbers; shown masked (#18)
        data=data,
    )


def _label(actor: Principal) -> str:
    if isinstance(actor, User):
        return str(actor)
    return principal_label(actor)


# --- who may decide a step ------------------------------------------------------------------------


def _holds(user: User, role: str, unit_id: int) -> bool:
    return user.org_unit_id == unit_id and user.groups.filter(name=role).exists()


def _delegators(user: User, day: dt.date) -> list[User]:
    return [
        d.delegator
        for d in Delegation.objects.select_related("delegator").filter(
            delegate=user, starts_on__lte=day, ends_on__gte=day
        )
    ]


def may_decide(step: CaseStep, principal: Principal) -> bool:
    """The assignee (or their delegate); unassigned, anyone of the owner role in the owner unit (or their delegate)."""
    if isinstance(principal, SystemPrincipal):
        return True
    if not isinstance(principal, User):
        return False
    people = [principal, *_delegators(principal, clock.today())]
    if step.assignee_id is not None:
        return any(p.pk == step.assignee_id for p in people)
    role = step.step_def.owner_role
    return any(_holds(p, role, step.owner_unit_id) for p in people)


def decidable_by(principal: Principal) -> Q:
    """`may_decide` as a filter over steps, so the inbox pages and counts in SQL (#19): assigned to the reader
    or a delegator; unassigned, of a role one of them holds in their own unit."""
    if isinstance(principal, SystemPrincipal):
        return Q()
    if not isinstance(principal, User):
        return Q(pk__in=[])
    people = [principal, *_delegators(principal, clock.today())]
    rule = Q(assignee__in=people)
    for person in people:
        held = list(person.groups.values_list("name", flat=True))
        rule |= Q(assignee__isnull=True, owner_unit_id=person.org_unit_id, step_def__owner_role__in=held)
    return rule


def _decider(step: CaseStep, principal: Principal) -> None:
    if step.case.status != CaseStatus.RUNNING:
        raise Conflict(
            _("The case is not in approval now (waiting for documents or returned)."), code="case_not_running"
        )
    if not may_decide(step, principal):
        raise Forbidden(_("This step belongs to another role, unit or assignee."))


STEPS: Machine[CaseStep] = Machine(
    model=CaseStep,
    actions=[
        action(
            "approve",
            [StepStatus.ACTIVE],
            StepStatus.APPROVED,
            "approvals.decide_step",
            gettext_lazy("Approve"),
            guard=_decider,
            primary=True,
        ),
        action(
            "return",
            [StepStatus.ACTIVE],
            StepStatus.RETURNED,
            "approvals.decide_step",
            gettext_lazy("Return for rework"),
            guard=_decider,
        ),
        action(
            "reject",
            [StepStatus.ACTIVE],
            StepStatus.REJECTED,
            "approvals.decide_step",
            gettext_lazy("Reject"),
            guard=_decider,
        ),
        action("reassign", [StepStatus.ACTIVE], None, "approvals.reassign_step", gettext_lazy("Reassign")),
    ],
    unit=lambda s: s.owner_unit,
    audit_prefix="approvals.step",
    select_related=("case", "step_def"),
)


def _starter(case: Case, principal: Principal) -> None:
    if isinstance(principal, SystemPrincipal):
        return
    starter = isinstance(principal, User) and (
        case.started_by_id is None or principal.pk == case.started_by_id
    )
    if not starter and not access.has(principal, "approvals.reassign_step", unit=case.org_unit):
        raise Forbidden(_("Only who started the case resubmits it."))


CASES: Machine[Case] = Machine(
    model=Case,
    actions=[
        action(
            "pause",
            [CaseStatus.RUNNING],
            CaseStatus.WAITING,
            "approvals.decide_step",
            gettext_lazy("Wait for customer documents"),
        ),
        action(
            "resume",
            [CaseStatus.WAITING],
            CaseStatus.RUNNING,
            "approvals.add_case",
            gettext_lazy("Documents received: resume"),
        ),
        action(
            "resubmit",
            [CaseStatus.RETURNED],
            CaseStatus.RUNNING,
            "approvals.add_case",
            gettext_lazy("Resubmit"),
            guard=_starter,
            primary=True,
        ),
    ],
    unit=lambda c: c.org_unit,
    audit_prefix="approvals.case",
)


# --- process definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    position: int
    owner_role: str
    unit_level: str
    limit_hours: float
    min_amount: Decimal | None = None


def process_publish(
    *, actor: Principal, code: str, name: str, steps: Sequence[StepSpec], note: str = ""
) -> ProcessVersion:
    """Publish a new version of a process (created on first use); running cases keep their version."""
    access.require(actor, "approvals.add_process")
    if not steps:
        raise _invalid("steps", _("A process needs at least one step."))
    for s in steps:
        if s.unit_level not in UnitLevel.values:
            raise _invalid("unit_level", _("Unknown unit level."))
        if s.limit_hours <= 0:
            raise _invalid("limit_hours", _("The time limit must be positive."))
    with transaction.atomic():
        process, _created = Process.objects.select_for_update().get_or_create(
            code=code, defaults={"name": name}
        )
        if process.name != name:
            process.name = name
            by(process, actor).save()
        number = (process.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ProcessVersion.objects.create(process=process, number=number, published=True, note=note)
        for s in steps:
            StepDef.objects.create(
                version=version,
                position=s.position,
                code=s.code,
                name=s.name,
                owner_role=s.owner_role,
                unit_level=s.unit_level,
                limit_hours=Decimal(str(s.limit_hours)),
                min_amount=s.min_amount,
            )
        audit.record(
            actor=actor,
            action="approvals.process_publish",
            target=version,
            data={"code": code, "number": number},
        )
    return version


# --- cases ---------------------------------------------------------------------------------------


def owner_unit(outlet: OrgUnit, level: str) -> OrgUnit:
    """The case outlet's unit at `level`: itself for outlet, else its nearest ancestor of that kind."""
    if level == UnitLevel.OUTLET or outlet.kind == level:
        return outlet
    for ancestor in reversed(list(OrgUnit.objects.get_ancestors(outlet))):
        if ancestor.kind == level:
            return ancestor
    raise _invalid("unit_level", _("The outlet has no unit of this level above it."))


def _applies(step: StepDef, amount: Decimal) -> bool:
    return step.min_amount is None or amount >= step.min_amount


def _activate(case: Case, step_def: StepDef, at: dt.datetime, actor: Principal) -> CaseStep:
    limit = float(step_def.limit_hours)
    step = CaseStep.objects.create(
        case=case,
        step_def=step_def,
        owner_unit=owner_unit(case.org_unit, step_def.unit_level),
        started_at=at,
        half_at=hours.add_business_hours(at, limit * 0.5),
        due_at=hours.add_business_hours(at, limit),
        late_at=hours.add_business_hours(at, limit * 1.5),
    )
    _event(case, "step_started", actor, step, step_code=step_def.code)
    return step


def _open_position(case: Case, position: int, actor: Principal) -> None:
    """Activate the steps at `position` that apply to the amount; skip the rest and move on if none applies."""
    positions = sorted({p for p in case.version.steps.values_list("position", flat=True) if p >= position})
    at = _now()
    for pos in positions:
        defs = list(case.version.steps.filter(position=pos))
        applying = [d for d in defs if _applies(d, case.amount)]
        for d in defs:
            if d not in applying:
                skipped = CaseStep.objects.create(
                    case=case,
                    step_def=d,
                    owner_unit=owner_unit(case.org_unit, d.unit_level),
                    started_at=at,
                    half_at=at,
                    due_at=at,
                    late_at=at,
                    status=StepStatus.SKIPPED,
                    finished_at=at,
                )
                _event(case, "step_skipped", actor, skipped, step_code=d.code, threshold=str(d.min_amount))
        if applying:
            for d in applying:
                _activate(case, d, at, actor)
            return
    case.status = CaseStatus.APPROVED
    case.finished_at = at
    case.save(update_fields=["status", "finished_at"])
    _event(case, "case_approved", actor)


def case_start(
    *,
    actor: Principal,
    process_code: str,
    outlet: OrgUnit,
    title: str,
    amount: Decimal,
    external_ref: str | None = None,
) -> Case:
    """Start a case on the process's current version (staff, or a business system through the API)."""
    access.require(actor, "approvals.add_case", unit=outlet)
    process = Process.objects.filter(code=process_code, is_active=True).first()
    if process is None:
        raise _invalid("process_code", _("Unknown approval process."))
    if amount < 0:
        raise _invalid("amount", _("The amount cannot be negative."))
    if external_ref:
        existing = Case.objects.filter(external_ref=external_ref).first()
        if existing is not None:
            return existing
    now = _now()
    try:
        with transaction.atomic():
            version = process.current()
            case = by(
                Case(
                    version=version,
                    reference="",
                    org_unit=outlet,
                    title=pii.scrub(title),  # a title often names the applicant and quotes a number (#18)
                    amount=amount,
                    started_by=actor if isinstance(actor, User) else None,
                    started_by_label=_label(actor),
                    started_at=now,
                    external_ref=external_ref or None,
                ),
                actor,
            )
            case.reference = f"T{secrets.token_hex(8)}"  # placeholder until the pk is known
            case.save()
            case.reference = f"SP{clock.business_date(now):%Y%m%d}{case.pk:06d}"
            case.save(update_fields=["reference"])
            _event(case, "case_started", actor, amount=str(amount), version=version.number)
            first = version.steps.order_by("position").values_list("position", flat=True).first()
            _open_position(case, first or 0, actor)
            audit.record(actor=actor, action="approvals.case_start", target=case, org_unit=outlet)
    except IntegrityError:
        # The same business-system id raced in twice: the other request started the case.
        if external_ref:
            return Case.objects.get(external_ref=external_ref)
        raise
    return case


def _lock_case(step: CaseStep) -> Case:
    # Lock the case so two parallel steps finishing at once cannot both (or neither) open the next position.
    return Case.objects.select_for_update().select_related("version").get(pk=step.case_id)


def _finish(locked: CaseStep, actor: Principal, comment: str) -> Case:
    locked.finished_at = _now()
    locked.decided_by = actor if isinstance(actor, User) else None
    locked.comment = pii.scrub(comment)
    return _lock_case(locked)


def step_approve(*, actor: Principal, step: CaseStep, comment: str = "") -> CaseStep:
    """Approve a step; when its parallel siblings are done too, the next applicable steps open."""

    def effect(locked: CaseStep) -> None:
        case = _finish(locked, actor, comment)
        _event(case, "step_approved", actor, locked, comment, step_code=locked.step_def.code)
        siblings = case.steps.filter(status=StepStatus.ACTIVE).exclude(pk=locked.pk)
        if not siblings.exists():
            _open_position(case, locked.step_def.position + 1, actor)

    STEPS.apply(step, "approve", actor=actor, effect=effect)
    return step


def step_return(*, actor: Principal, step: CaseStep, comment: str) -> CaseStep:
    """Send the case back to who started it for rework; parallel steps of the position are cancelled."""
    if not comment.strip():
        raise _invalid("comment", _("Say what must be reworked."))

    def effect(locked: CaseStep) -> None:
        case = _finish(locked, actor, comment)
        case.steps.filter(status=StepStatus.ACTIVE).exclude(pk=locked.pk).update(
            status=StepStatus.CANCELLED, finished_at=_now()
        )
        case.status = CaseStatus.RETURNED
        case.save(update_fields=["status"])
        _event(case, "step_returned", actor, locked, comment, step_code=locked.step_def.code)

    STEPS.apply(step, "return", actor=actor, effect=effect)
    return step


def step_reject(*, actor: Principal, step: CaseStep, comment: str) -> CaseStep:
    """Reject the case at this step (a reason is required)."""
    if not comment.strip():
        raise _invalid("comment", _("Give the reason for the rejection."))

    def effect(locked: CaseStep) -> None:
        case = _finish(locked, actor, comment)
        case.steps.filter(status=StepStatus.ACTIVE).exclude(pk=locked.pk).update(
            status=StepStatus.CANCELLED, finished_at=_now()
        )
        case.status = CaseStatus.REJECTED
        case.finished_at = _now()
        case.save(update_fields=["status", "finished_at"])
        _event(case, "step_rejected", actor, locked, comment, step_code=locked.step_def.code)

    STEPS.apply(step, "reject", actor=actor, effect=effect)
    return step


def step_reassign(*, actor: Principal, step: CaseStep, assignee: User) -> CaseStep:
    """Give a step to one person of the owner unit holding the owner role."""

    def effect(locked: CaseStep) -> None:
        if not _holds(assignee, locked.step_def.owner_role, locked.owner_unit_id):
            raise _invalid("assignee", _("The assignee must hold the step's role in its unit."))
        locked.assignee = assignee
        _event(locked.case, "step_reassigned", actor, locked, to=str(assignee))

    STEPS.apply(step, "reassign", actor=actor, effect=effect, data={"assignee": assignee.pk})
    return step


def case_resubmit(*, actor: Principal, case: Case, comment: str = "") -> Case:
    """After rework, the returned position's steps open again (new step rows; the old ones stay in the timeline)."""

    def effect(locked: Case) -> None:
        returned = (
            locked.steps.filter(status=StepStatus.RETURNED)
            .select_related("step_def")
            .order_by("-finished_at")
            .first()
        )
        position = returned.step_def.position if returned is not None else 0
        locked.status = CaseStatus.RUNNING
        _event(locked, "case_resubmitted", actor, comment=comment)
        _open_position(locked, position, actor)

    CASES.apply(case, "resubmit", actor=actor, effect=effect)
    return case


def case_pause(*, actor: Principal, case: Case, comment: str) -> Case:
    """Wait for the customer's documents: the active steps' clocks stop (time counted as waiting, not working)."""

    def effect(locked: Case) -> None:
        if not isinstance(actor, SystemPrincipal) and not any(
            may_decide(s, actor)
            for s in locked.steps.filter(status=StepStatus.ACTIVE).select_related("step_def")
        ):
            raise Forbidden(_("Only the owner of an open step asks the customer for documents."))
        now = _now()
        locked.paused_at = now
        locked.steps.filter(status=StepStatus.ACTIVE).update(paused_at=now)
        _event(locked, "case_paused", actor, comment=comment)

    CASES.apply(case, "pause", actor=actor, effect=effect)
    return case


def case_resume(*, actor: Principal, case: Case) -> Case:
    """Documents arrived: the clocks run on; every rung moves by the business hours spent waiting."""

    def effect(locked: Case) -> None:
        now = _now()
        for step in locked.steps.filter(status=StepStatus.ACTIVE, paused_at__isnull=False):
            assert step.paused_at is not None
            paused_from = step.paused_at
            step.paused_seconds += int((now - paused_from).total_seconds())
            step.paused_business_seconds += int(hours.business_seconds_between(paused_from, now))
            for _rung, field in RUNGS:
                old: dt.datetime = getattr(step, field)
                if old > paused_from:
                    left = hours.business_seconds_between(paused_from, old) / 3600
                    setattr(step, field, hours.add_business_hours(now, left))
            step.paused_at = None
            step.save(
                update_fields=[
                    "paused_seconds",
                    "paused_business_seconds",
                    "half_at",
                    "due_at",
                    "late_at",
                    "paused_at",
                ]
            )
        locked.paused_at = None
        _event(locked, "case_resumed", actor)

    CASES.apply(case, "resume", actor=actor, effect=effect)
    return case


def attachment_add(
    *, actor: Principal, case: Case, file: Any, name: str, step: CaseStep | None = None
) -> Attachment:
    """Attach a document to a case (by its starter or a step owner)."""
    access.require(actor, "approvals.add_case", unit=case.org_unit)
    name = pii.scrub(name)  # applicants name files after themselves: "身份证 110108….pdf" (#18)
    with transaction.atomic():
        att = Attachment(
            case=case, step=step, name=name[:200], uploaded_at=_now(), uploaded_by_label=_label(actor)
        )
        att.file.save(name, file, save=False)
        att.save()
        _event(case, "attachment", actor, step, name=name)
    return att


def delegation_set(
    *, actor: Principal, delegator: User, delegate: User, starts_on: dt.date, ends_on: dt.date
) -> Delegation:
    """Record that `delegate` decides for `delegator` during leave."""
    if delegator.org_unit is None:
        raise _invalid("delegator", _("This person belongs to no unit."))
    if not (isinstance(actor, User) and actor.pk == delegator.pk):
        access.require(actor, "approvals.reassign_step", unit=delegator.org_unit)
    if ends_on < starts_on:
        raise _invalid("ends_on", _("The end is before the start."))
    with transaction.atomic():
        d = by(
            Delegation(delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on), actor
        )
        d.save()
        audit.record(actor=actor, action="approvals.delegation", target=d, org_unit=delegator.org_unit)
    return d


def _escalation_unit(step: CaseStep, rung: int) -> OrgUnit:
    """50%: the owner unit (a reminder); 100%: the owner unit's head; 150%: the unit above."""
    if rung < 3:
        return step.owner_unit
    parent = OrgUnit.objects.get_parent(step.owner_unit)
    return parent if parent is not None else step.owner_unit


RUNG_MESSAGES = {
    1: gettext_noop("Approval %(case)s, step %(step)s: half of its time limit has passed."),
    2: gettext_noop("Approval %(case)s, step %(step)s has reached its time limit."),
    3: gettext_noop("Approval %(case)s, step %(step)s is 50%% past its time limit; escalated to %(unit)s."),
}


def _deciders(step: CaseStep) -> list[User]:
    """Who may decide the step: its assignee, else everyone of the owner role in the owner unit."""
    if step.assignee is not None:
        return [step.assignee]
    return list(
        User.objects.filter(
            org_unit_id=step.owner_unit_id, is_active=True, groups__name=step.step_def.owner_role
        ).distinct()
    )


def _notify_rung(actor: Principal, step: CaseStep, rung: int, unit: OrgUnit) -> None:
    """50%: remind the deciders; 100%: and the owner unit's head; 150%: and the managers of the unit above."""
    recipients = _deciders(step)
    if rung >= 2:
        recipients += notifications.managers_above(unit)
    notifications.notify(
        actor=actor,
        recipients=recipients,
        kind="approvals.escalation",
        obj=step.case,
        message=RUNG_MESSAGES[rung],
        params={"case": step.case.reference, "step": step.step_def.name, "unit": unit.name},
        key=f"approvals.escalation:{step.pk}:{rung}",
        email=rung >= 2,
    )


def escalation_sweep(*, actor: Principal) -> int:
    """Fire each passed rung (50/100/150% of the limit) of every running step exactly once; returns how many fired."""
    access.require(actor, "approvals.reassign_step")
    now = _now()
    fired = 0
    candidates = CaseStep.objects.filter(
        status=StepStatus.ACTIVE, paused_at__isnull=True, escalated__lt=3, half_at__lte=now
    ).select_related("case", "owner_unit", "step_def", "assignee")
    for step in candidates:
        for rung, field in RUNGS:
            if getattr(step, field) > now or step.escalated >= rung:
                continue
            with transaction.atomic():
                # Conditional update: of two sweeps racing on one step, only one moves the rung.
                won = CaseStep.objects.filter(
                    pk=step.pk, escalated__lt=rung, status=StepStatus.ACTIVE
                ).update(escalated=rung)
                if not won:
                    continue
                unit = _escalation_unit(step, rung)
                Escalation.objects.create(step=step, rung=rung, at=now, notified_unit=unit)
                _event(step.case, "escalated", actor, step, rung=rung, unit=unit.code)
                _notify_rung(actor, step, rung, unit)
                step.escalated = rung
                fired += 1
    return fired
