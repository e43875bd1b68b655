"""Access table rows for the measures services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import clock, roles
from fuwu.core import services as core_services
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.testing.access import AccessCase
from fuwu.measures import selectors, services

S = "fuwu.measures.services."
Q = "fuwu.measures.selectors."


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _kiosk(w: Any) -> DevicePrincipal:
    """A device of the same outlet: devices hold no measures permission."""
    token, _raw = core_services.device_token_issue(actor=SYSTEM, org_unit=w.outlet_a, kind="kiosk")
    return DevicePrincipal(token)


def _figures(w: Any) -> None:
    """Yesterday one ticket at OA, served at counter 1 by teller_a, rolled up; a target on OA's waiting time."""
    from fuwu.measures.tests import factories as f

    w.day = clock.today() - dt.timedelta(days=1)
    counter = f.counter(w.outlet_a, 1, staff=w.teller_a)
    f.ticket(w.outlet_a, f.at(w.day, 10), wait=300, service_seconds=240, counter_=counter, staff=w.teller_a)
    services.rollup_rebuild(actor=SYSTEM, start=w.day, end=w.day)
    w.period = selectors.Period(w.day, w.day, w.day.isoformat(), "day")
    w.target = services.target_set(
        actor=SYSTEM,
        measure="avg_wait",
        unit=w.outlet_a,
        baseline=10.0,
        value=4.0,
        start_date=w.day - dt.timedelta(days=40),
        due_date=w.day + dt.timedelta(days=300),
    )


def _issued(parts: dict[str, float]) -> float:
    return parts.get("issued", 0)


def _target_form(w: Any) -> dict[str, str]:
    return {
        "measure": "satisfaction",
        "unit_code": w.outlet_a.code,
        "baseline": "65",
        "value": "85",
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
    }


def _card(result: dict[str, Any], measure: str) -> Any:
    return next(c["value"] for c in result["cards"] if c["measure"].id == measure)


CASES = [
    AccessCase(
        S + "rollup_rebuild",
        call=lambda w, who: services.rollup_rebuild(
            actor=who, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 2)
        ),
        holder=lambda w: SYSTEM,
        without=lambda w: w.hq_manager,
    ),
    AccessCase(
        S + "rollup_rebuild_all",
        call=lambda w, who: services.rollup_rebuild_all(actor=who),
        holder=lambda w: SYSTEM,
        without=lambda w: w.hq_manager,
    ),
    AccessCase(
        S + "rollup_refresh",
        call=lambda w, who: services.rollup_refresh(actor=who),
        holder=lambda w: SYSTEM,
        without=lambda w: w.hq_manager,
    ),
    AccessCase(
        S + "target_set",
        call=lambda w, who: services.target_set(
            actor=who,
            measure="satisfaction",
            unit=w.outlet_a,
            baseline=65.0,
            value=85.0,
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 12, 31),
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "target_set_from_form",
        call=lambda w, who: services.target_set_from_form(actor=who, form=_target_form(w)),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "target_delete",
        setup=_figures,
        call=lambda w, who: services.target_delete(actor=who, target=w.target),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "visible_unit",
        call=lambda w, who: selectors.visible_unit(w.outlet_a.pk, fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "parts_by",
        setup=_figures,
        call=lambda w, who: selectors.parts_by(w.outlet_a, w.day, w.day, by=["unit"], fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: not rows,
        also=(Q + "by_product",),  # parts_by on the product cut, labelled
    ),
    AccessCase(
        Q + "total",
        setup=_figures,
        call=lambda w, who: [selectors.total(w.outlet_a, w.day, w.day, fetched_by=who)],
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: _issued(rows[0]) == 0,
    ),
    AccessCase(
        Q + "trend",
        setup=_figures,
        call=lambda w, who: selectors.trend(w.outlet_a, w.period, fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, steps: sum(_issued(parts) for _day, parts in steps) == 0,
    ),
    AccessCase(
        Q + "by_units",
        setup=_figures,
        call=lambda w, who: selectors.by_units(w.t2, w.day, w.day, [w.outlet_a], fetched_by=who),
        holder=lambda w: w.head_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: _issued(rows[0][1]) == 0,
    ),
    AccessCase(
        Q + "children",
        call=lambda w, who: selectors.children(w.t2, fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    AccessCase(
        Q + "units_at_level",
        call=lambda w, who: selectors.units_at_level("outlet", fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    AccessCase(
        Q + "breadcrumbs",
        call=lambda w, who: selectors.breadcrumbs(w.outlet_a, fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    AccessCase(
        Q + "league",
        setup=_figures,
        call=lambda w, who: selectors.league(w.outlet_a, w.period, fetched_by=who),
        holder=lambda w: w.head_a,
        without=_kiosk,
        outsider=_head_b,
        hides=lambda w, rows: not any(r["kind"] == "staff" for r in rows),
    ),
    AccessCase(
        Q + "level_table",
        setup=_figures,
        call=lambda w, who: selectors.level_table("outlet", w.period, ["tickets_issued"], fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.outlet_a not in [r["unit"] for r in rows],
    ),
    AccessCase(
        Q + "targets",
        setup=_figures,
        call=lambda w, who: selectors.targets(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.target not in rows,
    ),
    AccessCase(
        Q + "target",
        setup=_figures,
        call=lambda w, who: selectors.target(w.target.pk, fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "targets_progress",
        setup=_figures,
        call=lambda w, who: selectors.targets_progress([w.target], fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: rows[0].current is None,
        also=(Q + "target_progress",),
    ),
    AccessCase(
        Q + "subject",
        call=lambda w, who: selectors.subject(unit_id=w.outlet_a.pk, fetched_by=who),
        holder=lambda w: w.head_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "subject",  # one staff member's figures: their own, or a manager's right to read them
        call=lambda w, who: selectors.subject(staff_id=w.teller_a.pk, fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.person("teller_a2", w.outlet_a, roles.TELLER),
        outsider=_head_b,
    ),
    AccessCase(
        Q + "dashboard",
        setup=_figures,
        call=lambda w, who: selectors.dashboard(
            selectors.Subject(w.outlet_a), w.period, "avg_wait", fetched_by=who
        ),
        holder=lambda w: w.head_a,
        without=_kiosk,
        outsider=lambda w: w.teller_b,
        hides=lambda w, result: not _card(result, "tickets_issued"),
    ),
]

EXEMPT = {
    Q + "parse_period": "pure: reads a period label",
    Q + "shift_label": "pure: the label of the period before or after",
    Q + "current_month": "pure: this month's label",
    Q + "group_parts": "pure: folds given rows into given units",
}
