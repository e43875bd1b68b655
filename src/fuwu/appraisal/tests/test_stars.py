"""Service stars (K5): ranked from the catalogue, nominations, upheld complaints by the configured rule,
approved by the head of the branch, shown on the outlet's wall of stars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.appraisal import selectors, services
from fuwu.appraisal.tests.factories import compliments, rollup
from fuwu.complaints.models import Complaint, Decision
from fuwu.core import clock, roles
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.principals import SYSTEM

MONTH = "2026-10"
DAY = dt.date(2026, 10, 12)


def _evaluations(outlet: Any, staff: Any, evaluated: int, satisfied: int) -> None:
    rollup(
        outlet,
        DAY,
        cut="staff",
        key=str(staff.pk),
        finished=evaluated,
        evaluated=evaluated,
        satisfied=satisfied,
    )


def _upheld_against(staff: Any, decided: dt.date) -> Complaint:
    at = dt.datetime.combine(decided, dt.time(15), tzinfo=clock.SHANGHAI)
    c = Complaint.objects.create(
        reference=f"UP{staff.pk:06d}",
        outlet=staff.org_unit,
        source="counter",
        received_at=at - dt.timedelta(days=3),
        due_at=at + dt.timedelta(days=12),
        status="decided",
        channel_code="01",
        category_code="01",
        reason_code="01",
        content="态度问题",
        complainant_name="某客户",
        staff=staff,
    )
    Decision.objects.create(
        complaint=c, facts="属实", basis="制度", upheld=True, decided_by=staff, decided_at=at
    )
    return c


@pytest.fixture
def outlet(world: Any) -> Any:
    world.teller_c = world.person("teller_c", world.outlet_a, roles.TELLER)
    world.teller_d = world.person("teller_d", world.outlet_a, roles.TELLER)
    _evaluations(world.outlet_a, world.teller_a, 50, 45)  # 90.0%
    _evaluations(world.outlet_a, world.teller_c, 20, 19)  # 95.0%
    _evaluations(world.outlet_a, world.teller_d, 5, 5)  # 100%, but only 5 evaluations (10 needed)
    world.supervisor = world.person("sup_t2", world.t2, roles.SUPERVISOR)
    return world


def _rule(actor: Any, month_start: dt.date, **changes: Any) -> Any:
    """The default rule with `changes`, in force from `month_start` on."""
    rule: dict[str, Any] = {
        "upheld_action": "disqualify",
        "deduction": 20.0,
        "critical_action": "disqualify",
        "critical_deduction": 20.0,
        "min_evaluations": 10,
        "nomination_bonus": 10.0,
        "compliment_points": 5.0,
        "max_compliments": 3,
        "stars_per_outlet": 1,
    }
    return services.star_policy_set(actor=actor, effective_from=month_start, **{**rule, **changes})


def _by_name(round_: Any) -> dict[str, Any]:
    return {c.staff.username: c for c in selectors.star_candidates(SYSTEM, round_)}


def test_candidates_rank_by_satisfaction_with_an_evaluations_floor(outlet: Any) -> None:
    r = services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH)
    found = _by_name(r)
    assert (found["teller_c"].rank, found["teller_c"].score) == (1, 95.0)
    assert (found["teller_a"].rank, found["teller_a"].score) == (2, 90.0)
    assert found["teller_d"].rank is None
    assert "10" in found["teller_d"].reasons[0]["text"]


def test_an_upheld_complaint_disqualifies_by_default(outlet: Any) -> None:
    _upheld_against(outlet.teller_c, DAY)
    r = services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH)
    found = _by_name(r)
    assert found["teller_c"].disqualified and found["teller_c"].rank is None
    assert any(reason["kind"] == "upheld" for reason in found["teller_c"].reasons)
    assert found["teller_a"].rank == 1
    services.star_submit(actor=outlet.head_a, round=r)
    assert [c.staff.username for c in selectors.star_candidates(SYSTEM, r) if c.is_star] == ["teller_a"]


def test_the_deduct_rule_takes_points_per_upheld_complaint_instead(outlet: Any) -> None:
    _rule(outlet.hq_manager, dt.date(2026, 10, 1), upheld_action="deduct", deduction=20)
    _upheld_against(outlet.teller_c, DAY)
    found = _by_name(services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH))
    assert not found["teller_c"].disqualified
    assert (found["teller_c"].score, found["teller_c"].rank) == (75.0, 2)
    assert found["teller_a"].rank == 1


def test_a_complaint_upheld_in_another_month_does_not_count(outlet: Any) -> None:
    _upheld_against(outlet.teller_c, dt.date(2026, 9, 28))
    found = _by_name(services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH))
    assert found["teller_c"].rank == 1 and not found["teller_c"].disqualified


def test_a_nomination_adds_its_bonus_and_its_reason(outlet: Any) -> None:
    r = services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH)
    services.star_nominate(actor=outlet.head_a, round=r, staff=outlet.teller_a, reason="主动帮助老年客户")
    found = _by_name(r)
    assert (found["teller_a"].score, found["teller_a"].rank) == (100.0, 1)
    assert any("主动帮助老年客户" in reason["text"] for reason in found["teller_a"].reasons)
    with pytest.raises(ValidationFailed):  # staff of another outlet
        services.star_nominate(actor=outlet.head_a, round=r, staff=outlet.teller_b, reason="别的网点")


def test_the_head_of_branch_approves_and_the_outlet_sees_the_wall(outlet: Any) -> None:
    r = services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH)
    with pytest.raises(Conflict):
        services.star_approve(actor=outlet.supervisor, round=r)  # still a draft
    services.star_submit(actor=outlet.head_a, round=r)
    with pytest.raises(Forbidden):
        services.star_approve(actor=outlet.head_a, round=r)  # the outlet head cannot approve their own
    outsider = outlet.person("sup_x", outlet.t1x, roles.SUPERVISOR)
    with pytest.raises(NotFound):
        services.star_approve(actor=outsider, round=r)
    assert selectors.star_wall(outlet.teller_a, outlet=outlet.outlet_a) == []  # not approved yet
    services.star_approve(actor=outlet.supervisor, round=r)
    wall = selectors.star_wall(outlet.teller_a, outlet=outlet.outlet_a)
    assert [(c.staff.username, c.round.month) for c in wall] == [("teller_c", MONTH)]
    assert wall[0].reasons[0]["kind"] == "satisfaction"
    assert selectors.star_wall(outlet.person("teller_x", outlet.outlet_x, roles.TELLER)) == []


def test_compliments_in_feedback_add_points_up_to_the_policy_limit(outlet: Any) -> None:
    """K5: compliments naming a staff member (the feedback app's facts) add points, capped in number."""
    from fuwu.core.principals import system
    from fuwu.feedback import services as feedback_services
    from fuwu.measures import services as measures_services

    box = system("feedback_box")
    with clock.frozen(dt.datetime(2026, 10, 14, 10, tzinfo=clock.SHANGHAI)):
        for n in range(4):  # four compliments of teller_a; the policy counts at most 3 × 5 points
            feedback_services.feedback_submit(
                actor=box,
                outlet=outlet.outlet_a,
                text=f"李柜员服务很耐心，第{n}次来都很满意",
                client=f"10.9.0.{n}",
                staff=outlet.teller_a,
                compliment=True,
            )
        feedback_services.feedback_submit(  # not a compliment: no points
            actor=box,
            outlet=outlet.outlet_a,
            text="张柜员的窗口排队太久了",
            client="10.9.1.1",
            staff=outlet.teller_c,
        )
    with clock.frozen(dt.datetime(2026, 9, 30, 10, tzinfo=clock.SHANGHAI)):  # last month: not counted
        feedback_services.feedback_submit(
            actor=box,
            outlet=outlet.outlet_a,
            text="服务很好很好很好",
            client="10.9.2.1",
            staff=outlet.teller_c,
            compliment=True,
        )
    # The catalogue's compliments measure reads the rollups: the sweep rebuilds the days written on (only
    # those, so the evaluations rolled up by hand on the 12th stay).
    for day in (dt.date(2026, 9, 30), dt.date(2026, 10, 14)):
        measures_services.rollup_rebuild(actor=SYSTEM, start=day, end=day)
    found = _by_name(services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH))
    # teller_a: 90.0 + 3 × 5 = 105.0, ahead of teller_c's 95.0.
    assert (found["teller_a"].score, found["teller_a"].rank) == (105.0, 1)
    assert (found["teller_c"].score, found["teller_c"].rank) == (95.0, 2)
    reason = next(r for r in found["teller_a"].reasons if r["kind"] == "compliments")
    assert reason["points"] == 15.0 and "4" in reason["text"]


def test_the_rule_is_dated_a_later_rule_leaves_earlier_months_as_they_were(outlet: Any) -> None:
    """K5: compliment points come from the rule in force in the round's month; a rule from November on
    does not touch October."""
    compliments(outlet.outlet_a, outlet.teller_a, 3, dt.date(2026, 10, 14))
    _rule(outlet.hq_manager, dt.date(2026, 10, 1), compliment_points=2.0, max_compliments=2)
    _rule(outlet.hq_manager, dt.date(2026, 11, 1), compliment_points=10.0, max_compliments=5)
    found = _by_name(services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH))
    # 90.0 + min(3, 2) × 2 = 94.0, still behind teller_c's 95.0
    assert (found["teller_a"].score, found["teller_a"].rank) == (94.0, 2)
    reason = next(r for r in found["teller_a"].reasons if r["kind"] == "compliments")
    assert reason["points"] == 4.0 and "4" in reason["text"]
    assert selectors.star_policy(outlet.teller_a, month="2026-11").compliment_points == 10.0
    assert selectors.star_policy(outlet.teller_a, month="2026-09").compliment_points == 5.0  # defaults
    assert [row.policy.month for row in selectors.star_policies(outlet.hq_manager)] == ["2026-11", "2026-10"]


def test_a_rule_is_set_from_the_first_of_a_month_and_never_under_approved_stars(outlet: Any) -> None:
    with pytest.raises(ValidationFailed) as mid_month:
        _rule(outlet.hq_manager, dt.date(2026, 10, 15))
    assert mid_month.value.details[0]["field"] == "effective_from"
    r = services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH)
    services.star_submit(actor=outlet.head_a, round=r)
    services.star_approve(actor=outlet.supervisor, round=r)
    with pytest.raises(ValidationFailed):  # October's stars were chosen under the rule they show
        _rule(outlet.hq_manager, dt.date(2026, 9, 1), compliment_points=9.0)
    _rule(outlet.hq_manager, dt.date(2026, 11, 1), compliment_points=9.0)
    with pytest.raises(Forbidden):
        _rule(outlet.head_a, dt.date(2026, 12, 1))


def test_the_rule_sets_what_an_upheld_complaint_and_a_failed_critical_item_cost(outlet: Any) -> None:
    """An audit row per change, with the whole rule."""
    from fuwu.core.models import AuditEvent

    policy = _rule(
        outlet.hq_manager,
        dt.date(2026, 10, 1),
        upheld_action="deduct",
        deduction=12.5,
        critical_action="deduct",
        critical_deduction=30.0,
    )
    assert not policy.upheld_disqualifies and not policy.critical_disqualifies
    _upheld_against(outlet.teller_c, DAY)
    found = _by_name(services.star_round_open(actor=outlet.head_a, outlet=outlet.outlet_a, month=MONTH))
    assert found["teller_c"].score == 82.5 and not found["teller_c"].disqualified
    entry = AuditEvent.objects.filter(action="appraisal.star_policy_set").latest("at")
    assert entry.data["critical_deduction"] == 30.0 and entry.data["effective_from"] == "2026-10-01"
