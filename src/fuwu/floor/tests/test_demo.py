"""The demo floor: catalogue per outlet and bulk history that reads like real service days."""

from __future__ import annotations

import random
from io import StringIO
from typing import Any

import pytest

from fuwu.core import clock
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
