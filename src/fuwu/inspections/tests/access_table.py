"""Access table rows for the inspections app (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import clock, roles
from fuwu.core.testing.access import AccessCase
from fuwu.inspections import selectors, services
from fuwu.inspections.tests.factories import fill, items, jpeg, setup, submitted, task_for

S = "fuwu.inspections.services."
Q = "fuwu.inspections.selectors."


def _workbook(w: Any) -> None:
    from fuwu.core.principals import SYSTEM
    from fuwu.inspections import xlsx

    setup(w)
    version = selectors.template_version(fetched_by=SYSTEM, code="WGY")
    w.workbook = xlsx.template_workbook(version, selectors.template_items(fetched_by=SYSTEM, version=version))


def _head_x(w: Any) -> Any:
    return w.person("head_x", w.outlet_x, roles.OUTLET_HEAD)


def _sup_x(w: Any) -> Any:
    return w.sup_x


def _planned(w: Any) -> None:
    setup(w)
    w.plan = services.inspection_plan(
        actor=w.hq_manager,
        outlet=w.outlet_a,
        template_code="WGY",
        kind="onsite",
        supervisor=w.sup,
        planned_for=clock.today() + dt.timedelta(days=3),
    )


def _open(w: Any) -> None:
    setup(w)
    w.insp = services.inspection_start_adhoc(
        actor=w.sup, outlet=w.outlet_a, template_code="SBZ", kind="onsite"
    )
    w.item = items(w.insp)[1]


def _filled(w: Any) -> None:
    _open(w)
    fill(w, w.insp)


def _done(w: Any) -> None:
    w.done = submitted(w, kind="mystery")
    w.task = task_for(w.done, "SBZ-2")


def _done_rolled_up(w: Any) -> None:
    """A submitted 神秘人 visit in the measure catalogue's rollups, as the sweep leaves it (#14)."""
    from fuwu.core import rollups
    from fuwu.core.principals import SYSTEM

    _done(w)
    rollups.rebuild(actor=SYSTEM, start=clock.today() - dt.timedelta(days=1), end=clock.today())


def _evidence(w: Any) -> None:
    _done(w)
    services.task_submit_evidence(actor=w.head_a, task=w.task, evidence="已整改")


def _appealed(w: Any) -> None:
    _done(w)
    services.task_appeal(actor=w.head_a, task=w.task, reason="当时正在引导客户")


def _not_listed(attr: str) -> Any:
    return lambda w, rows: getattr(w, attr) not in rows


CASES = [
    AccessCase(
        Q + "critical_failures",
        call=lambda w, who: selectors.critical_failures(
            fetched_by=who, outlet=w.outlet_a, start=dt.date(2020, 1, 1), end=dt.date(2030, 1, 1)
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("sup_other", w.t1x, roles.SUPERVISOR),
    ),
    AccessCase(
        S + "template_version_create",
        setup=setup,
        call=lambda w, who: services.template_version_create(
            actor=who,
            code="NEW",
            name="新模板",
            description="",
            items=[services.ItemSpec(section="一", code="N-1", text="检查项")],
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.sup,
    ),
    AccessCase(
        S + "template_import_xlsx",
        setup=_workbook,
        call=lambda w, who: services.template_import_xlsx(actor=who, content=w.workbook),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.sup,
    ),
    AccessCase(
        S + "templates_install_builtin",
        call=lambda w, who: services.templates_install_builtin(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "inspection_plan",
        setup=setup,
        call=lambda w, who: services.inspection_plan(
            actor=who,
            outlet=w.outlet_a,
            template_code="WGY",
            kind="mystery",
            supervisor=w.sup,
            planned_for=clock.today() + dt.timedelta(days=5),
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "schedule_quarter",
        setup=setup,
        call=lambda w, who: services.schedule_quarter(
            actor=who, branch=w.t1, quarter=selectors.quarter_of(clock.today()), template_code="WGY"
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "inspection_start_adhoc",
        setup=setup,
        call=lambda w, who: services.inspection_start_adhoc(
            actor=who, outlet=w.outlet_a, template_code="WGY", kind="onsite"
        ),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "inspection_start",
        setup=_planned,
        call=lambda w, who: services.inspection_start(actor=who, inspection=w.plan),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "inspection_cancel",
        setup=_planned,
        call=lambda w, who: services.inspection_cancel(actor=who, inspection=w.plan),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "response_save",
        setup=_open,
        call=lambda w, who: services.response_save(
            actor=who, inspection=w.insp, item_id=w.item.pk, result="pass"
        ),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "photo_add",
        setup=_open,
        call=lambda w, who: services.photo_add(
            actor=who, inspection=w.insp, item_id=w.item.pk, content=jpeg()
        ),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "inspection_observe",
        setup=_open,
        call=lambda w, who: services.inspection_observe(
            actor=who, inspection=w.insp, staff_id=w.teller_a.pk, position=1
        ),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "inspection_submit",
        setup=_filled,
        call=lambda w, who: services.inspection_submit(actor=who, inspection=w.insp),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "task_submit_evidence",
        setup=_done,
        call=lambda w, who: services.task_submit_evidence(actor=who, task=w.task, evidence="已整改"),
        holder=lambda w: w.head_a,
        without=lambda w: w.sup,
        outsider=_head_x,
    ),
    AccessCase(
        S + "task_verify",
        setup=_evidence,
        call=lambda w, who: services.task_verify(actor=who, task=w.task),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "task_reopen",
        setup=_evidence,
        call=lambda w, who: services.task_reopen(actor=who, task=w.task, note="未整改到位"),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "task_defer",
        setup=_evidence,
        call=lambda w, who: services.task_defer(actor=who, task=w.task),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "task_appeal",
        setup=_done,
        call=lambda w, who: services.task_appeal(actor=who, task=w.task, reason="当时正在引导客户"),
        holder=lambda w: w.head_a,
        without=lambda w: w.sup,
        outsider=_head_x,
    ),
    AccessCase(
        S + "task_appeal_decide",
        setup=_appealed,
        call=lambda w, who: services.task_appeal_decide(actor=who, task=w.task, uphold=True, note="申诉成立"),
        holder=lambda w: w.sup2,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        S + "tasks_escalate",
        call=lambda w, who: services.tasks_escalate(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    # --- selectors ---
    AccessCase(
        Q + "templates_list",
        setup=setup,
        call=lambda w, who: selectors.templates_list(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "template_version",
        setup=setup,
        call=lambda w, who: selectors.template_version(fetched_by=who, code="WGY"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "template_items",
        setup=lambda w: (
            setup(w),
            setattr(w, "v", selectors.template_version(fetched_by=w.hq_manager, code="WGY")),
        ),
        call=lambda w, who: selectors.template_items(fetched_by=who, version=w.v),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "inspections_list",
        setup=_done,
        call=lambda w, who: selectors.inspections_list(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=_not_listed("done"),
    ),
    AccessCase(
        Q + "inspection_rows",
        setup=_done,
        call=lambda w, who: selectors.inspection_rows(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=_not_listed("done"),
    ),
    AccessCase(
        Q + "inspection",
        setup=_done,
        call=lambda w, who: selectors.inspection(fetched_by=who, pk=w.done.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "inspection_lines",
        setup=_done,
        call=lambda w, who: selectors.inspection_lines(fetched_by=who, inspection_obj=w.done),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "inspection_tasks",
        setup=_done,
        call=lambda w, who: selectors.inspection_tasks(fetched_by=who, inspection_obj=w.done),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "running_score",
        setup=_filled,
        call=lambda w, who: selectors.running_score(fetched_by=who, inspection_obj=w.insp),
        holder=lambda w: w.sup,
        without=lambda w: w.teller_a,
        outsider=_sup_x,
    ),
    AccessCase(
        Q + "supervisors_for",
        setup=setup,
        call=lambda w, who: selectors.supervisors_for(fetched_by=who, unit=w.outlet_a),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        Q + "outlet_staff",
        setup=setup,
        call=lambda w, who: selectors.outlet_staff(fetched_by=who, outlet=w.outlet_a),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        Q + "outlets",
        setup=setup,
        call=lambda w, who: selectors.outlets(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    AccessCase(
        Q + "photo",
        setup=_done,
        call=lambda w, who: selectors.photo(fetched_by=who, pk=w.done.photos.first().pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "recheck_items",
        setup=_done,
        call=lambda w, who: selectors.recheck_items(fetched_by=who, outlet=w.outlet_a),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
    ),
    AccessCase(
        Q + "ledger",
        setup=_done,
        call=lambda w, who: selectors.ledger(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=_not_listed("task"),
    ),
    AccessCase(
        Q + "ledger_rows",
        setup=_done,
        call=lambda w, who: selectors.ledger_rows(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=_not_listed("task"),
    ),
    AccessCase(
        Q + "task",
        setup=_done,
        call=lambda w, who: selectors.task(fetched_by=who, pk=w.task.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "task_follow_ups",
        setup=_done,
        call=lambda w, who: selectors.task_follow_ups(fetched_by=who, task=w.task),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "roster",
        setup=setup,
        call=lambda w, who: selectors.roster(fetched_by=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_x,
        hides=lambda w, rows: all(r.branch != w.t1 for r in rows),
    ),
    AccessCase(
        Q + "piece_rate",
        setup=_done,
        call=lambda w, who: selectors.piece_rate(fetched_by=who, month=clock.today()),
        holder=lambda w: w.sup,
        without=lambda w: w.head_a,
        outsider=_sup_x,
        hides=lambda w, rows: all(r.supervisor != w.sup for r in rows),
    ),
    AccessCase(
        Q + "mystery_trend",
        setup=_done_rolled_up,
        call=lambda w, who: selectors.mystery_trend(
            fetched_by=who, quarters=[selectors.quarter_of(clock.today())]
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=lambda w, rows: all(r.outlet != w.outlet_a for r in rows),
    ),
    AccessCase(
        Q + "worst_items",
        setup=_done,
        call=lambda w, who: selectors.worst_items(fetched_by=who, since=clock.today() - dt.timedelta(days=1)),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "league",
        setup=_done_rolled_up,
        call=lambda w, who: selectors.league(fetched_by=who, since=clock.today() - dt.timedelta(days=1)),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
        hides=lambda w, rows: all(r["unit"] != w.t2 for r in rows),
    ),
]

EXEMPT = {
    S + "task_open": "called only through core.defects.report (ledger.receive) inside the reporter's own "
    "authorised transaction; a defect report is the consequence of an action already checked",
    S + "tasks_open_many": "task_open for many defects, called only through core.defects.report_hidden "
    "(ledger.receive_batch) inside the authorised importer's own transaction",
    S + "tasks_published": "the notifications of tasks tasks_open_many opened for an import batch, called "
    "only through core.defects.report_published (ledger.batch_published) by the authorised importer",
    S + "quarter_bounds": "pure date arithmetic, no principal",
    Q + "quarter_of": "pure date arithmetic, no principal",
    Q + "last_quarters": "pure date arithmetic, no principal",
}
