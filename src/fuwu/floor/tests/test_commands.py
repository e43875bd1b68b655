"""`fuwu outlets` lists what a device installer needs."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


def test_outlets_json_lists_counters_with_the_services_they_serve(world: Any) -> None:
    floor(world.outlet_a, size="county")
    out = StringIO()
    call_command("outlets", "--json", stdout=out)
    rows = {r["code"]: r for r in json.loads(out.getvalue())}
    assert set(rows) == {"OA", "OB", "OX"}
    oa = rows["OA"]
    assert [c["kind"] for c in oa["counters"]] == ["high", "high", "low"]
    assert "WLTH" not in {s["code"] for s in oa["services"]}  # no VIP or wealth counter at a county outlet
    assert oa["counters"][2]["services"] == ["XFER", "OPEN", "CORP", "LOAN"]
    assert rows["OB"]["counters"] == []


def test_outlets_table_names_every_counter(world: Any) -> None:
    floor(world.outlet_a, size="small")
    out = StringIO()
    call_command("outlets", stdout=out)
    assert "OA-W04" in out.getvalue() and "A:CASH" in out.getvalue()


def test_simulate_day_runs_a_day_through_the_services(world: Any, seeded_calendar: Any) -> None:
    from fuwu.floor.models import Ticket

    floor(world.outlet_a, size="small")
    out = StringIO()
    call_command("simulate_day", "--outlet", "OA", "--fast", "--volume", "25", "--seed", "3", stdout=out)
    assert "issued" in out.getvalue()
    assert Ticket.objects.filter(outlet=world.outlet_a, status="finished").exists()
    assert not Ticket.objects.filter(status__in=["waiting", "called", "serving"]).exists()
