"""Every change to configuration is on the audit trail: who, when, what, from which IP."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fuwu.core.models import DeviceToken
from fuwu.core.principals import SYSTEM


def test_device_issue_over_http_records_user_and_ip(world: Any) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(world.head_a)
    response = client.post(
        "/api/v1/devices", {"outlet_code": "OA", "kind": "kiosk"}, content_type="application/json"
    )
    token = DeviceToken.objects.get(pk=response.json()["id"])
    history = token.history.latest()
    assert history.history_type == "+"
    assert history.history_user == world.head_a
    assert history.ip_address == "10.1.2.3"
    client.post(f"/api/v1/devices/{token.pk}/revoke")
    change = token.history.latest()
    assert change.history_type == "~" and change.revoked_at is not None
    assert change.history_user == world.head_a


def test_history_outside_requests_names_the_service_actor(world: Any) -> None:
    _counters(world, "OB-1")
    from fuwu.core import services

    head_b = world.person("head_b", world.outlet_b, "outlet_head")
    token, _raw = services.device_token_issue(
        actor=head_b, org_unit=world.outlet_b, kind="pad", counter_code="OB-1"
    )
    row = token.history.latest()
    assert row.history_user == head_b and row.ip_address is None


def test_token_secret_is_never_stored(world: Any) -> None:
    from fuwu.core import services

    token, raw = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk")
    assert raw not in str(DeviceToken.objects.filter(pk=token.pk).values().first())
    assert raw not in str(token.history.values().first())


def _counters(world: Any, *codes: str) -> None:
    """Counters for device tokens to bind to (tokens are refused for a counter that does not exist)."""
    from fuwu.floor.models import Counter

    for code in codes:
        outlet = world.outlet_a if code.startswith("OA") else world.outlet_b
        number = int(code.rsplit("-", 1)[1])
        Counter.objects.get_or_create(
            code=code, defaults={"outlet": outlet, "number": number, "kind": "cash"}
        )
