"""The one bridge from a parsed input (schemas.py) to a service, shared by the API and the pages.

References arrive as codes and are resolved here through selectors; a reference that does not resolve is a
`ValidationFailed` naming the field, the same answer on the API and on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema

from fuwu.complaints import schemas, selectors, services
from fuwu.complaints.models import Complaint
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.customers.models import Customer


def _unknown(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "reason": message}])


def _staff(principal: Principal, code: str, field: str) -> User | None:
    if not code.strip():
        return None
    try:
        return selectors.staff_member(fetched_by=principal, staff_code=code.strip())
    except NotFound as exc:
        raise _unknown(field, _("Unknown staff member.")) from exc


def _handler(principal: Principal, complaint: Complaint, username: str, field: str, *, recused: bool) -> User:
    found = (
        selectors.handlers_for(fetched_by=principal, complaint=complaint, exclude_conflicted=not recused)
        .filter(username=username.strip())
        .first()
    )
    if found is None:
        raise _unknown(field, _("Unknown staff member."))
    return found


def _customer(principal: Principal, p: schemas.ComplaintIn) -> Customer | None:
    if p.customer_id is None and not p.customer_no.strip():
        return None
    field = "customer_id" if p.customer_id is not None else "customer_no"
    try:
        return selectors.customer(fetched_by=principal, pk=p.customer_id, customer_no=p.customer_no)
    except NotFound as exc:
        raise _unknown(field, _("Unknown customer.")) from exc


def _original(principal: Principal, ref: str) -> Complaint | None:
    ref = ref.strip()
    if not ref:
        return None
    try:
        if ref.isdigit():
            return selectors.complaint(fetched_by=principal, pk=int(ref))
        return selectors.complaint(fetched_by=principal, reference=ref)
    except NotFound as exc:
        raise _unknown("resubmission_of", _("Unknown complaint reference.")) from exc


def register(principal: Principal, p: schemas.ComplaintIn) -> Complaint:
    try:
        outlet = selectors.unit(fetched_by=principal, code=p.outlet_code)
    except NotFound as exc:
        raise _unknown("outlet_code", _("Unknown unit.")) from exc
    return services.complaint_register(
        actor=principal,
        outlet=outlet,
        source=p.source,
        content=p.content,
        complainant_name=p.complainant_name,
        channel_code=p.channel_code,
        category_code=p.category_code,
        reason_code=p.reason_code,
        severity=p.severity,
        major_basis=p.major_basis,
        tags=p.tags,
        customer=_customer(principal, p),
        phone=p.phone.strip(),
        staff=_staff(principal, p.staff_code, "staff_code"),
        product=p.product,
        demand=p.demand,
        representatives=p.representatives,
        complainants_in_person=p.complainants_in_person,
        regulator_due_date=p.regulator_due_date,
        resubmission_of=_original(principal, p.resubmission_of),
        new_facts=p.new_facts,
    )


@dataclass(frozen=True)
class Step:
    schema: type[Schema]
    run: Callable[[Principal, Complaint, Any], Any]


def _remediate(who: Principal, c: Complaint, p: schemas.RemediationIn) -> Any:
    return services.remediation_create(
        actor=who,
        complaint=c,
        action=p.action,
        owner=_handler(who, c, p.owner_username, "owner_username", recused=False),
        due_date=p.due_date,
        accountable_staff=_staff(who, p.accountable_staff_code, "accountable_staff_code"),
        accountability_note=p.accountability_note,
    )


# Page action name (URL slug) → schema and service call; the API endpoints call the same `run`.
STEPS: dict[str, Step] = {
    "assign": Step(
        schemas.AssignIn,
        lambda who, c, p: services.complaint_assign(
            actor=who,
            complaint=c,
            handler=_handler(who, c, p.handler_username, "handler_username", recused=True),
        ),
    ),
    "investigate": Step(
        schemas.InvestigateIn,
        lambda who, c, p: services.complaint_investigate(actor=who, complaint=c, root_cause=p.root_cause),
    ),
    "extension_request": Step(
        schemas.ExtensionRequestIn,
        lambda who, c, p: services.complaint_extension_request(actor=who, complaint=c, reason=p.reason),
    ),
    "pause": Step(
        schemas.PauseIn,
        lambda who, c, p: services.complaint_pause(
            actor=who,
            complaint=c,
            reason=p.reason,
            customer_notified=p.customer_notified,
            kind=p.kind,
            on=p.on,
        ),
    ),
    "resume": Step(
        schemas.ResumeIn, lambda who, c, p: services.complaint_resume(actor=who, complaint=c, on=p.on)
    ),
    "withdraw": Step(
        schemas.WithdrawIn,
        lambda who, c, p: services.complaint_withdraw(actor=who, complaint=c, reason=p.reason, on=p.on),
    ),
    "decide": Step(
        schemas.DecideIn,
        lambda who, c, p: services.complaint_decide(
            actor=who, complaint=c, facts=p.facts, basis=p.basis, remedy=p.remedy, upheld=p.upheld
        ),
    ),
    "reply": Step(
        schemas.ReplyIn,
        lambda who, c, p: services.complaint_reply(actor=who, complaint=c, method=p.method, text=p.text),
    ),
    "revisit": Step(
        schemas.RevisitIn,
        lambda who, c, p: services.complaint_revisit(
            actor=who, complaint=c, satisfaction=p.satisfaction, note=p.note, reopen=p.reopen
        ),
    ),
    "review_request": Step(
        schemas.ReviewRequestIn,
        lambda who, c, p: services.complaint_request_review(
            actor=who, complaint=c, reason=p.reason, received_on=p.received_on
        ),
    ),
    "review_decide": Step(
        schemas.DecideIn,
        lambda who, c, p: services.complaint_review_decide(
            actor=who, complaint=c, facts=p.facts, basis=p.basis, remedy=p.remedy, upheld=p.upheld
        ),
    ),
    "reclassify": Step(
        schemas.ReclassifyIn,
        lambda who, c, p: services.complaint_reclassify(
            actor=who,
            complaint=c,
            channel_code=p.channel_code,
            category_code=p.category_code,
            reason_code=p.reason_code,
            severity=p.severity,
            major_basis=p.major_basis,
        ),
    ),
    "remediation_create": Step(schemas.RemediationIn, _remediate),
    "typical_case_create": Step(
        schemas.TypicalCaseIn,
        lambda who, c, p: services.typical_case_create(
            actor=who, complaint=c, polarity=p.polarity, title=p.title, lesson=p.lesson
        ),
    ),
}
