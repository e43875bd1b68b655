from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from fuwu.core.roles import sync_role_groups
from fuwu.demo import bank as demo_bank
from fuwu.staffing import demo, selectors
from fuwu.staffing.models import CallRecord, StaffingPlan
from fuwu.staffing.tests.factories import branch_series, tickets_from_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar", "frozen_clock")]


def test_quick_demo_builds_call_history_line_plans_and_an_outlet_roster(db: Any) -> None:
    sync_role_groups()
    bank = demo_bank.build(customers=100)
    outlet = bank.outlets[0]
    dates, counts = branch_series(dt.date(2026, 1, 26), 35, daily=30.0, seed=1)
    tickets_from_counts(outlet, dates, counts)
    out = io.StringIO()
    demo.build(bank, out=out, options={"quick": True})
    assert CallRecord.objects.filter(line="95599").count() > 10_000
    assert CallRecord.objects.filter(line="credit_card").count() > 4_000
    plans = {(p.unit.code, p.channel): p for p in StaffingPlan.objects.select_related("unit")}
    assert {(demo.CENTRE_CODE, "95599"), (demo.CENTRE_CODE, "credit_card"), (outlet.code, "branch")} <= set(
        plans
    )
    for plan in plans.values():
        assert plan.week_start == dt.date(2026, 3, 9)
        assert plan.shifts.exists()
    cc = next(u for u in bank.staff if u.username == "cc")
    kpis = selectors.call_kpis(fetched_by=cc, line="95599", day=dt.date(2026, 2, 27)).total
    assert kpis.offered > 800
    assert 0.7 < (kpis.answer_rate or 0) < 1.0 and 0.3 < (kpis.service_level or 0) <= 1.0
    assert "call records" in out.getvalue()
