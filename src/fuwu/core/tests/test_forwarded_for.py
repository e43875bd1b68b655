"""A non-IP `X-Forwarded-For` behind the documented proxy (#18): on PostgreSQL the audit row's inet column
refused it and every audited write answered 500. The address is ignored, never stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fuwu.core.models import AuditEvent, DeviceToken
from fuwu.floor.models import Counter

PROXY = "10.9.9.9"
GARBAGE = ["unknown", "<script>", "999.1.1.1", "not an ip, also not"]


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.NINJA_NUM_PROXIES = 1  # FUWU_NUM_PROXIES=1, as the deployment notes document for nginx


@pytest.mark.parametrize("forwarded", GARBAGE)
def test_an_audited_api_write_with_a_garbage_forwarded_for_succeeds(
    world: Any, behind_proxy: None, forwarded: str
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.head_a)
    response = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk", "name": "大堂一号机"},
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="device_token.issue")
    assert event.ip_address == PROXY  # the one address we know, not the forged text
    assert DeviceToken.objects.count() == 1


def test_an_audited_page_write_with_a_garbage_forwarded_for_succeeds(world: Any, behind_proxy: None) -> None:
    Counter.objects.create(code="OA-01", outlet=world.outlet_a, number=1, kind="cash")
    client = Client(raise_request_exception=False)
    client.force_login(world.head_a)
    response = client.post(
        "/devices/issue/",
        {"outlet_code": "OA", "kind": "counter", "counter_code": "OA-01", "name": "一号窗"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="unknown",
    )
    assert response.status_code in (200, 302), response.content
    event = AuditEvent.objects.get(action="device_token.issue")
    assert event.ip_address == PROXY


def test_a_real_client_address_behind_the_proxy_is_still_recorded(world: Any, behind_proxy: None) -> None:
    client = Client()
    client.force_login(world.head_a)
    response = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk"},
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(action="device_token.issue").ip_address == "203.0.113.7"
