"""The supervision measures' definitions on a hand-built month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import calendar, clock
from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.principals import SYSTEM
from fuwu.inspections import measures, services
from fuwu.inspections.tests.factories import submitted, task_for

pytestmark = pytest.mark.django_db


def test_measures_from_inspections_and_the_ledger(world: Any) -> None:
    at = dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI)  # a Monday
    clock.set_clock(at, speed=0)
    try:
        a = submitted(world, "SBZ", fail={"SBZ-2"}, kind="mystery")  # 80.00, one finding
        b = submitted(world, "SBZ", fail={"SBZ-2", "SBZ-3"}, kind="onsite")  # 60.00, two findings
        report(actor=SYSTEM, defect=Defect(SourceKind.COMPLAINT, "C-1", "TS-1", world.outlet_a, "x"))
        ta = task_for(a, "SBZ-2")
        services.task_submit_evidence(actor=world.head_a, task=ta, evidence="已整改")
        services.task_verify(actor=world.sup2, task=ta)  # verified on time
        tb = task_for(b, "SBZ-3")
        services.task_appeal(actor=world.head_a, task=tb, reason="误判,申诉")
        services.task_appeal_decide(actor=world.sup2, task=tb, uphold=True, note="申诉成立")  # b → 80.00
    finally:
        clock.reset()
    late = calendar.add_business_days(dt.date(2026, 3, 2), 10)
    rows = measures.fact_rows(dt.date(2026, 3, 1), late)
    values = measures.evaluate(rows)
    assert values["inspection_score"] == pytest.approx(80.0)  # (80 + 80) / 2 after the upheld appeal
    assert values["mystery_score"] == pytest.approx(80.0)
    assert values["findings_per_inspection"] == pytest.approx(1.0)  # 3 findings, 1 removed, 2 inspections
    assert values["rectification_on_time_rate"] == pytest.approx(100.0)
    # open at the end: b's SBZ-2 and the complaint; both overdue (due within 5 business days, no evidence)
    assert values["open_rectifications"] == 2 and values["overdue_rectifications"] == 2
    first_day = measures.evaluate([r for r in rows if r["date"] == dt.date(2026, 3, 2)])
    assert first_day["open_rectifications"] == 2 and first_day["overdue_rectifications"] == 0
    assert {m.id for m in measures.MEASURES} == {
        "inspection_score",
        "mystery_score",
        "rectification_on_time_rate",
        "open_rectifications",
        "overdue_rectifications",
        "findings_per_inspection",
    }
