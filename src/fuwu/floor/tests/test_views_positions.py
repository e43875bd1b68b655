"""Floor pages render for their roles and stay inside the outlet; lobby positions and their computed fallback (Q9)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock, roles
from fuwu.core import services as core_services
from fuwu.core.errors import Forbidden, ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.floor import selectors, services
from fuwu.floor.models import PositionAssignment
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def lobby_staff(world: Any, frozen_clock: Any) -> dict[str, Any]:
    floor(world.outlet_a, size="small")
    people = {}
    for code in ("l1", "l2", "l3", "l4", "l7"):
        people[code] = core_services.staff_create(
            actor=SYSTEM,
            org_unit=world.outlet_a,
            username=code,
            display_name=code.upper(),
            roles=[roles.LOBBY],
            password="x-pass-12345",
            staff_code=code.upper(),
        )
    return people


def assign(world: Any, position: int, user: Any) -> None:
    services.position_assign(
        actor=world.head_a, outlet=world.outlet_a, date=clock.today(), position=position, staff=user
    )


def cover(world: Any) -> dict[int, tuple[str | None, int | None]]:
    rows = selectors.positions(fetched_by=world.head_a, outlet=world.outlet_a, day=clock.today())
    return {r.position: (r.covered_by.username if r.covered_by else None, r.cover_from) for r in rows[:2]}


def test_vacant_one_and_two_are_covered_by_three_four_seven_in_order(world: Any, lobby_staff: Any) -> None:
    assign(world, 4, lobby_staff["l4"])
    assign(world, 7, lobby_staff["l7"])
    assert cover(world) == {1: ("l4", 4), 2: ("l7", 7)}
    assign(world, 3, lobby_staff["l3"])
    assert cover(world) == {1: ("l3", 3), 2: ("l4", 4)}
    assign(world, 1, lobby_staff["l1"])
    assert cover(world) == {1: (None, None), 2: ("l3", 3)}


def test_outlet_head_covers_when_three_four_seven_are_empty(world: Any, lobby_staff: Any) -> None:
    assert cover(world) == {1: ("head_a", None), 2: ("head_a", None)}
    assign(world, 7, lobby_staff["l7"])
    assert cover(world) == {1: ("l7", 7), 2: ("head_a", None)}


def test_positions_can_be_cleared_and_only_outlet_staff_hold_them(world: Any, lobby_staff: Any) -> None:
    assign(world, 2, lobby_staff["l2"])
    assign(world, 2, None)
    assert not PositionAssignment.objects.exists()
    with pytest.raises(ValidationFailed):
        assign(world, 2, world.teller_b)
    with pytest.raises(ValidationFailed):
        assign(world, 8, lobby_staff["l2"])
    with pytest.raises(Forbidden):
        services.position_assign(
            actor=world.teller_a,
            outlet=world.outlet_a,
            date=clock.today(),
            position=1,
            staff=lobby_staff["l1"],
        )


def test_lobby_page_shows_positions_and_assigns_through_htmx(
    client: Client, world: Any, lobby_staff: Any
) -> None:
    client.force_login(world.head_a)
    page = client.get("/floor/lobby/")
    assert page.status_code == 200 and "positions" in page.content.decode()
    res = client.post(
        "/floor/lobby/positions/",
        {"outlet": "OA", "position": "1", "staff": lobby_staff["l1"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 200 and "L1" in res.content.decode()
    assert PositionAssignment.objects.get(position=1).staff == lobby_staff["l1"]


def test_counter_console_renders_for_a_teller(client: Client, world: Any, lobby_staff: Any) -> None:
    client.force_login(world.teller_a)
    page = client.get("/floor/counter/")
    assert page.status_code == 200
    assert 'data-counter="OA-W01"' in page.content.decode()


def test_pages_of_another_outlet_are_404(client: Client, world: Any, lobby_staff: Any) -> None:
    client.force_login(world.teller_b)
    assert client.get("/floor/counter/?outlet=OA").status_code == 404
    # A teller has no lobby console at all (403, the menu's rule, #19); lobby staff of outlet B get 404 for A.
    assert client.get("/floor/lobby/?outlet=OA").status_code == 403
    client.force_login(world.person("lobby_b", world.outlet_b, roles.LOBBY))
    assert client.get("/floor/lobby/?outlet=OA").status_code == 404
    res = client.post(
        "/floor/lobby/positions/", {"outlet": "OA", "position": "1", "staff": lobby_staff["l1"].pk}
    )
    assert res.status_code == 404
    assert not PositionAssignment.objects.exists()


def test_device_screens_load_without_a_session(client: Client, world: Any) -> None:
    assert client.get("/floor/kiosk/").status_code == 200
    assert client.get("/floor/display/").status_code == 200
