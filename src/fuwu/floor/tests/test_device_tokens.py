"""A device token is bound to a counter that exists at its own outlet (#18)."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.core import services
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.floor.models import Counter


@pytest.fixture
def counters(world: Any) -> None:
    Counter.objects.create(outlet=world.outlet_a, code="OA-1", number=1, kind="cash")
    Counter.objects.create(outlet=world.outlet_b, code="OB-1", number=1, kind="cash")


def test_a_counter_terminal_token_names_a_counter_of_its_own_outlet(world: Any, counters: None) -> None:
    token, _raw = services.device_token_issue(
        actor=world.head_a, org_unit=world.outlet_a, kind="counter", counter_code="OA-1"
    )
    assert token.counter_code == "OA-1"
    with pytest.raises(ValidationFailed) as other_outlet:
        services.device_token_issue(
            actor=world.head_a, org_unit=world.outlet_a, kind="counter", counter_code="OB-1"
        )
    assert other_outlet.value.details == [{"field": "counter_code", "reason": "unknown"}]
    with pytest.raises(ValidationFailed):
        services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="pad", counter_code="OA-99")


def test_the_lobby_console_opens_exactly_for_those_whose_menu_offers_it(world: Any, client: Any) -> None:
    """#19: menus and access are one rule — a teller sees no lobby entry and gets no lobby page."""
    from fuwu.core.nav import items_for

    for user, allowed in ((world.teller_a, False), (world.head_a, True)):
        client.force_login(user)
        in_menu = any(item.url_name == "floor:lobby" for item, _url in items_for(user))
        status = client.get("/floor/lobby/").status_code
        assert in_menu is allowed and (status == 200) is allowed, (user, in_menu, status)
