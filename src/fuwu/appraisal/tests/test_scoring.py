"""Scoring rules on hand-computed cases: points, renormalisation, dated weights, ties, the weight cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuwu.appraisal import scoring, selectors, services
from fuwu.appraisal.scoring import Spec, WeightStep
from fuwu.appraisal.tests.factories import card, satisfaction_day
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM

SPECS = [
    Spec("satisfaction", "target", 40, True, target=90),
    Spec("avg_wait", "target", 30, False, target=10),
    Spec("complaints_per_10k", "progress", 30, False, target=2, baseline=5),
]


def test_target_and_progress_points_add_up_by_weight() -> None:
    # 81/90 → 90 points; 10/12.5 → 80; (3.5 − 5)/(2 − 5) → 50: 0.4·90 + 0.3·80 + 0.3·50 = 75.
    result = scoring.score_all(
        SPECS, {"a": {"satisfaction": 81, "avg_wait": 12.5, "complaints_per_10k": 3.5}}
    )["a"]
    assert [round(line.points or 0, 6) for line in result.lines] == [90, 80, 50]
    assert result.total == 75.0
    assert not result.renormalised


def test_a_measure_without_data_drops_out_and_the_rest_renormalise() -> None:
    results = scoring.score_all(
        SPECS,
        {
            "b": {"satisfaction": None, "avg_wait": 8, "complaints_per_10k": 2},
            "c": {"satisfaction": 95, "avg_wait": 20, "complaints_per_10k": None},
        },
    )
    b, c = results["b"], results["c"]
    assert b.total == 100.0 and b.renormalised
    assert [line.effective_weight for line in b.lines] == [0.0, 50.0, 50.0]
    assert b.lines[0].dropped
    # Without a cap: 100 · 40/70 + 50 · 30/70 = 78.571…
    assert c.total == 78.57
    assert [round(line.effective_weight, 3) for line in c.lines] == [57.143, 42.857, 0.0]


CAPPED = [
    Spec("satisfaction", "target", 40, True, target=90, capped=True),
    Spec("avg_wait", "target", 30, False, target=10),
    Spec("complaints_per_10k", "progress", 30, False, target=2, baseline=5),
]


def test_the_cap_holds_on_effective_weights_after_a_measure_drops_out() -> None:
    """K4 (seed 002 ≤ 40 %): renormalising would give satisfaction 57 %; the cap holds it at 40 %."""
    c = scoring.score_all(
        CAPPED, {"c": {"satisfaction": 95, "avg_wait": 20, "complaints_per_10k": None}}, cap=40
    )["c"]
    # 100 · 40 % + 50 · 60 % = 70 (not 78.57 as with the cap on nominal weights only).
    assert [round(line.effective_weight, 3) for line in c.lines] == [40.0, 60.0, 0.0]
    assert c.total == 70.0 and c.capped and c.renormalised
    # All data present: nominal weights stand, nothing capped.
    full = scoring.score_all(
        CAPPED, {"f": {"satisfaction": 81, "avg_wait": 12.5, "complaints_per_10k": 3.5}}, cap=40
    )["f"]
    assert full.total == 75.0 and not full.capped


def test_satisfaction_alone_cannot_make_up_a_whole_score_under_the_cap() -> None:
    only = scoring.score_all(CAPPED, {"s": {"satisfaction": 95}}, cap=40)["s"]
    assert only.total is None and only.cap_blocked
    assert scoring.score_all(CAPPED, {"s": {"satisfaction": 95}})["s"].total == 100.0
    # A satisfaction-only card gives it the whole score by its own weights: scored as configured.
    alone = [Spec("satisfaction", "target", 40, True, target=90, capped=True)]
    assert scoring.score_all(alone, {"s": {"satisfaction": 90}}, cap=40)["s"].total == 100.0


weights = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(
    lines=st.lists(st.tuples(weights, st.booleans(), st.booleans()), min_size=1, max_size=8),
    cap=st.floats(min_value=1, max_value=100, allow_nan=False),
)
def test_effective_weights_never_put_satisfaction_above_the_cap(
    lines: list[tuple[float, bool, bool]], cap: float
) -> None:
    """K4 property: whatever drops out, the capped lines' effective weights sum to at most the cap, all
    effective weights sum to 100, and a line's weight never changes sign or goes to a dropped line."""
    specs = [
        Spec(f"m{i}", "target", w, True, target=100.0, capped=c) for i, (w, c, _present) in enumerate(lines)
    ]
    values = {"x": {f"m{i}": 50.0 if present else None for i, (_w, _c, present) in enumerate(lines)}}
    result = scoring.score_all(specs, values, cap=cap)["x"]
    scored = [line for line in result.lines if line.points is not None]
    if result.total is None:
        assert not scored or result.cap_blocked or sum(line.weight for line in scored) == 0
        return
    assert sum(line.effective_weight for line in scored) == pytest.approx(100.0)
    full = sum(w for w, _c, _p in lines)
    own_share = sum(w for w, c, _p in lines if c) / full * 100
    assert sum(line.effective_weight for line in scored if line.capped) <= max(cap, own_share) + 1e-6
    assert all(line.effective_weight == 0.0 for line in result.lines if line.points is None)
    assert all(line.effective_weight >= 0.0 for line in result.lines)
    assert result.total == pytest.approx(50.0, abs=0.01)


def test_nothing_to_score_is_no_score_not_zero() -> None:
    assert scoring.score_all(SPECS, {"x": {}})["x"].total is None


def test_rank_rule_shares_ranks_on_ties_and_spreads_points() -> None:
    higher = scoring.points_rank({"a": 90.0, "b": 85.0, "c": 90.0, "d": None}, True)
    assert higher == {"a": 100.0, "b": 0.0, "c": 100.0, "d": None}
    lower = scoring.points_rank({"a": 5.0, "b": 6.0, "c": 7.0, "d": 8.0}, False)
    assert {k: round(v or 0, 2) for k, v in lower.items()} == {"a": 100.0, "b": 66.67, "c": 33.33, "d": 0.0}
    assert scoring.points_rank({"only": 3.0}, True) == {"only": 100.0}


def test_competition_ranks_skip_after_a_tie() -> None:
    assert scoring.competition_ranks({"a": 80.0, "b": 90.0, "c": 80.0, "d": 70.0, "e": None}, True) == {
        "a": 2,
        "b": 1,
        "c": 2,
        "d": 4,
        "e": None,
    }
    assert scoring.movement(2, 5) == 3 and scoring.movement(4, 1) == -3 and scoring.movement(1, None) is None


def test_the_dated_weight_schedule_rises_by_half_year() -> None:
    schedule = [
        WeightStep(dt.date(2026, 1, 1), 20),
        WeightStep(dt.date(2026, 7, 1), 30),
        WeightStep(dt.date(2027, 1, 1), 40),
    ]
    assert scoring.weight_on(schedule, dt.date(2025, 12, 31)) == 0
    assert scoring.weight_on(schedule, dt.date(2026, 4, 1)) == 20
    assert scoring.weight_on(schedule, dt.date(2026, 7, 1)) == 30
    assert scoring.weight_on(schedule, dt.date(2026, 12, 31)) == 30
    assert scoring.weight_on(schedule, dt.date(2027, 1, 1)) == 40


def test_target_points_never_exceed_100_or_go_below_0() -> None:
    assert scoring.points_target(120, 90, True) == 100
    assert scoring.points_target(0, 10, False) == 100
    assert scoring.points_progress(1, 5, 2) == 100
    assert scoring.points_progress(9, 5, 2) == 0


@pytest.mark.django_db
def test_scores_use_the_weight_in_force_in_each_quarter(world: Any) -> None:
    # Satisfaction 20% in H1 and 40% from H2; evaluation rate carries the rest (80 / 60).
    sc = card(
        "outlet",
        [
            ("satisfaction", "target", 90.0, None, {"2026-01-01": 20, "2026-07-01": 40}),
            ("evaluation_rate", "target", 100.0, None, {"2026-01-01": 80, "2026-07-01": 60}),
        ],
    )
    for day in (dt.date(2026, 2, 3), dt.date(2026, 8, 3)):
        # Outlet A: 45 of 50 evaluations satisfied (90% → 100 points); 50 of 100 finished tickets evaluated.
        satisfaction_day(world.outlet_a, day, 50, 45, finished=100)
    q1 = selectors.ranking(SYSTEM, scorecard=sc, period_label="2026-Q1", within=world.t2)
    q3 = selectors.ranking(SYSTEM, scorecard=sc, period_label="2026-Q3", within=world.t2)
    a1 = next(r for r in q1.rows if r.unit == world.outlet_a)
    a3 = next(r for r in q3.rows if r.unit == world.outlet_a)
    # Evaluation rate 50% → 50 points. Q1: 0.2·100 + 0.8·50 = 60. Q3: 0.4·100 + 0.6·50 = 70.
    assert a1.total == 60.0
    assert a3.total == 70.0
    # Outlet B has no data at all: no score, unranked, listed last.
    b3 = next(r for r in q3.rows if r.unit == world.outlet_b)
    assert b3.total is None and b3.rank is None and q3.rows[-1] is b3


@pytest.mark.django_db
def test_equal_scores_share_a_rank_and_movement_is_against_last_quarter(world: Any) -> None:
    sc = card("outlet", [("satisfaction", "target", 100.0, None, {"2026-01-01": 40})])
    satisfaction_day(world.outlet_a, dt.date(2026, 5, 5), 10, 9)  # Q2: A 90, B 80
    satisfaction_day(world.outlet_b, dt.date(2026, 5, 5), 10, 8)
    satisfaction_day(world.outlet_a, dt.date(2026, 8, 5), 10, 8)  # Q3: tie at 80
    satisfaction_day(world.outlet_b, dt.date(2026, 8, 5), 20, 16)
    q3 = selectors.ranking(SYSTEM, scorecard=sc, period_label="2026-Q3", within=world.t2)
    ranks = {r.unit.code: (r.rank, r.previous_rank, r.movement, r.total) for r in q3.rows}
    assert ranks == {"OA": (1, 1, 0, 80.0), "OB": (1, 2, 1, 80.0)}
    line = q3.rows[0].lines[0]
    assert line.href.startswith("/measures/?") and "measure=satisfaction" in line.href
    assert "÷" in line.source and line.measure.name_zh == "满意率"


@pytest.mark.django_db
def test_satisfaction_can_never_weigh_more_than_the_cap(world: Any) -> None:
    sc = card("tier1", [("satisfaction", "target", 90.0, None, {"2027-01-01": 40})])
    item = sc.items.get()
    with pytest.raises(ValidationFailed):
        services.scorecard_weight_set(actor=SYSTEM, item=item, effective_from=dt.date(2027, 7, 1), weight=45)
    broad = services.scorecard_item_add(
        actor=SYSTEM, scorecard=sc, measure="satisfaction_broad", rule="target", target=95.0
    )
    # 40 + 5 from 2027 exceeds the cap of 40 together.
    with pytest.raises(ValidationFailed):
        services.scorecard_weight_set(actor=SYSTEM, item=broad, effective_from=dt.date(2026, 1, 1), weight=5)
    # Before 2027 there is room: 5% in 2026 (satisfaction weighs 0 then) is fine.
    services.scorecard_item_remove(actor=SYSTEM, item=item)
    services.scorecard_weight_set(actor=SYSTEM, item=broad, effective_from=dt.date(2026, 1, 1), weight=5)


@pytest.mark.django_db
def test_staff_scores_rank_among_all_tellers_but_a_teller_sees_only_their_own(world: Any) -> None:
    from fuwu.appraisal.tests.factories import rollup
    from fuwu.core import roles

    other = world.person("teller_c", world.outlet_a, roles.TELLER)
    sc = card("staff", [("satisfaction", "rank", None, None, {"2026-01-01": 40})], staff_role=roles.TELLER)
    day = dt.date(2026, 8, 4)
    rollup(world.outlet_a, day, cut="staff", key=str(world.teller_a.pk), evaluated=10, satisfied=9)
    rollup(world.outlet_a, day, cut="staff", key=str(other.pk), evaluated=10, satisfied=7)
    head = selectors.ranking(world.head_a, scorecard=sc, period_label="2026-Q3", within=world.outlet_a)
    assert [(r.staff.username, r.rank, r.total) for r in head.rows if r.staff] == [
        ("teller_a", 1, 100.0),
        ("teller_c", 2, 0.0),
    ]
    own = selectors.ranking(other, scorecard=sc, period_label="2026-Q3", within=world.outlet_a)
    assert [(r.key, r.rank) for r in own.rows] == [(other.pk, 2)]
    assert (
        own.rows[0].lines[0].href.startswith("/measures/?")
        and f"staff={other.pk}" in own.rows[0].lines[0].href
    )


@pytest.mark.django_db
def test_rank_rule_compares_a_unit_with_its_peers_bank_wide_whoever_looks(world: Any) -> None:
    """K4: an outlet's rank points and its place at its level are the same for the tier-2 head and head
    office; the tier-2 head sees only their outlets' rows, not the other branch's outlet."""
    from fuwu.core import roles

    sc = card("outlet", [("satisfaction", "rank", None, None, {"2026-01-01": 40})])
    day = dt.date(2026, 8, 5)
    satisfaction_day(world.outlet_a, day, 10, 9)  # 90 %
    satisfaction_day(world.outlet_b, day, 10, 8)  # 80 %
    satisfaction_day(world.outlet_x, day, 10, 10)  # 100 %, in the other tier-1 branch
    head = world.person("sup_t2", world.t2, roles.SUPERVISOR)
    mine = selectors.ranking(head, scorecard=sc, period_label="2026-Q3", within=world.t2)
    seen = {r.code: (r.rank, r.total, r.level_rank, r.level_count) for r in mine.rows}
    # OA is 2nd of 3 bank-wide: 100 · (3 − 2) ÷ (3 − 1) = 50 points; OB last: 0; first among the two listed.
    assert seen == {"OA": (1, 50.0, 2, 3), "OB": (2, 0.0, 3, 3)}
    bank = selectors.ranking(world.hq_manager, scorecard=sc, period_label="2026-Q3")
    assert {r.code: r.total for r in bank.rows} == {"OA": 50.0, "OB": 0.0, "OX": 100.0}
    # The page shows the tier-2 head their place bank-wide, never the other branch's outlet.
    from django.test import Client

    browser = Client()
    browser.force_login(head)
    page = browser.get(f"/appraisal/?card={sc.pk}&period=2026-Q3").content.decode()
    assert "全行同级排名" in page and "2 / 3" in page and "3 / 3" in page
    assert "OX" not in page and "观前街" not in page
