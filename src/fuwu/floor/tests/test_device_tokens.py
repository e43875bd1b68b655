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
