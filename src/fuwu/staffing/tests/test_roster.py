from __future__ import annotations

import numpy as np

from fuwu.staffing import roster
from fuwu.staffing.roster import Person, Rules

RULES = Rules(slots=16, full_slots=16, part_slots=8, lunch_slots=2, lunch_earliest=6, lunch_latest=8)


def peak_requirement(days: int = 5) -> np.ndarray:
    base = np.full((days, 16), 2, dtype=np.int64)
    base[:, 2:6] = 4  # the morning peak 10:00–12:00
    return base


def assert_rules_hold(result: roster.RosterResult, people: list[Person], rules: Rules) -> None:
    by_key = {p.key: p for p in people}
    per_person: dict[str, list[roster.Assignment]] = {}
    for a in result.assignments:
        person = by_key[a.person]
        per_person.setdefault(a.person, []).append(a)
        assert a.skill in person.skills
        assert a.day not in person.unavailable_days
        length = a.end - a.start
        if person.part_time:
            assert length == rules.part_slots and a.lunch is None
        else:
            assert length == rules.full_slots and a.lunch is not None
            assert rules.lunch_earliest <= a.lunch - a.start <= rules.lunch_latest
    for key, shifts in per_person.items():
        days = [a.day for a in shifts]
        assert len(days) == len(set(days)), "one shift a day"
        assert len(days) <= by_key[key].max_days
        worked = sum(a.end - a.start - (rules.lunch_slots if a.lunch is not None else 0) for a in shifts)
        assert worked <= by_key[key].max_slots
        by_day = {a.day: a for a in shifts}
        for day, a in by_day.items():
            following = by_day.get(day + 1)
            if following is not None:
                rest_hours = 24 - (a.end - following.start) * rules.slot_minutes / 60
                assert rest_hours >= rules.min_rest_hours


def test_roster_covers_the_requirement_and_respects_every_rule() -> None:
    people = [Person(f"ft{i}", frozenset({"teller"}), max_days=5) for i in range(4)]
    people += [
        Person(f"pt{i}", frozenset({"teller"}), part_time=True, max_days=5, max_slots=24, cost_per_slot=8)
        for i in range(3)
    ]
    need = {"teller": peak_requirement()}
    result = roster.solve(need, people, RULES, time_limit=10)
    assert result.status in {"OPTIMAL", "FEASIBLE"}
    assert result.shortfall["teller"].sum() == 0
    assert (result.coverage["teller"] >= need["teller"]).all()
    assert_rules_hold(result, people, RULES)
    # peak reinforcement: part-timers are used, and only where they help (at least one covers the peak)
    part = [a for a in result.assignments if a.person.startswith("pt")]
    assert part and any(a.start <= 2 and a.end >= 6 for a in part)


def test_not_enough_staff_leaves_gaps_instead_of_failing() -> None:
    people = [Person("only", frozenset({"teller"}))]
    need = {"teller": peak_requirement(days=2)}
    result = roster.solve(need, people, RULES, time_limit=5)
    assert result.status in {"OPTIMAL", "FEASIBLE"}
    gaps = result.shortfall["teller"]
    assert gaps.sum() == need["teller"].sum() - result.coverage["teller"].sum()
    assert gaps.sum() > 0


def test_skills_decide_who_can_cover_which_line() -> None:
    people = [Person("hot", frozenset({"95599"})), Person("card", frozenset({"credit_card"}))]
    need = {"95599": np.ones((1, 16), dtype=np.int64), "credit_card": np.zeros((1, 16), dtype=np.int64)}
    need["credit_card"][0, 4] = 1
    result = roster.solve(need, people, RULES, time_limit=5)
    assert {(a.person, a.skill) for a in result.assignments} <= {("hot", "95599"), ("card", "credit_card")}
    assert result.shortfall["credit_card"].sum() == 0


def test_rest_between_days_is_enforced() -> None:
    # 24 slots of one hour from 06:00 → a late shift ending at 06:00 next day cannot precede an early start.
    rules = Rules(
        slots=24,
        slot_minutes=60,
        full_slots=8,
        part_slots=4,
        lunch_slots=1,
        lunch_earliest=3,
        lunch_latest=4,
        min_rest_hours=11,
    )
    need = np.zeros((2, 24), dtype=np.int64)
    need[0, 20:24] = 1  # late evening on day 0
    need[1, 0:4] = 1  # early morning on day 1
    people = [Person("a", frozenset({"95599"})), Person("b", frozenset({"95599"}))]
    result = roster.solve({"95599": need}, people, rules, time_limit=5)
    assert result.shortfall["95599"].sum() == 0
    late = {a.person for a in result.assignments if a.day == 0}
    early = {a.person for a in result.assignments if a.day == 1}
    assert late.isdisjoint(early)


def test_cost_is_minimal_on_a_tiny_instance() -> None:
    # one interval per day needs one person; the cheapest person works it.
    need = np.zeros((1, 16), dtype=np.int64)
    need[0, 3] = 1
    people = [
        Person("dear", frozenset({"t"}), part_time=True, cost_per_slot=20),
        Person("cheap", frozenset({"t"}), part_time=True, cost_per_slot=5),
    ]
    result = roster.solve({"t": need}, people, RULES, time_limit=5)
    assert [a.person for a in result.assignments] == ["cheap"]
    assert result.cost == 5 * RULES.part_slots


def test_a_contact_centre_week_is_rostered_to_optimality_with_rest_rules() -> None:
    # 08:00–22:00 in half-hours, hourly starts: late shifts end at 22:00, so an 08:00 start the next morning
    # would leave only 10 hours of rest.
    rules = Rules(
        slots=28,
        full_slots=16,
        part_slots=8,
        lunch_slots=2,
        lunch_earliest=5,
        lunch_latest=9,
        start_slots=tuple(range(0, 13, 2)),
    )
    day = np.array(
        [3, 5, 8, 10, 12, 13, 13, 12, 11, 9, 8, 9, 10, 11, 11, 10, 9, 8, 7, 6, 5, 5, 5, 4, 4, 3, 3, 2]
    )
    need = {"95599": np.tile(day, (7, 1))}
    people = [
        Person(
            f"a{i:02d}",
            frozenset({"95599"}),
            part_time=i % 5 == 4,
            max_slots=48 if i % 5 == 4 else 80,
            cost_per_slot=35 if i % 5 == 4 else 45,
        )
        for i in range(40)
    ]
    result = roster.solve(need, people, rules, time_limit=20)
    assert result.status == "OPTIMAL"
    assert result.shortfall["95599"].sum() == 0
    assert_rules_hold(result, people, rules)
    late = {a.person for a in result.assignments if a.day == 0 and a.end == 28}
    early = {a.person for a in result.assignments if a.day == 1 and a.start == 0}
    assert late.isdisjoint(early)
