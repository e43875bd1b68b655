from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest
from django.test import Client

from fuwu.core.errors import Conflict, Forbidden, ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.staffing import erlang, selectors, services
from fuwu.staffing.models import Channel, Shift, StaffingPlan
from fuwu.staffing.tests.factories import branch_series, staff_member, tickets_from_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar", "frozen_clock")]

WEEK = dt.date(2026, 3, 9)  # the Monday after the frozen clock's
BRANCH = services.DEFAULT_TARGETS["branch"]
AUDITED = ["staffing.profile_set", "staffing.shift_set", "staffing.shift_delete"]


@pytest.fixture
def history(world: Any) -> None:
    dates, counts = branch_series(dt.date(2025, 12, 1), 91, daily=40.0, seed=5)  # to 2026-03-01
    tickets_from_counts(world.outlet_a, dates, counts, seed=5)


@pytest.fixture
def plan(world: Any, history: None) -> StaffingPlan:
    return services.staffing_plan_build(
        actor=world.head_a, unit=world.outlet_a, channel="branch", week_start=WEEK, targets=BRANCH
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_plan_forecasts_each_interval_from_ticket_history_and_sizes_it_with_erlang_c(
    plan: StaffingPlan,
) -> None:
    rows = list(plan.intervals.all())
    assert len(rows) == 7 * 16
    assert plan.model_name in {"seasonal_naive", "weighted_moving_average", "seasonal_regression"}
    assert plan.backtest["best"] == plan.model_name and plan.backtest["folds"] >= 4
    forecast = np.array([r.forecast for r in rows])
    required = np.array([r.required for r in rows])
    assert forecast.sum() > 0
    expected = erlang.required_agents(
        forecast * BRANCH.aht_seconds / 1800.0, BRANCH.aht_seconds, BRANCH.target_seconds, BRANCH.target_level
    )
    assert required.tolist() == expected.tolist()
    monday = forecast[:16].sum()
    sunday = forecast[-16:].sum()
    assert monday > sunday  # the weekday shape survives


def test_roster_covers_the_plan_with_the_outlets_staff_and_gaps_show_when_short(
    world: Any, plan: StaffingPlan
) -> None:
    for i in range(2):
        staff_member(world.outlet_a, f"ft{i}")
    staff_member(world.outlet_a, "pt0", part_time=True, hourly_cost=80)
    staff_member(world.outlet_b, "elsewhere")  # another outlet's staff is never rostered here
    result = services.staffing_plan_roster(actor=world.head_a, plan=plan, time_limit=2)
    assert result.status in {"OPTIMAL", "FEASIBLE"}
    shifts = list(plan.shifts.select_related("staff"))
    assert shifts and {s.staff.username for s in shifts} <= {"ft0", "ft1", "pt0"}
    grid = selectors.plan_grid(fetched_by=SYSTEM, plan=plan)
    short = sum(-c.gap for day in grid for c in day.cells if c.gap < 0)
    assert short == int(result.shortfall["branch"].sum())
    for day in grid:
        for cell in day.cells:
            assert cell.rostered == sum(1 for s in day.shifts if s.covers(cell.slot))


def test_head_edits_a_shift_and_a_published_plan_is_frozen(world: Any, plan: StaffingPlan) -> None:
    teller = staff_member(world.outlet_a, "ft0")
    shift = services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=16, lunch_slot=7
    )
    assert selectors.plan_grid(fetched_by=SYSTEM, plan=plan)[0].cells[7].rostered == 0  # at lunch
    assert selectors.plan_grid(fetched_by=SYSTEM, plan=plan)[0].cells[6].rostered == 1
    with pytest.raises(ValidationFailed) as bad:
        services.shift_set(
            actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=4, end_slot=2, lunch_slot=None
        )
    assert bad.value.details[0]["field"] == "end_slot"
    services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)
    with pytest.raises(Conflict) as frozen:
        services.shift_delete(actor=world.head_a, shift=Shift.objects.get(pk=shift.pk))
    assert frozen.value.details["status"] == "published"
    assert Shift.history.filter(id=shift.pk).first().history_user == world.head_a


def test_a_shift_read_before_the_plan_was_published_cannot_be_deleted_after(
    world: Any, plan: StaffingPlan
) -> None:
    """W3: publishing freezes the roster even for a shift object loaded while the plan was a draft."""
    teller = staff_member(world.outlet_a, "ft0")
    services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=16, lunch_slot=7
    )
    stale = selectors.shift(fetched_by=world.head_a, shift_id=Shift.objects.get(plan=plan).pk)
    assert stale.plan.status == StaffingPlan.Status.DRAFT
    services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)
    with pytest.raises(Conflict):
        services.shift_delete(actor=world.head_a, shift=stale)
    assert Shift.objects.filter(plan=plan).count() == 1


def test_shift_edits_and_profile_changes_each_write_an_audit_row_naming_the_actor(
    world: Any, plan: StaffingPlan
) -> None:
    """W3: every staffing write leaves an audit row beside its history row, in the same transaction."""
    teller = staff_member(world.outlet_a, "ft0")
    profile = services.staff_profile_set(
        actor=world.head_a, user=teller, unit=world.outlet_a, skills=["branch", "95599"], max_days=4
    )
    shift = services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=16, lunch_slot=7
    )
    services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=2, end_slot=16, lunch_slot=None
    )
    services.shift_delete(actor=world.head_a, shift=Shift.objects.get(pk=shift.pk))
    rows = AuditEvent.objects.filter(action__in=AUDITED, actor=world.head_a).order_by("pk")
    assert [(r.action, r.actor, r.org_unit) for r in rows] == [
        ("staffing.profile_set", world.head_a, world.outlet_a),
        ("staffing.shift_set", world.head_a, world.outlet_a),
        ("staffing.shift_set", world.head_a, world.outlet_a),
        ("staffing.shift_delete", world.head_a, world.outlet_a),
    ]
    assert rows[0].target_id == str(profile.pk) and rows[0].data["skills"] == ["95599", "branch"]
    assert {r.target_id for r in rows[1:]} == {str(shift.pk)}
    assert [r.data["created"] for r in rows[1:3]] == [True, False]
    assert rows[3].data == {"plan": plan.pk, "staff": teller.pk, "date": WEEK.isoformat()}


def test_a_shift_delete_that_fails_after_its_audit_row_leaves_neither(
    world: Any, plan: StaffingPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit row is written before the delete: it must roll back with it, being one transaction."""
    teller = staff_member(world.outlet_a, "ft0")
    shift = services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=16, lunch_slot=7
    )

    def broken_delete(self: Shift, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Shift, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        services.shift_delete(actor=world.head_a, shift=Shift.objects.get(pk=shift.pk))
    assert not AuditEvent.objects.filter(action="staffing.shift_delete").exists()
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_a_deactivated_staff_member_is_neither_offered_nor_accepted_for_a_shift(
    world: Any, plan: StaffingPlan
) -> None:
    """W3: manual edits keep to the people the roster solver may use."""
    gone = staff_member(world.outlet_a, "ft0")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert gone.pk not in {p.user_id for p in selectors.rosterable_staff(fetched_by=world.head_a, plan=plan)}
    with pytest.raises(ValidationFailed) as refused:
        services.shift_set(
            actor=world.head_a, plan=plan, staff=gone, date=WEEK, start_slot=0, end_slot=8, lunch_slot=None
        )
    assert refused.value.details[0]["field"] == "staff"


def test_a_teller_may_not_change_plans(world: Any, plan: StaffingPlan) -> None:
    with pytest.raises(Forbidden):
        services.staffing_plan_roster(actor=world.teller_a, plan=plan)


def test_staff_of_another_outlet_get_404_for_the_plan_page_and_api(world: Any, plan: StaffingPlan) -> None:
    from fuwu.core import roles
    from fuwu.core import services as core_services

    other_head = core_services.staff_create(
        actor=SYSTEM,
        org_unit=world.outlet_b,
        username="head_b",
        display_name="head b",
        roles=[roles.OUTLET_HEAD],
    )
    client = client_for(other_head)
    assert client.get(f"/staffing/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/api/v1/staffing/plans/{plan.pk}").status_code == 404
    assert client.post(f"/api/v1/staffing/plans/{plan.pk}/roster").status_code == 404
    assert client.get("/api/v1/staffing/plans").json() == []
    assert client_for(world.head_a).get(f"/staffing/plans/{plan.pk}/").status_code == 200


def test_api_builds_a_plan_once_per_idempotency_key_and_returns_the_grid(world: Any, history: None) -> None:
    client = client_for(world.head_a)
    body = json.dumps({"unit_code": "OA", "channel": "branch", "week_start": WEEK.isoformat()})
    first = client.post(
        "/api/v1/staffing/plans", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="plan-key-1"
    )
    again = client.post(
        "/api/v1/staffing/plans", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="plan-key-1"
    )
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert StaffingPlan.objects.count() == 1
    data = first.json()
    assert len(data["intervals"]) == 112 and data["intervals"][0]["time"] == "09:00"
    bad = client.post(
        "/api/v1/staffing/plans",
        json.dumps({"unit_code": "OA", "channel": "branch", "week_start": "2026-03-10"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "week_start"


def test_page_and_api_take_the_channels_default_targets_with_the_ones_given(
    world: Any, history: None
) -> None:
    """W2: a form percentage and an API fraction override the channel default; an unknown channel is a 422."""
    client = client_for(world.head_a)
    page = client.post(
        "/staffing/plans/build/",
        {"unit_code": "OA", "channel": "branch", "week_start": WEEK.isoformat(), "target_pct": "85"},
    )
    assert page.status_code == 302
    built = StaffingPlan.objects.get()
    assert (built.target_level, built.target_seconds) == (pytest.approx(0.85), BRANCH.target_seconds)
    api = client.post(
        "/api/v1/staffing/plans",
        json.dumps({"unit_code": "OA", "week_start": WEEK.isoformat(), "aht_seconds": 420.0}),
        content_type="application/json",
    )
    assert api.status_code == 201
    built.refresh_from_db()
    assert (built.aht_seconds, built.target_level) == (420.0, BRANCH.target_level)
    unknown = client.post(
        "/api/v1/staffing/plans",
        json.dumps({"unit_code": "OA", "channel": "fax", "week_start": WEEK.isoformat()}),
        content_type="application/json",
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "channel"


def test_api_edits_shifts_and_simulates_the_roster(world: Any, plan: StaffingPlan) -> None:
    teller = staff_member(world.outlet_a, "ft0")
    client = client_for(world.head_a)
    shift = client.post(
        f"/api/v1/staffing/plans/{plan.pk}/shifts",
        json.dumps(
            {
                "staff_id": teller.pk,
                "date": WEEK.isoformat(),
                "start_slot": 0,
                "end_slot": 16,
                "lunch_slot": 8,
            }
        ),
        content_type="application/json",
    )
    assert shift.status_code == 200
    sims = client.get(f"/api/v1/staffing/plans/{plan.pk}/simulation?replications=5").json()
    monday = sims[0]
    assert monday["service_level"]["half_width"] >= 0 and 0 <= monday["service_level"]["mean"] <= 1
    assert monday["utilisation"]["mean"] > 0
    gone = client.delete(f"/api/v1/staffing/shifts/{shift.json()['id']}")
    assert gone.status_code == 204 and not plan.shifts.exists()


def test_erlang_calculator_endpoint(world: Any) -> None:
    client = client_for(world.head_a)
    out = client.post(
        "/api/v1/staffing/erlang",
        json.dumps({"traffic": [10.0, 0.0], "aht_seconds": 180.0}),
        content_type="application/json",
    ).json()
    assert out["agents"] == [14, 0]
    below = client.post(
        "/api/v1/staffing/erlang",
        json.dumps(
            {
                "traffic": [100.0],
                "aht_seconds": 300.0,
                "patience_seconds": 60.0,
                "answer_rate": 0.9,
                "target_level": 0.0,
            }
        ),
        content_type="application/json",
    ).json()
    assert below["agents"][0] < 100


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("aht_seconds", 1e-300),
        ("aht_seconds", 4.0),
        ("aht_seconds", 86_400.0),
        ("patience_seconds", 86_400.0),
    ],
)
def test_erlang_calculator_refuses_handle_times_and_patience_no_call_has(
    world: Any, field: str, value: float
) -> None:
    # A split-second handle time with a day's patience kept Erlang A computing for minutes (#18): refused with
    # the field named before any work starts.
    body = {"traffic": [100_000.0 / 10], "aht_seconds": 180.0, "patience_seconds": 60.0, "answer_rate": 0.9}
    refused = client_for(world.head_a).post(
        "/api/v1/staffing/erlang", json.dumps({**body, field: value}), content_type="application/json"
    )
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["error"]["details"]][-1] == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"aht_seconds": 1e-300}, "aht_seconds"), ({"patience_seconds": 86_400.0}, "patience_seconds")],
)
def test_a_plan_refuses_handle_times_and_patience_no_call_has(
    world: Any, changes: dict[str, float], field: str
) -> None:
    from dataclasses import replace

    targets = replace(services.DEFAULT_TARGETS[Channel.HOTLINE], **changes)
    with pytest.raises(ValidationFailed) as refused:
        services.staffing_plan_build(
            actor=world.head_a, unit=world.outlet_a, channel=Channel.HOTLINE, week_start=WEEK, targets=targets
        )
    assert [d["field"] for d in refused.value.details] == [field]


def test_plan_pages_render_requirement_against_roster(world: Any, plan: StaffingPlan) -> None:
    teller = staff_member(world.outlet_a, "ft0")
    client = client_for(world.head_a)
    page = client.get(f"/staffing/plans/{plan.pk}/")
    assert page.status_code == 200 and b'data-testid="plan-table"' in page.content
    response = client.post(
        f"/staffing/plans/{plan.pk}/shifts/",
        {"staff_id": teller.pk, "date": WEEK.isoformat(), "start_slot": 0, "end_slot": 8, "lunch_slot": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b"plan-table" in response.content
    assert plan.shifts.count() == 1
    listing = client.get("/staffing/")
    assert listing.status_code == 200 and str(plan.unit.name).encode() in listing.content
    sim = client.get(f"/staffing/plans/{plan.pk}/simulate/")
    assert sim.status_code == 200 and b'data-testid="simulation"' in sim.content


def test_branch_simulation_uses_the_floors_business_mix_and_priorities(
    world: Any, plan: StaffingPlan
) -> None:
    from fuwu.core import clock
    from fuwu.floor.models import ServiceType, Ticket

    wealth = ServiceType.objects.create(
        outlet=world.outlet_a,
        code="WM",
        name="理财",
        prefix="V",
        counter_kinds="vip",
        mean_service_seconds=900,
    )
    at = dt.datetime(2026, 2, 27, 10, 0, tzinfo=clock.SHANGHAI)
    Ticket.objects.bulk_create(
        Ticket(
            outlet=world.outlet_a,
            business_date=at.date(),
            number=f"V{i:03d}",
            seq=900 + i,
            service=wealth,
            priority_class=1,
            issued_at=at,
        )
        for i in range(30)
    )
    # The demo's live simulated day is no demand to staff for (#19): its customers are in no mix.
    Ticket.objects.bulk_create(
        Ticket(
            outlet=world.outlet_a,
            business_date=at.date(),
            number=f"S{i:03d}",
            seq=950 + i,
            service=wealth,
            priority_class=2,
            issued_at=at,
            is_simulated=True,
        )
        for i in range(5)
    )
    mix = {c.name: c for c in selectors.business_mix(fetched_by=SYSTEM, plan=plan)}
    assert set(mix) == {"CASH/3", "WM/1"}
    assert mix["WM/1"].priority == 1 and mix["WM/1"].mean_service == 900 and mix["WM/1"].share == 30
    since = dt.datetime(2026, 1, 12, tzinfo=clock.SHANGHAI)  # the last eight weeks before the plan
    assert mix["CASH/3"].share == Ticket.objects.filter(service__code="CASH", issued_at__gte=since).count()
    teller = staff_member(world.outlet_a, "ft0")
    services.shift_set(
        actor=world.head_a, plan=plan, staff=teller, date=WEEK, start_slot=0, end_slot=16, lunch_slot=None
    )
    monday = selectors.plan_simulation(fetched_by=SYSTEM, plan=plan, replications=4)[0].result
    assert monday is not None and monday.customers > 0


def test_a_failed_build_form_keeps_what_was_typed_with_chinese_field_errors(world: Any) -> None:
    client = client_for(world.head_a)
    response = client.post(
        "/staffing/plans/build/",
        {"unit_code": "OA", "channel": "95599", "week_start": "2026-03-10", "target_pct": "八十"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="八十"' in page and 'value="2026-03-10"' in page  # typed text is not lost
    assert '<option value="95599" selected>' in page
    assert "请输入数字。" in page  # the percentage, in the user's language
    assert not StaffingPlan.objects.exists()
    not_monday = client.post(
        "/staffing/plans/build/", {"unit_code": "OA", "channel": "branch", "week_start": "2026-03-10"}
    )
    assert not_monday.status_code == 422 and "计划周须从周一开始。" in not_monday.content.decode()


def test_screens_offer_only_the_actions_the_plan_allows(world: Any, plan: StaffingPlan) -> None:
    """The buttons come from the plan's declared transitions, not from status strings in the template."""
    head = client_for(world.head_a)
    api = head.get(f"/api/v1/staffing/plans/{plan.pk}").json()
    assert [a["name"] for a in api["actions"]] == ["build", "roster", "edit_shifts", "publish"]
    assert b'data-testid="roster"' in head.get(f"/staffing/plans/{plan.pk}/").content
    auditor = client_for(world.auditor)
    assert auditor.get(f"/api/v1/staffing/plans/{plan.pk}").json()["actions"] == []
    assert b'data-testid="roster"' not in auditor.get(f"/staffing/plans/{plan.pk}/").content
    services.staffing_plan_publish(actor=world.head_a, plan=plan, accept_shortfall=True)
    published = head.get(f"/api/v1/staffing/plans/{plan.pk}").json()
    assert published["actions"] == [] and published["version"] == plan.version
    page = head.get(f"/staffing/plans/{plan.pk}/").content
    assert b'data-testid="roster"' not in page and b'data-testid="publish"' not in page
    refused = head.post(f"/api/v1/staffing/plans/{plan.pk}/publish")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["status"] == "published"


def test_the_forecast_reads_no_arrival_of_the_live_simulated_day(world: Any) -> None:
    from fuwu.floor.models import Ticket

    day = dt.date(2026, 2, 27)
    counts = np.zeros((1, BRANCH.slots))
    counts[0, 2] = 3  # three real customers between 10:00 and 10:30
    tickets_from_counts(world.outlet_a, [day], counts)
    real = list(Ticket.objects.filter(outlet=world.outlet_a))
    for i, t in enumerate(real):  # the simulation's customers arrive alongside them (#19)
        Ticket.objects.create(
            outlet=t.outlet,
            business_date=t.business_date,
            number=f"S{i:03d}",
            seq=900 + i,
            service=t.service,
            issued_at=t.issued_at,
            is_simulated=True,
        )
    days, history = services._arrival_history(
        world.outlet_a, "branch", day, day, day_start=BRANCH.day_start, slots=BRANCH.slots
    )
    assert days == [day] and history.sum() == 3 and history[0, 2] == 3
