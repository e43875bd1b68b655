"""Access table rows for approvals' services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from fuwu.approvals import selectors, services
from fuwu.approvals.services import StepSpec
from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase

S = "fuwu.approvals.services."
Q = "fuwu.approvals.selectors."


def _p(username: str, unit: str, *role: str) -> Any:
    def make(w: Any) -> Any:
        from fuwu.core.models import User

        found = User.objects.filter(username=username).first()
        return found or w.person(username, getattr(w, unit), *role)

    return make


noone = _p("noone", "outlet_a")
rm_a = _p("rm_a", "outlet_a", roles.RM)
rm_a2 = _p("rm_a2", "outlet_a", roles.RM)
rm_b = _p("rm_b", "outlet_b", roles.RM)
head_b = _p("head_b", "outlet_b", roles.OUTLET_HEAD)

STEPS = [
    StepSpec("check", "网点初审", 1, roles.RM, "outlet", 4),
    StepSpec("head", "负责人签批", 2, roles.OUTLET_HEAD, "outlet", 4),
]


def _process(w: Any) -> None:
    services.process_publish(actor=SYSTEM, code="LOAN", name="小微贷款审批", steps=STEPS)


def _case(w: Any) -> None:
    _process(w)
    rm_a(w), rm_a2(w)
    w.case = services.case_start(
        actor=w.teller_a, process_code="LOAN", outlet=w.outlet_a, title="经营贷", amount=Decimal(50000)
    )
    w.step = w.case.steps.get(status="active")


def _case_rolled_up(w: Any) -> None:
    """An open step in the measure catalogue's rollups, as the sweep leaves it (#17)."""
    from fuwu.core import rollups
    from fuwu.core.principals import SYSTEM

    _case(w)
    rollups.rebuild(actor=SYSTEM, start=clock.today(), end=clock.today())


def _paused(w: Any) -> None:
    _case(w)
    services.case_pause(actor=SYSTEM, case=w.case, comment="补件")


def _returned(w: Any) -> None:
    _case(w)
    services.step_return(actor=SYSTEM, step=w.step, comment="补充流水")


def _escalated(w: Any) -> None:
    import datetime as dt

    _case(w)
    with clock.frozen(clock.now() + dt.timedelta(days=10)):
        services.escalation_sweep(actor=SYSTEM)


def _finished(w: Any) -> None:
    _case(w)
    services.step_approve(actor=SYSTEM, step=w.step)


CASES = [
    AccessCase(
        S + "process_publish",
        call=lambda w, who: services.process_publish(actor=who, code="ACC", name="开户审批", steps=STEPS),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "case_start",
        setup=_process,
        call=lambda w, who: services.case_start(
            actor=who, process_code="LOAN", outlet=w.outlet_a, title="经营贷", amount=Decimal(1)
        ),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "step_approve",
        setup=_case,
        call=lambda w, who: services.step_approve(actor=who, step=w.step),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
    ),
    AccessCase(
        S + "step_return",
        setup=_case,
        call=lambda w, who: services.step_return(actor=who, step=w.step, comment="缺件"),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
    ),
    AccessCase(
        S + "step_reject",
        setup=_case,
        call=lambda w, who: services.step_reject(actor=who, step=w.step, comment="不符合条件"),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
    ),
    AccessCase(
        S + "step_reassign",
        setup=_case,
        call=lambda w, who: services.step_reassign(actor=who, step=w.step, assignee=rm_a2(w)),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
    AccessCase(
        S + "case_pause",
        setup=_case,
        call=lambda w, who: services.case_pause(actor=who, case=w.case, comment="补件"),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
    ),
    AccessCase(
        S + "case_resume",
        setup=_paused,
        call=lambda w, who: services.case_resume(actor=who, case=w.case),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "case_resubmit",
        setup=_returned,
        call=lambda w, who: services.case_resubmit(actor=who, case=w.case),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "attachment_add",
        setup=_case,
        call=lambda w, who: services.attachment_add(
            actor=who, case=w.case, file=ContentFile(b"%PDF-1.4"), name="流水.pdf"
        ),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "delegation_set",
        call=lambda w, who: services.delegation_set(
            actor=who, delegator=rm_a(w), delegate=rm_a2(w), starts_on=clock.today(), ends_on=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
    AccessCase(
        S + "escalation_sweep",
        call=lambda w, who: services.escalation_sweep(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "processes",
        setup=_process,
        call=lambda w, who: selectors.processes(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=noone,
    ),
    AccessCase(
        Q + "cases",
        setup=_case,
        call=lambda w, who: selectors.cases(fetched_by=who),
        holder=lambda w: w.head_a,
        without=noone,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.case not in rows,
    ),
    AccessCase(
        Q + "case_rows",
        setup=_case,
        call=lambda w, who: selectors.case_rows(fetched_by=who),
        holder=lambda w: w.head_a,
        without=noone,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.case not in rows,
    ),
    AccessCase(
        Q + "case",
        setup=_case,
        call=lambda w, who: selectors.case(fetched_by=who, pk=w.case.pk),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "step",
        setup=_case,
        call=lambda w, who: selectors.step(fetched_by=who, pk=w.step.pk),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "timeline",
        setup=_case,
        call=lambda w, who: selectors.timeline(fetched_by=who, case=w.case),
        holder=lambda w: w.teller_a,
        without=noone,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "inbox",
        setup=_case,
        call=lambda w, who: selectors.inbox(fetched_by=who),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
        hides=lambda w, rows: w.step not in rows,
    ),
    AccessCase(
        Q + "inbox_summary",
        setup=_case,
        call=lambda w, who: selectors.inbox_summary(fetched_by=who, first=6),
        holder=rm_a,
        without=lambda w: w.teller_a,
        outsider=rm_b,
        hides=lambda w, summary: summary.waiting == 0 and w.step not in summary.first,
    ),
    AccessCase(
        Q + "bottlenecks",
        setup=_case_rolled_up,
        call=lambda w, who: selectors.bottlenecks(
            fetched_by=who, process_code="LOAN", start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "bottleneck_heatmap",
        setup=_finished,
        call=lambda w, who: selectors.bottleneck_heatmap(
            fetched_by=who, process_code="LOAN", start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: not rows,
    ),
]

CASES += [
    AccessCase(
        Q + "escalations",
        setup=_escalated,
        call=lambda w, who: selectors.escalations(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "eligible_assignees",
        setup=_case,
        call=lambda w, who: selectors.eligible_assignees(fetched_by=who, step=w.step),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=head_b,
    ),
]

EXEMPT = {
    S
    + "may_decide": "a predicate over one step already fetched through an access-checked path (used by guards)",
    S + "owner_unit": "pure tree walk: which ancestor of an outlet owns a step level",
    S + "decidable_by": "may_decide as a filter: narrows the steps the inbox selector already access-checked",
}
