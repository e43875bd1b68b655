"""The demo floor: catalogue per outlet and bulk history that reads like real service days."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.demo.bank import DemoBank
from fuwu.floor import demo
from fuwu.floor.models import Counter, Ticket

pytestmark = pytest.mark.django_db


def test_quick_demo_builds_consistent_history_up_to_yesterday(world: Any, seeded_calendar: Any) -> None:
    bank = DemoBank(
        seed=5,
        rng=random.Random(5),
        head_office=world.ho,
        outlets=[world.outlet_a, world.outlet_b],
        outlet_size={"OA": "medium", "OB": "county"},
        staff=[world.teller_a, world.teller_b],
    )
    out = StringIO()
    demo.build(bank, out=out, options={"quick": True})
    assert "/floor/kiosk/#token=fw_" in out.getvalue()
    tickets = Ticket.objects.select_related("service", "counter")
    assert tickets.count() > 50
    assert tickets.filter(business_date__gte=clock.today()).count() == 0
    kinds = dict(Counter.objects.values_list("pk", "kind"))
    for t in tickets:
        assert t.number == f"{t.service.prefix}{t.seq:03d}"
        assert clock.business_date(t.issued_at) == t.business_date
        if t.status == "finished":
            assert t.issued_at <= t.called_at <= t.started_at <= t.finished_at  # type: ignore[operator]
            assert kinds[t.counter_id] in t.service.counter_kind_list
            assert t.staff_id in (world.teller_a.pk, world.teller_b.pk)
    per_day = tickets.values_list("outlet_id", "business_date", "number")
    assert len(set(per_day)) == per_day.count()


@pytest.fixture
def staffed_outlet(world: Any, seeded_calendar: Any, frozen_clock: Any) -> DemoBank:
    """A medium outlet staffed like the demo's: six tellers and two relationship managers."""
    from fuwu.core import roles
    from fuwu.core import services as core_services

    staff = [
        core_services.staff_create(
            actor=SYSTEM, org_unit=world.outlet_a, username=f"t{i}", display_name=f"柜员{i}", roles=[role]
        )
        for i, role in enumerate([roles.TELLER] * 6 + [roles.RM] * 2)
    ]
    return DemoBank(
        seed=11,
        rng=random.Random(11),
        head_office=world.ho,
        outlets=[world.outlet_a],
        outlet_size={"OA": "medium"},
        staff=staff,
    )


def _waits(**filters: Any) -> list[float]:
    rows = Ticket.objects.filter(called_at__isnull=False, **filters).values_list("issued_at", "called_at")
    return [(called - issued).total_seconds() / 60 for issued, called in rows]


def mean(values: list[float]) -> float:
    assert values
    return sum(values) / len(values)


def test_history_waits_read_like_a_real_outlet_with_peaks(staffed_outlet: DemoBank) -> None:
    """Q6 demo realism: several minutes on average, longer at opening, month end and after the Spring
    Festival, VIPs and appointments faster, and fewer windows open than the outlet has."""
    from fuwu.core import calendar
    from fuwu.floor import catalogue

    catalogue.install(actor=SYSTEM, outlet=staffed_outlet.outlets[0], size="medium")
    demo.build_history(staffed_outlet, days=60)  # 2026-01-01 … 03-01, with the Spring Festival
    assert 3 <= mean(_waits()) <= 20
    by_hour: dict[int, list[float]] = {}
    for issued, called in Ticket.objects.filter(called_at__isnull=False).values_list(
        "issued_at", "called_at"
    ):
        hour = issued.astimezone(clock.SHANGHAI).hour
        by_hour.setdefault(hour, []).append((called - issued).total_seconds() / 60)
    opening, afternoon = by_hour[9], by_hour[13] + by_hour[14]
    assert mean(opening) > mean(afternoon)
    busy = [d for d in Ticket.objects.dates("business_date", "day") if demo.history_day_factor(d) >= 1.3]
    ordinary = [d for d in Ticket.objects.dates("business_date", "day") if demo.history_day_factor(d) == 1.0]
    assert busy and ordinary
    assert mean(_waits(business_date__in=busy)) > 1.5 * mean(_waits(business_date__in=ordinary))
    assert mean(_waits(priority_class__lt=3)) < mean(_waits(priority_class=3))
    counters = Counter.objects.filter(outlet=staffed_outlet.outlets[0]).count()
    for day in Ticket.objects.dates("business_date", "day"):
        used = Ticket.objects.filter(business_date=day, counter__isnull=False).values("counter").distinct()
        assert used.count() < counters, day
    # The outlet is closed to nobody: every business day has its customers.
    assert {d for d in Ticket.objects.dates("business_date", "day")} >= {
        d
        for d in (dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(60))
        if calendar.is_business_day(d)
    }


def test_history_is_the_same_for_the_same_seed(staffed_outlet: DemoBank) -> None:
    from fuwu.floor import catalogue

    outlet = staffed_outlet.outlets[0]
    catalogue.install(actor=SYSTEM, outlet=outlet, size="medium")

    def year_sample(seed: int) -> list[tuple[Any, ...]]:
        rng = random.Random(seed)
        plan = demo._OutletPlan.of(outlet, "medium", staffed_outlet.staff, rng)
        return [
            row for d in (dt.date(2026, 1, 30), dt.date(2026, 2, 2)) for row in demo._outlet_day(rng, plan, d)
        ]

    assert year_sample(3) == year_sample(3)
    assert year_sample(3) != year_sample(4)
