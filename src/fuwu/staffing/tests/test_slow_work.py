"""W2/W3: the forecast and the roster solve run outside any transaction; a result computed from a plan that
changed meanwhile is refused (409) and writes nothing."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from fuwu.core.errors import Conflict
from fuwu.core.models import AuditEvent
from fuwu.staffing import services
from fuwu.staffing.models import Shift, StaffingPlan
from fuwu.staffing.tests.factories import branch_series, staff_member, tickets_from_counts

WEEK = dt.date(2026, 3, 9)
BRANCH = services.DEFAULT_TARGETS["branch"]


def _plan(world: Any) -> StaffingPlan:
    dates, counts = branch_series(dt.date(2026, 1, 5), 49, daily=40.0, seed=3)
    tickets_from_counts(world.outlet_a, dates, counts, seed=3)
    return services.staffing_plan_build(
        actor=world.head_a, unit=world.outlet_a, channel="branch", week_start=WEEK, targets=BRANCH
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_calendar", "frozen_clock")
class TestStaleResults:
    def test_every_change_increments_the_plan_version(self, world: Any) -> None:
        plan = _plan(world)
        assert plan.version == 1
        teller = staff_member(world.outlet_a, "ft0")
        services.shift_set(
            actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=8, lunch_slot=None
        )
        services.staffing_plan_roster(actor=world.head_a, plan=plan, time_limit=1)
        services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)
        plan.refresh_from_db()
        assert plan.version == 4 and plan.status == "published"

    def test_a_plan_changed_during_the_solve_refuses_the_solves_result(self, world: Any) -> None:
        plan = _plan(world)
        teller = staff_member(world.outlet_a, "ft0")
        staff_member(world.outlet_a, "ft1")

        def meanwhile(stage: str) -> None:
            if stage == "solving":  # the head edits a shift by hand while the solver works
                services.shift_set(
                    actor=world.head_a,
                    plan=plan,
                    staff=teller,
                    date=WEEK,
                    start_slot=2,
                    end_slot=6,
                    lunch_slot=None,
                )

        with pytest.raises(Conflict) as stale:
            services.staffing_plan_roster(actor=world.head_a, plan=plan, time_limit=1, progress=meanwhile)
        assert stale.value.status == 409 and stale.value.code == "stale_plan"
        assert stale.value.details["computed_from"] == 1 and stale.value.details["version"] == 2
        # nothing of the solve was applied: only the hand-made shift is there
        assert [(s.staff_id, s.start_slot, s.end_slot) for s in Shift.objects.filter(plan=plan)] == [
            (teller.pk, 2, 6)
        ]
        assert not AuditEvent.objects.filter(action="staffing.plan_roster").exists()
        plan.refresh_from_db()
        assert plan.version == 2 and plan.roster_status == ""

    def test_a_plan_published_during_a_rebuild_keeps_its_forecast(self, world: Any) -> None:
        plan = _plan(world)
        before = list(plan.intervals.values_list("required", flat=True))

        def meanwhile(stage: str) -> None:
            if stage == "forecasting":
                services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)

        slower = services.plan_targets("branch", aht_seconds=900.0)
        with pytest.raises(Conflict):
            services.staffing_plan_build(
                actor=world.head_a,
                unit=world.outlet_a,
                channel="branch",
                week_start=WEEK,
                targets=slower,
                progress=meanwhile,
            )
        plan.refresh_from_db()
        assert plan.aht_seconds == BRANCH.aht_seconds
        assert list(plan.intervals.values_list("required", flat=True)) == before


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_calendar", "frozen_clock")
def test_the_plan_row_is_not_locked_while_the_roster_is_solved(world: Any) -> None:
    """Another request updates the plan while a solve runs: it is not blocked, and the solve's result is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    plan = _plan(world)
    teller = staff_member(world.outlet_a, "ft0")
    staff_member(world.outlet_a, "ft1")
    seen: dict[str, Any] = {}

    def other_request() -> None:
        try:
            services.shift_set(
                actor=world.head_a,
                plan=plan,
                staff=teller,
                date=WEEK,
                start_slot=2,
                end_slot=6,
                lunch_slot=None,
            )
            seen["edited"] = True
        except BaseException as exc:  # surfaced by the assertions below
            seen["error"] = exc
        finally:
            connection.close()

    def meanwhile(stage: str) -> None:
        if stage != "solving":
            return
        seen["in_transaction"] = connection.in_atomic_block
        editor = threading.Thread(target=other_request)
        editor.start()
        # A solve holding the plan's row lock would block the edit for the whole solve (up to 10 s).
        editor.join(timeout=5)
        seen["blocked"] = editor.is_alive()
        editor.join()

    with pytest.raises(Conflict):
        services.staffing_plan_roster(actor=world.head_a, plan=plan, time_limit=1, progress=meanwhile)
    assert seen["in_transaction"] is False
    assert seen["blocked"] is False and seen.get("edited") is True, seen.get("error")
    assert Shift.objects.filter(plan=plan).count() == 1
