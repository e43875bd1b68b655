"""Access table rows for the staffing services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase
from fuwu.staffing import selectors, services

S = "fuwu.staffing.services."
Q = "fuwu.staffing.selectors."
WEEK = dt.date(2026, 3, 9)
CALL_DAY = dt.date(2026, 3, 2)


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _cc_a(w: Any) -> Any:
    return w.person("cc_a", w.outlet_a, roles.CC_MANAGER)


def _cc_x(w: Any) -> Any:
    return w.person("cc_x", w.outlet_x, roles.CC_MANAGER)


def _plan(w: Any) -> None:
    from fuwu.staffing.tests.factories import staff_member

    w.ft = staff_member(w.outlet_a, "ft0")
    w.plan = services.staffing_plan_build(
        actor=SYSTEM,
        unit=w.outlet_a,
        channel="branch",
        week_start=WEEK,
        targets=services.DEFAULT_TARGETS["branch"],
        history_days=14,
    )


def _shift(w: Any) -> None:
    _plan(w)
    w.shift = services.shift_set(
        actor=SYSTEM, plan=w.plan, staff=w.ft, date=WEEK, start_slot=0, end_slot=8, lunch_slot=None
    )


def _row(call_id: str) -> services.CallRow:
    offered = dt.datetime.combine(CALL_DAY, dt.time(9, 5), tzinfo=clock.SHANGHAI)
    return services.CallRow(
        call_id=call_id,
        line="95599",
        offered_at=offered,
        answered_at=offered + dt.timedelta(seconds=10),
        ended_at=offered + dt.timedelta(seconds=200),
        abandoned_at=None,
        agent="H01",
    )


def _calls(w: Any) -> None:
    services.call_records_import(actor=SYSTEM, centre=w.outlet_a, rows=[_row("c-1")])


CASES = [
    AccessCase(
        S + "staffing_plan_build",
        call=lambda w, who: services.staffing_plan_build(
            actor=who,
            unit=w.outlet_a,
            channel="branch",
            week_start=WEEK,
            targets=services.DEFAULT_TARGETS["branch"],
            history_days=14,
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "staffing_plan_roster",
        setup=_plan,
        call=lambda w, who: services.staffing_plan_roster(actor=who, plan=w.plan, time_limit=1),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "shift_set",
        setup=_plan,
        call=lambda w, who: services.shift_set(
            actor=who, plan=w.plan, staff=w.ft, date=WEEK, start_slot=0, end_slot=8, lunch_slot=None
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "shift_delete",
        setup=_shift,
        call=lambda w, who: services.shift_delete(actor=who, shift=w.shift),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "staffing_plan_publish",
        setup=_plan,
        call=lambda w, who: services.staffing_plan_publish(actor=who, plan=w.plan, accept_shortfall=True),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "staff_profile_set",
        call=lambda w, who: services.staff_profile_set(
            actor=who, user=w.teller_a, unit=w.outlet_a, skills=["branch"]
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "call_records_import",
        call=lambda w, who: services.call_records_import(
            actor=who, centre=w.outlet_a, rows=[_row(f"c-{who.pk}")]
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_cc_x,
    ),
    AccessCase(
        S + "call_records_import_batch",
        call=lambda w, who: services.call_records_import_batch(
            actor=who, grouped={w.outlet_a: [_row(f"b-{who.pk}")]}, file_name="calls.csv"
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_cc_x,
    ),
    AccessCase(
        Q + "plans",
        setup=_plan,
        call=lambda w, who: selectors.plans(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.plan not in rows,
    ),
    AccessCase(
        Q + "plan",
        setup=_plan,
        call=lambda w, who: selectors.plan(fetched_by=who, plan_id=w.plan.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "shift",
        setup=_shift,
        call=lambda w, who: selectors.shift(fetched_by=who, shift_id=w.shift.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "staff_member",
        setup=_plan,
        call=lambda w, who: selectors.staff_member(fetched_by=who, staff_id=w.ft.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "rosterable_staff",
        setup=_plan,
        call=lambda w, who: selectors.rosterable_staff(fetched_by=who, plan=w.plan),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "plan_grid",
        setup=_plan,
        call=lambda w, who: selectors.plan_grid(fetched_by=who, plan=w.plan),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "business_mix",
        setup=_plan,
        call=lambda w, who: selectors.business_mix(fetched_by=who, plan=w.plan),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "plan_simulation",
        setup=_plan,
        call=lambda w, who: selectors.plan_simulation(fetched_by=who, plan=w.plan, replications=2),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "line_days",
        setup=_calls,
        call=lambda w, who: selectors.line_days(fetched_by=who, line="95599", first=CALL_DAY, last=CALL_DAY),
        holder=_cc_a,
        without=lambda w: w.teller_a,
        outsider=_cc_x,
        hides=lambda w, days: sum(d.total.offered for d in days) == 0,
        also=(Q + "call_kpis",),
    ),
    AccessCase(
        Q + "intraday",
        setup=_calls,
        call=lambda w, who: selectors.intraday(fetched_by=who, line="95599", day=CALL_DAY),
        holder=_cc_a,
        without=lambda w: w.teller_a,
        outsider=_cc_x,
        hides=lambda w, result: not result[1],
    ),
]

EXEMPT = {
    S + "plan_targets": "pure: a channel's default targets with the given ones replacing them",
    Q + "slot_labels": "pure: the clock labels of a plan's half-hour boundaries",
}
