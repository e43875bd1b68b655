"""Flexible rosters (弹性排班, W3) with OR-Tools CP-SAT: cover a per-interval requirement at least cost.

A day is `slots` intervals of `slot_minutes` from the opening time. Full-timers work `full_slots` intervals
including a lunch break of `lunch_slots` that starts between `lunch_earliest` and `lunch_latest` intervals
after the shift start; part-timers work one unbroken block of `part_slots`. Each person works at most one
shift a day, at most `max_days` days a week, at most `max_slots` intervals a week, only in a skill they hold,
and has at least `min_rest_hours` between the end of one shift and the start of the next.

Unmet requirement is allowed but priced far above any wage, so the solver covers everything it can and the
remainder comes back as gaps; among full covers it picks the cheapest (part-timers for the peaks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Person:
    key: str
    skills: frozenset[str]
    part_time: bool = False
    max_days: int = 5
    max_slots: int = 80
    cost_per_slot: int = 10
    unavailable_days: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Rules:
    slots: int = 16
    slot_minutes: int = 30
    full_slots: int = 16
    part_slots: int = 8
    lunch_slots: int = 2
    lunch_earliest: int = 5
    lunch_latest: int = 9
    start_slots: tuple[int, ...] | None = None  # allowed starts; None = any that fits the day
    min_rest_hours: float = 11.0
    shortage_cost: int = 10_000


@dataclass(frozen=True)
class Template:
    start: int
    end: int  # exclusive
    lunch: int | None  # first lunch slot

    def covers(self, slot: int, lunch_slots: int) -> bool:
        if not self.start <= slot < self.end:
            return False
        return self.lunch is None or not self.lunch <= slot < self.lunch + lunch_slots


@dataclass(frozen=True)
class Assignment:
    person: str
    day: int
    skill: str
    start: int
    end: int
    lunch: int | None


@dataclass
class RosterResult:
    status: str
    assignments: list[Assignment]
    shortfall: dict[str, NDArray[np.int64]]
    cost: int
    coverage: dict[str, NDArray[np.int64]] = field(default_factory=dict)


def templates(rules: Rules, part_time: bool) -> list[Template]:
    length = rules.part_slots if part_time else rules.full_slots
    length = min(length, rules.slots)
    starts = rules.start_slots if rules.start_slots is not None else range(rules.slots - length + 1)
    out = []
    for s in starts:
        if s < 0 or s + length > rules.slots:
            continue
        if part_time or rules.lunch_slots == 0:
            out.append(Template(s, s + length, None))
            continue
        for offset in range(rules.lunch_earliest, rules.lunch_latest + 1):
            if offset + rules.lunch_slots < length:
                out.append(Template(s, s + length, s + offset))
    return out


def coverage_of(assignments: Sequence[Assignment], days: int, rules: Rules) -> dict[str, NDArray[np.int64]]:
    out: dict[str, NDArray[np.int64]] = {}
    for a in assignments:
        grid = out.setdefault(a.skill, np.zeros((days, rules.slots), dtype=np.int64))
        t = Template(a.start, a.end, a.lunch)
        for slot in range(a.start, a.end):
            if t.covers(slot, rules.lunch_slots):
                grid[a.day, slot] += 1
    return out


def _work(t: Template, lunch_slots: int) -> int:
    return t.end - t.start - (lunch_slots if t.lunch is not None else 0)


def solve(
    requirement: Mapping[str, NDArray[np.int64]],
    people: Sequence[Person],
    rules: Rules,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
) -> RosterResult:
    """Roster `people` over the days × slots `requirement` per skill.

    People with the same skills, contract and limits are interchangeable, so CP-SAT decides how many of each
    such group work each shift template (a small integer model even for a large contact centre); the counts
    are then handed to individuals, fewest days worked first, never breaking rest or weekly limits.
    """
    skills = sorted(requirement)
    days = next(iter(requirement.values())).shape[0] if requirement else 0
    groups: dict[tuple[object, ...], list[Person]] = {}
    for person in people:
        key = (
            tuple(sorted(person.skills & set(skills))),
            person.part_time,
            person.max_days,
            person.max_slots,
            person.cost_per_slot,
            tuple(sorted(person.unavailable_days)),
        )
        if key[0]:
            groups.setdefault(key, []).append(person)
    tpl = {False: templates(rules, False), True: templates(rules, True)}
    slot_hours = rules.slot_minutes / 60.0
    conflict = round((24.0 - rules.min_rest_hours) / slot_hours)  # end_d − start_{d+1} above this breaks rest
    model = cp_model.CpModel()
    y: dict[tuple[int, int, int, str], cp_model.IntVar] = {}
    cover_terms: dict[tuple[str, int, int], list[cp_model.IntVar]] = {}
    cost_terms = []
    members = list(groups.values())
    for g, group in enumerate(members):
        head = group[0]
        own = tpl[head.part_time]
        n = len(group)
        if not own:
            continue
        work = _work(own[0], rules.lunch_slots)
        days_each = min(head.max_days, head.max_slots // work) if work else 0
        usable = [k for k in skills if k in head.skills]
        per_day: list[list[cp_model.IntVar]] = []
        for d in range(days):
            today = []
            if d not in head.unavailable_days:
                for t_idx, t in enumerate(own):
                    for k in usable:
                        var = model.new_int_var(0, n, f"y{g}_{d}_{t_idx}_{k}")
                        y[g, d, t_idx, k] = var
                        today.append(var)
                        cost_terms.append(head.cost_per_slot * work * var)
                        for s in range(t.start, t.end):
                            if t.covers(s, rules.lunch_slots):
                                cover_terms.setdefault((k, d, s), []).append(var)
            model.add(sum(today) <= n)
            per_day.append(today)
        model.add(sum(v for today in per_day for v in today) <= n * days_each)
        # rest: nobody can both end at or after τ on day d and start at or before τ − conflict − 1 on day d+1
        ends = sorted({t.end for t in own})
        for d in range(days - 1):
            for tau in ends:
                late = [
                    y[g, d, i, k]
                    for i, t in enumerate(own)
                    for k in usable
                    if t.end >= tau and (g, d, i, k) in y
                ]
                early = [
                    y[g, d + 1, i, k]
                    for i, t in enumerate(own)
                    for k in usable
                    if t.start <= tau - conflict - 1 and (g, d + 1, i, k) in y
                ]
                if late and early:
                    model.add(sum(late) + sum(early) <= n)
    short_vars: dict[tuple[str, int, int], cp_model.IntVar] = {}
    for k in skills:
        need = requirement[k]
        for d in range(days):
            for s in range(rules.slots):
                want = int(need[d, s])
                if want <= 0:
                    continue
                short = model.new_int_var(0, want, f"short_{k}_{d}_{s}")
                short_vars[k, d, s] = short
                model.add(sum(cover_terms.get((k, d, s), [])) + short >= want)
    model.minimize(sum(cost_terms) + rules.shortage_cost * sum(short_vars.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = max(1, min(8, os.cpu_count() or 1))
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        empty = {k: requirement[k].astype(np.int64).copy() for k in skills}
        return RosterResult(status=name, assignments=[], shortfall=empty, cost=0)
    assignments: list[Assignment] = []
    for g, group in enumerate(members):
        own = tpl[group[0].part_time]
        counts = {(d, i, k): solver.value(v) for (gg, d, i, k), v in y.items() if gg == g and solver.value(v)}
        assignments += _hand_out(group, counts, own, days, rules, conflict)
    assignments.sort(key=lambda a: (a.day, a.start, a.person))
    coverage = coverage_of(assignments, days, rules)
    shortfall = {
        k: np.maximum(
            requirement[k].astype(np.int64) - coverage.get(k, np.zeros((days, rules.slots), np.int64)), 0
        )
        for k in skills
    }
    by_key = {p.key: p for p in people}
    cost = sum(
        by_key[a.person].cost_per_slot * _work(Template(a.start, a.end, a.lunch), rules.lunch_slots)
        for a in assignments
    )
    return RosterResult(
        status=name, assignments=assignments, shortfall=shortfall, cost=cost, coverage=coverage
    )


def _hand_out(
    group: list[Person],
    counts: dict[tuple[int, int, str], int],
    own: list[Template],
    days: int,
    rules: Rules,
    conflict: int,
) -> list[Assignment]:
    """Give each counted shift to a person: fewest days so far first, respecting rest and weekly limits."""
    head = group[0]
    work = _work(own[0], rules.lunch_slots) if own else 0
    days_each = min(head.max_days, head.max_slots // work) if work else 0
    worked = {p.key: 0 for p in group}
    last_end: dict[str, int] = {}  # yesterday's end per person who worked yesterday
    out: list[Assignment] = []
    for d in range(days):
        today = sorted(
            ((i, k, c) for (dd, i, k), c in counts.items() if dd == d), key=lambda e: own[e[0]].start
        )
        busy: set[str] = set()
        ended: dict[str, int] = {}
        for i, k, c in today:
            t = own[i]
            for _ in range(c):
                free = [
                    p
                    for p in group
                    if p.key not in busy
                    and worked[p.key] < days_each
                    and last_end.get(p.key, -conflict) - t.start <= conflict
                ]
                if not free:
                    break  # cannot happen when the model's rest bound is tight; the interval shows as a gap
                # fewest days first; among equals, whoever finished earliest yesterday takes the early shift
                person = min(free, key=lambda p: (worked[p.key], last_end.get(p.key, -1), p.key))
                busy.add(person.key)
                worked[person.key] += 1
                ended[person.key] = t.end
                out.append(Assignment(person.key, d, k, t.start, t.end, t.lunch))
        last_end = ended
    return out
