"""A retried device POST with the same Idempotency-Key has one effect."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fuwu.core.models import DeviceToken
from fuwu.core.principals import SYSTEM


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_same_key_same_answer_one_effect(world: Any) -> None:
    client = _client(world.head_a)
    payload = {"outlet_code": "OA", "kind": "kiosk"}
    first = client.post(
        "/api/v1/devices", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = client.post(
        "/api/v1/devices", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert DeviceToken.objects.count() == 1


def test_a_key_reused_with_a_different_body_is_refused_and_names_the_key(world: Any) -> None:
    client = _client(world.head_a)
    first = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk", "name": "一号取号机"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-body",
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk", "name": "二号取号机"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-body",
    )
    assert second.status_code == 422
    error = second.json()["error"]
    assert error["code"] == "idempotency_key_reused" and "k-body" in error["message"]
    assert DeviceToken.objects.count() == 1  # the second request had no effect


def test_different_keys_are_different_requests(world: Any) -> None:
    client = _client(world.head_a)
    for key in ("a", "b"):
        client.post(
            "/api/v1/devices",
            {"outlet_code": "OA", "kind": "kiosk"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
    assert DeviceToken.objects.count() == 2


def test_keys_belong_to_their_principal(world: Any) -> None:
    head_b = __import__("fuwu.core.services", fromlist=["x"]).staff_create(
        actor=SYSTEM, org_unit=world.outlet_b, username="head_b", display_name="主任B", roles=["outlet_head"]
    )
    _client(world.head_a).post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    other = _client(head_b).post(
        "/api/v1/devices",
        {"outlet_code": "OB", "kind": "kiosk"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert other.status_code == 201 and other.json()["outlet_code"] == "OB"
    assert DeviceToken.objects.count() == 2


def test_a_refusal_is_replayed_too(world: Any) -> None:
    client = _client(world.head_a)
    token = DeviceToken.objects.get(
        pk=client.post(
            "/api/v1/devices", {"outlet_code": "OA", "kind": "kiosk"}, content_type="application/json"
        ).json()["id"]
    )
    url = f"/api/v1/devices/{token.pk}/revoke"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="r")
    replay = client.post(url, HTTP_IDEMPOTENCY_KEY="r")
    assert first.json() == replay.json()
    assert token.history.filter(history_type="~").count() == 1


def test_key_reused_for_another_path_is_rejected(world: Any) -> None:
    client = _client(world.head_a)
    client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    response = client.post("/api/v1/devices/1/revoke", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_device_bearer_keys(world: Any) -> None:
    from fuwu.core import services

    _token, raw = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "d-1"}
    first = client.post(
        "/api/v1/devices", {"outlet_code": "OA", "kind": "kiosk"}, content_type="application/json", **auth
    )
    second = client.post(
        "/api/v1/devices", {"outlet_code": "OA", "kind": "kiosk"}, content_type="application/json", **auth
    )
    assert (
        first.status_code == second.status_code == 403
    )  # devices may not issue tokens; the answer is stable
    assert second["Idempotent-Replayed"] == "true"


def test_key_reused_for_another_path_leaves_that_path_undone(world: Any) -> None:
    """The effect now runs before its key is stored: a reused key's effect must roll back with the refusal."""
    client = _client(world.head_a)
    created = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="y",
    ).json()
    response = client.post(f"/api/v1/devices/{created['id']}/revoke", HTTP_IDEMPOTENCY_KEY="y")
    assert response.status_code == 422
    token = DeviceToken.objects.get(pk=created["id"])
    assert token.revoked_at is None
    assert token.history.filter(history_type="~").count() == 0


def test_stored_answers_are_sealed_so_a_new_device_token_is_not_kept_in_clear(world: Any) -> None:
    from fuwu.core.models import IdempotencyRecord

    client = _client(world.head_a)
    payload = {"outlet_code": "OA", "kind": "kiosk"}
    first = client.post(
        "/api/v1/devices", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    raw = first.json()["token"]
    record = IdempotencyRecord.objects.get(key="s-1")
    assert raw not in str(record.body) and raw[3:] not in str(record.body)
    replay = client.post(
        "/api/v1/devices", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
