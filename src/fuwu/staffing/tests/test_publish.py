"""#19 (a demo that tells the truth), W3–W4: a roster whose simulated service level misses the target says so
before it can be published, and is published only on an explicit confirmation that the audit keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core.errors import Conflict
from fuwu.core.models import AuditEvent
from fuwu.staffing import services
from fuwu.staffing.models import StaffingPlan
from fuwu.staffing.tests.factories import branch_series, staff_member, tickets_from_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar", "frozen_clock")]

WEEK = dt.date(2026, 3, 9)


def _plan(world: Any, staff: int) -> StaffingPlan:
    dates, counts = branch_series(dt.date(2025, 12, 1), 91, daily=40.0, seed=5)
    tickets_from_counts(world.outlet_a, dates, counts, seed=5)
    for i in range(staff):
        staff_member(world.outlet_a, f"ft{i}")
    plan = services.staffing_plan_build(
        actor=world.head_a,
        unit=world.outlet_a,
        channel="branch",
        week_start=WEEK,
        targets=services.DEFAULT_TARGETS["branch"],
    )
    services.staffing_plan_roster(actor=world.head_a, plan=plan, time_limit=2)
    return plan


def test_a_short_roster_is_refused_with_its_days_until_the_publisher_confirms(world: Any) -> None:
    plan = _plan(world, staff=1)  # one teller for a 40-ticket day: most days miss 80 % in 15 min
    with pytest.raises(Conflict) as refused:
        services.staffing_plan_publish(actor=world.head_a, plan=plan)
    assert refused.value.code == "below_target"
    days = refused.value.details["days"]
    assert days and all(d["service_level"] < d["target"] == 0.8 for d in days)
    plan.refresh_from_db()
    assert plan.status == "draft"

    services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)
    plan.refresh_from_db()
    assert plan.status == "published"
    event = AuditEvent.objects.get(action="staffing.plan_publish")
    assert [d["date"] for d in event.data["below_target"]] == [d["date"] for d in days]


def test_a_roster_that_holds_the_target_publishes_without_a_question(world: Any) -> None:
    plan = _plan(world, staff=8)
    services.staffing_plan_publish(actor=world.head_a, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "published"
    assert AuditEvent.objects.get(action="staffing.plan_publish").data in (None, {})


def test_the_publish_button_shows_the_shortfall_and_asks_for_confirmation(world: Any) -> None:
    plan = _plan(world, staff=1)
    head = Client()
    head.force_login(world.head_a)
    page = head.post(f"/staffing/plans/{plan.pk}/publish/")
    body = page.content.decode()
    assert page.status_code == 409
    assert 'data-testid="shortfall"' in body and 'data-testid="accept-shortfall"' in body
    assert "模拟服务水平" in body and 'data-testid="publish"' not in body
    # The week's chart data: forecast against required and rostered staff for every interval.
    assert 'id="plan-chart-data"' in body and "本周：预测、需求与排班" in body
    plan.refresh_from_db()
    assert plan.status == "draft"
    done = head.post(f"/staffing/plans/{plan.pk}/publish/", {"accept_shortfall": "true"})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "published"


def test_the_api_refuses_with_the_days_and_takes_the_confirmation(world: Any) -> None:
    plan = _plan(world, staff=1)
    head = Client()
    head.force_login(world.head_a)
    refused = head.post(f"/api/v1/staffing/plans/{plan.pk}/publish")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "below_target" and error["details"]["days"][0]["target"] == 0.8
    bad = head.post(f"/api/v1/staffing/plans/{plan.pk}/publish?accept_shortfall=perhaps")
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "accept_shortfall"
    ok = head.post(f"/api/v1/staffing/plans/{plan.pk}/publish?accept_shortfall=true")
    assert ok.status_code == 200 and ok.json()["status"] == "published"
