"""Demo staffing: call records for 95599 and the credit-card line, plans and next-week rosters (W1–W5).

Calls are not drawn independently: each day is run through the simulator with the agents a slightly
imperfect plan would have had, so answer rate, 20 s service level and abandonment behave like a real line.
Branch plans use the floor's ticket history of the two busiest outlets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db.models import Count

from fuwu.core import clock, roles, rollups
from fuwu.core import services as core_services
from fuwu.core.errors import Conflict
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM
from fuwu.customers.models import Customer
from fuwu.demo.names import chinese_name
from fuwu.floor.models import Ticket
from fuwu.staffing import erlang, services, simulate
from fuwu.staffing.models import CallRecord, Channel

CENTRE_CODE = "HO-CC"
LINES = {  # line: (calls a weekday, handle time s, mean patience s, agents)
    "95599": (1500, 240.0, 90.0, 40),
    "credit_card": (600, 300.0, 120.0, 18),
}


def _profile(slots: int) -> np.ndarray:
    """Share of a day's calls per 30 minutes from 08:00: morning and early-afternoon peaks, a quiet evening."""
    x = np.arange(slots) + 0.5
    shape = (
        0.25
        + 1.4 * np.exp(-((x - 5) ** 2) / 8)
        + 1.1 * np.exp(-((x - 13) ** 2) / 10)
        + 0.3 * np.exp(-((x - 22) ** 2) / 12)
    )
    return np.asarray(shape / shape.sum(), dtype=np.float64)


IDENTIFIED = 0.6  # share of calls whose caller the IVR matched to a customer


def _centre(bank: Any) -> OrgUnit:
    existing: OrgUnit | None = OrgUnit.objects.filter(code=CENTRE_CODE).first()
    if existing is not None:
        return existing
    created: OrgUnit = core_services.org_unit_create(
        actor=SYSTEM, parent=bank.head_office, code=CENTRE_CODE, name="客服中心", kind=OrgUnit.Kind.DEPARTMENT
    )
    return created


def _calls(centre: OrgUnit, rng: np.random.Generator, weeks: int) -> int:
    today = clock.today()
    now = clock.now()
    first = today - dt.timedelta(days=7 * weeks)
    targets = services.DEFAULT_TARGETS
    rows: list[CallRecord] = []
    # Most callers are identified (card or phone at the IVR): their calls join their customer 360 timeline.
    callers = list(Customer.objects.values_list("pk", flat=True))
    for line, (daily, aht, patience, _agents) in LINES.items():
        plan = targets[line]
        shape = _profile(plan.slots)
        # up to and including today: today's calls so far make the centre page's intraday chart
        for offset in range(7 * weeks + 1):
            day = first + dt.timedelta(days=offset)
            level = (1.15, 1.0, 0.95, 0.95, 1.05, 0.6, 0.5)[day.weekday()] * (1.3 if day.day >= 28 else 1.0)
            expected = daily * level * shape
            traffic = expected * aht / 1800.0
            needed = erlang.required_agents_a(
                traffic, aht, patience, answer_rate=0.9, target_time=20.0, target_level=0.6
            )
            # a real day is never staffed exactly to plan
            staffed = np.maximum(1, np.round(needed * rng.uniform(0.85, 1.08, needed.shape))).astype(int)
            windows = [[(s * 1800.0, (s + 1) * 1800.0)] for s in range(plan.slots) for _ in range(staffed[s])]
            cls = [simulate.CustomerClass(line, mean_service=aht, service_cv=0.8, mean_patience=patience)]
            arrival, service, patience_draw, _priority = simulate.draw(rng, expected, 1800.0, cls)
            start, unserved = simulate.fcfs(arrival, service, patience_draw, windows)
            base = dt.datetime.combine(day, plan.day_start, tzinfo=clock.SHANGHAI)
            for i in range(len(arrival)):
                offered = base + dt.timedelta(seconds=float(arrival[i]))
                if unserved[i]:
                    gave_up = float(min(patience_draw[i], plan.slots * 1800.0 - arrival[i]))
                    answered = ended = None
                    abandoned: dt.datetime | None = offered + dt.timedelta(seconds=gave_up)
                else:
                    answered = base + dt.timedelta(seconds=float(start[i]))
                    ended = answered + dt.timedelta(seconds=float(service[i]))
                    abandoned = None
                if (ended or abandoned or offered) > now:
                    continue  # not over yet on the real clock: the demo never records the future
                rows.append(
                    CallRecord(
                        centre=centre,
                        call_id=f"{line}-{day:%Y%m%d}-{i:05d}",
                        line=line,
                        offered_at=offered,
                        answered_at=answered,
                        ended_at=ended,
                        abandoned_at=abandoned,
                        agent=""
                        if answered is None
                        else f"{'H' if line == '95599' else 'K'}{rng.integers(1, 60):03d}",
                        customer_id=callers[int(rng.integers(len(callers)))]
                        if callers and rng.random() < IDENTIFIED
                        else None,
                    )
                )
    CallRecord.objects.filter(centre=centre, offered_at__date__gte=first).delete()
    CallRecord.objects.bulk_create(rows, batch_size=5000)
    # The call measures (K1) read rollups: build the centre's days now, as the measures demo step ran before.
    rollups.rebuild(actor=SYSTEM, start=first, end=today, units=[centre])
    return len(rows)


def _agents(bank: Any, centre: OrgUnit) -> None:
    if User.objects.filter(org_unit=centre).exists():
        return
    users = []
    number = 1
    for line, (_daily, _aht, _patience, count) in LINES.items():
        for _ in range(count):
            users.append(
                (
                    User(
                        username=f"agent{number:03d}",
                        display_name=chinese_name(bank.rng, bank.rng.choice("MF")),
                        staff_code=f"CC{number:04d}",
                        org_unit=centre,
                    ),
                    line,
                )
            )
            number += 1
    created = User.objects.bulk_create([u for u, _ in users])
    for user, (_, line) in zip(created, users, strict=True):
        part_time = bank.rng.random() < 0.2
        services.staff_profile_set(
            actor=SYSTEM,
            user=user,
            unit=centre,
            skills=[line],
            part_time=part_time,
            max_days=5,
            max_hours=24 if part_time else 40,
            hourly_cost=70 if part_time else 90,
        )


def _tellers(outlet: OrgUnit, rng: Any) -> None:
    tellers = User.objects.filter(org_unit=outlet, groups__name__in=[roles.TELLER, roles.RM]).distinct()
    for i, user in enumerate(tellers):
        part_time = i % 4 == 3
        services.staff_profile_set(
            actor=SYSTEM,
            user=user,
            unit=outlet,
            skills=[Channel.BRANCH],
            part_time=part_time,
            max_days=5,
            max_hours=24 if part_time else 40,
            hourly_cost=60 if part_time else 80,
        )


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    quick = bool(options.get("quick"))
    rng = np.random.default_rng(bank.seed)
    centre = _centre(bank)
    calls = _calls(centre, rng, weeks=2 if quick else 10)
    out.write(f"staffing: {calls} call records for 95599 and the credit-card line at {centre.name}\n")
    _agents(bank, centre)
    today = clock.today()
    this_week = today - dt.timedelta(days=today.weekday())
    limit = 3.0 if quick else 10.0
    for line in LINES:
        # This week's plan is the one in force (published, so the centre page compares today's calls with
        # it); next week's is a draft for the supervisor to review.
        _plan(centre, line, this_week, limit, out, publish=True, history_days=7 * 10)
        _plan(centre, line, this_week + dt.timedelta(days=7), limit, out, publish=False, history_days=7 * 10)
    busiest = (
        Ticket.objects.filter(issued_at__gte=clock.now() - dt.timedelta(days=365))
        .values("outlet")
        .annotate(n=Count("id"))
        .order_by("-n")[:2]
    )
    outlets = list(OrgUnit.objects.filter(pk__in=[row["outlet"] for row in busiest]))
    if not outlets:
        out.write("staffing: no ticket history yet, so no branch plans\n")
    for outlet in outlets:
        _tellers(outlet, bank.rng)
        _plan(outlet, Channel.BRANCH, this_week, limit, out, publish=True)
        _plan(outlet, Channel.BRANCH, this_week + dt.timedelta(days=7), limit, out, publish=False)


def _plan(
    unit: OrgUnit,
    channel: str,
    week: dt.date,
    limit: float,
    out: Any,
    *,
    publish: bool,
    history_days: int = 364,
) -> None:
    plan = services.staffing_plan_build(
        actor=SYSTEM,
        unit=unit,
        channel=channel,
        week_start=week,
        targets=services.DEFAULT_TARGETS[channel],
        history_days=history_days,
    )
    result = services.staffing_plan_roster(actor=SYSTEM, plan=plan, time_limit=limit)
    note = ""
    if publish:
        try:
            services.staffing_plan_publish(actor=SYSTEM, plan=plan)
            note = ", published (simulation meets the target)"
        except Conflict as exc:
            if exc.code != "below_target":
                raise
            # Say so, as the page would: the demo publishes it anyway, like a manager short of staff.
            services.staffing_plan_publish(actor=SYSTEM, plan=plan, accept_shortfall=True)
            note = f", published although {len(exc.details['days'])} day(s) miss the service level target"
    out.write(
        f"staffing: {unit.name} {channel} plan for week {week} ({plan.model_name}), roster {result.status}, "
        f"{len(result.assignments)} shifts{note}\n"
    )
