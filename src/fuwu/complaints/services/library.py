"""After the decision: remediation tasks (溯源整改, in the rectification ledger) and the de-identified typical-case library."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.complaints.deid import deidentify
from fuwu.complaints.models import Complaint, Severity, TypicalCase
from fuwu.complaints.services._common import DEFECT_SEVERITY, problem, refuse_if, staff_actor
from fuwu.complaints.states import COMPLAINT
from fuwu.core import clock, defects, pii
from fuwu.core.errors import Conflict
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
) -> defects.TaskView:
    """溯源整改: a further task in the rectification ledger that removes the root cause of a decided case.

    Refused before a decision (the transition's states). It goes to the one ledger (core.defects) as the
    case's task number n (`<case id>/<n>`), beside the task an upheld decision opened; the ledger tracks it
    to verification. Optionally holds a staff member to account."""

    def effect(c: Complaint) -> defects.TaskView:
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
        # The case row is locked by the transition: two handlers never number two tasks alike.
        c.remediations_opened += 1
        description = "\n".join(
            p for p in (pii.scrub(action.strip()), pii.scrub(accountability_note.strip())) if p
        )
        opened = defects.report(
            actor=actor,
            defect=defects.Defect(
                source_kind=defects.SourceKind.COMPLAINT,
                source_id=f"{c.pk}/{c.remediations_opened}",
                label=c.reference,
                unit=c.outlet,
                description=description,
                severity=DEFECT_SEVERITY.get(Severity(c.severity), "minor"),
                staff=accountable_staff,
                reason_code=c.reason_code,
                url=reverse("complaints:detail", args=[c.pk]),
                owner=owner,
                due=due_date,
            ),
        )
        tasks = [found for o in opened if (found := defects.view(o)) is not None]
        if not tasks:
            raise Conflict(_("No rectification ledger is installed."), details={"status": c.status})
        return tasks[0]

    return COMPLAINT.apply(
        complaint,
        "remediation_create",
        actor=actor,
        effect=effect,
        data={"accountable_staff": accountable_staff.pk if accountable_staff is not None else None},
    )


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
