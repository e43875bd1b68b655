"""What the complaint services share: audit rows, clock events, alerts, SOP steps, received dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fuwu.complaints import sop
from fuwu.complaints.models import Alert, ClockEvent, Complaint, Severity, StepDeadline
from fuwu.core import audit, clock
from fuwu.core.errors import Forbidden, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal

# A complaint's severity as the rectification ledger's (its due date in business days follows it).
DEFECT_SEVERITY = {Severity.MAJOR: "major", Severity.COMPLEX: "normal"}


def audit_case(actor: Principal, verb: str, complaint: Complaint, **data: Any) -> None:
    """The audit row of one step on a case that is not a transition (intake); row changes are in history."""
    audit.record(
        actor=actor, action=f"complaint.{verb}", target=complaint, org_unit=complaint.outlet, data=data
    )


def as_user(actor: Principal) -> User | None:
    return actor if isinstance(actor, User) else None


def staff_actor(actor: Principal) -> User:
    """The staff member who signs a row (a decision, a reply, an extension request): never a device or the system."""
    if not isinstance(actor, User):
        raise Forbidden(_("Only a staff member can sign this step."))
    return actor


def received_day(value: dt.date | None, complaint: Complaint, field: str) -> dt.date:
    """The day a request or material was received: default today; never in the future nor before receipt."""
    today = clock.today()
    day = value or today
    if day > today:
        raise ValidationFailed(
            _("The date is in the future."),
            details=[{"field": field, "reason": _("The date is in the future.")}],
        )
    if day < clock.business_date(complaint.received_at):
        raise ValidationFailed(
            _("The date is before the complaint was received."),
            details=[{"field": field, "reason": _("The date is before the complaint was received.")}],
        )
    return day


def add_clock_event(
    complaint: Complaint,
    kind: str,
    *,
    actor: Principal,
    on: dt.date | None = None,
    reason: str = "",
    level: int = 0,
    customer_notified: bool = False,
    pause_kind: str = "",
) -> ClockEvent:
    return ClockEvent.objects.create(
        complaint=complaint,
        kind=kind,
        at=clock.now(),
        received_on=on or clock.today(),
        reason=reason,
        level=level,
        actor=as_user(actor),
        customer_notified=customer_notified,
        pause_kind=pause_kind,
    )


def alert(complaint: Complaint, unit: OrgUnit, kind: str, message: str, step: str = "") -> Alert:
    return Alert.objects.create(
        complaint=complaint,
        org_unit=unit,
        kind=kind,
        step=step,
        message=message[:200],
        created_at=clock.now(),
    )


def alert_up_the_tree(complaint: Complaint, kind: str, message: str) -> list[Alert]:
    return [
        alert(complaint, unit, kind, message)
        for unit in [complaint.outlet, *complaint.outlet.get_ancestors()]
    ]


def start_step(complaint: Complaint, step: str, at: dt.datetime | None = None) -> StepDeadline:
    started = at or clock.now()
    # Fast track (重大/舆情) and special customer groups (C6) get the bank's faster SOP targets; the
    # statutory period is never shortened (办法 第二十九条 asks for an emergency plan, not a shorter period).
    due, warn = sop.step_due(step, started, fast_track=complaint.is_fast_track or complaint.is_special_group)
    return StepDeadline.objects.create(
        complaint=complaint, step=step, started_at=started, due_at=due, warn_at=warn
    )


def finish_steps(complaint: Complaint, *steps: str) -> None:
    complaint.steps.filter(step__in=steps, done_at__isnull=True).update(done_at=clock.now())


def problem(field: str, reason: str) -> dict[str, Any]:
    return {"field": field, "reason": reason}


def refuse_if(problems: list[dict[str, Any]], message: str) -> None:
    if problems:
        raise ValidationFailed(message, details=problems)
