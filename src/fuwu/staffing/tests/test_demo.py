from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from fuwu.core import clock
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
    # Most callers are identified, so their calls are in their customer 360 (P1).
    linked = CallRecord.objects.filter(customer__isnull=False).count() / CallRecord.objects.count()
    assert 0.5 < linked < 0.7
    plans = {(p.unit.code, p.channel, p.week_start): p for p in StaffingPlan.objects.select_related("unit")}
    wanted = {(demo.CENTRE_CODE, "95599"), (demo.CENTRE_CODE, "credit_card"), (outlet.code, "branch")}
    # #19: this week's plan is published (the one in force today), next week's is a draft to review.
    for unit, channel in wanted:
        assert plans[(unit, channel, dt.date(2026, 3, 2))].status == "published"
        assert plans[(unit, channel, dt.date(2026, 3, 9))].status == "draft"
    for plan in plans.values():
        assert plan.shifts.exists()
    # Today's calls so far (the frozen clock is Monday 09:00) and none from the future.
    today = CallRecord.objects.filter(offered_at__date=dt.date(2026, 3, 2))
    assert today.exists() and not CallRecord.objects.filter(offered_at__gt=clock.now()).exists()
    assert not CallRecord.objects.filter(ended_at__gt=clock.now()).exists()
    assert "published" in out.getvalue()
    # The centre page's intraday chart has today's calls against this week's published plan.
    in_force, rows = selectors.intraday(fetched_by=cc_user(bank), line="95599", day=dt.date(2026, 3, 2))
    assert in_force is not None and in_force.status == "published"
    assert any(r.actual.offered and r.forecast for r in rows)
    cc = next(u for u in bank.staff if u.username == "cc")
    kpis = selectors.call_kpis(fetched_by=cc, line="95599", day=dt.date(2026, 2, 27)).total
    assert kpis.offered > 800
    assert 0.7 < (kpis.answer_rate or 0) < 1.0 and 0.3 < (kpis.service_level or 0) <= 1.0
    assert "call records" in out.getvalue()


def cc_user(bank: Any) -> Any:
    return next(u for u in bank.staff if u.username == "cc")
