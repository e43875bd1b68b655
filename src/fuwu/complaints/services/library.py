"""After the decision: remediation tasks (溯源整改) and the de-identified typical-case library."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext as _

from fuwu.complaints.deid import deidentify
from fuwu.complaints.models import Complaint, Remediation, TypicalCase
from fuwu.complaints.services._common import audit_case, problem, refuse_if, staff_actor
from fuwu.complaints.states import COMPLAINT, REMEDIATE
from fuwu.core import clock, pii
from fuwu.core.access import require
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.history import by
from fuwu.core.models import User
from fuwu.core.principals import Principal


def remediation_create(
    *,
    actor: Principal,
    complaint: Complaint,
    action: str,
    owner: User,
    due_date: dt.date,
    accountable_staff: User | None = None,
    accountability_note: str = "",
) -> Remediation:
    """溯源整改: a task that removes the root cause of a decided case; optionally holds a staff member to account.

    Upheld decisions are also handed to the rectification ledger (core.defects) when they are made; this
    task is the handler's own follow-up and stays until the ledger replaces it."""

    def effect(c: Complaint) -> Remediation:
        problems = []
        if not action.strip():
            problems.append(problem("action", _("This field is required.")))
        if due_date < clock.today():
            problems.append(problem("due_date", _("The date is in the past.")))
        if accountable_staff is not None and not accountability_note.strip():
            problems.append(
                problem("accountability_note", _("Say what the staff member is accountable for."))
            )
        refuse_if(problems, _("The remediation task is incomplete."))
        task = Remediation(
            complaint=c,
            action=pii.scrub(action.strip()),
            owner=owner,
            due_date=due_date,
            accountable_staff=accountable_staff,
            accountability_note=pii.scrub(accountability_note.strip()),
            created_at=clock.now(),
        )
        by(task, actor).save()
        return task

    return COMPLAINT.apply(
        complaint,
        "remediation_create",
        actor=actor,
        effect=effect,
        data={"accountable_staff": accountable_staff.pk if accountable_staff is not None else None},
    )


@transaction.atomic
def remediation_complete(*, actor: Principal, remediation: Remediation) -> Remediation:
    """Mark the remediation done."""
    require(
        actor,
        REMEDIATE,
        unit=remediation.complaint.outlet,
        message=_("Your role may not complete remediation tasks."),
    )
    qs = Remediation.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()  # two clicks on "done" must not both write the completion
    try:
        locked = qs.get(pk=remediation.pk)
    except Remediation.DoesNotExist as exc:
        raise NotFound(_("Not found.")) from exc
    if locked.done_at is not None:
        raise Conflict(_("Already done."), details={"status": "done"})
    locked.done_at = clock.now()
    by(locked, actor).save()
    remediation.done_at = locked.done_at
    audit_case(actor, "remediation_complete", remediation.complaint, remediation=remediation.pk)
    return locked


def typical_case_create(
    *, actor: Principal, complaint: Complaint, polarity: str, title: str, lesson: str = ""
) -> TypicalCase:
    """Copy a handled complaint into the case library, with names, numbers and addresses removed."""

    def effect(c: Complaint) -> TypicalCase:
        if polarity not in TypicalCase.Polarity.values:
            refuse_if([problem("polarity", _("Choose one of the offered values."))], _("Unknown polarity."))
        names = [c.complainant_name]
        if c.customer is not None:
            names.append(c.customer.name)
        for person in (c.staff, c.handler):
            if person is not None:
                names.extend([person.display_name, person.get_full_name()])
        decision = c.decisions.order_by("-decided_at").first()
        parts = [c.content, f"根因：{c.root_cause}" if c.root_cause else ""]
        if decision is not None:
            parts += [f"处理：{decision.facts}", f"补救：{decision.remedy}" if decision.remedy else ""]
        case = TypicalCase(
            complaint=c,
            outlet=c.outlet,
            polarity=polarity,
            title=deidentify(title, names),
            text=deidentify("\n".join(p for p in parts if p), names),
            lesson=deidentify(lesson, names),
            category_code=c.category_code,
            created_by=staff_actor(actor),
            created_at=clock.now(),
        )
        by(case, actor).save()
        return case

    return COMPLAINT.apply(
        complaint, "typical_case_create", actor=actor, effect=effect, data={"polarity": polarity}
    )
