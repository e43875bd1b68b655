"""The device API contract: kiosk issues, counter terminal works its tickets, display reads; idempotency; scoping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers.services import customer_create
from fuwu.floor.models import Ticket
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: Any, frozen_clock: Any) -> dict[str, Any]:
    counters = floor(world.outlet_a, size="small")
    floor(world.outlet_b, size="county")
    return {
        "counters": counters,
        "kiosk": bearer(device(world.outlet_a, "kiosk")),
        "counter": bearer(device(world.outlet_a, "counter", counters["high1"])),
        "display": bearer(device(world.outlet_a, "display")),
        "kiosk_b": bearer(device(world.outlet_b, "kiosk")),
    }


def post(client: Client, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def test_outlets_lists_only_the_tokens_outlet_with_counters_and_services(client: Client, setup: Any) -> None:
    res = client.get("/api/v1/outlets", **setup["kiosk"])
    assert res.status_code == 200
    [outlet] = res.json()
    assert outlet["code"] == "OA"
    high1 = next(c for c in outlet["counters"] if c["code"] == "OA-W01")
    assert high1["kind"] == "high" and "CASH" in high1["services"] and "OPEN" not in high1["services"]
    cash = next(s for s in outlet["services"] if s["code"] == "CASH")
    assert cash["prefix"] == "A" and cash["materials"]


def test_kiosk_issues_and_counter_calls_starts_finishes(client: Client, setup: Any) -> None:
    res = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"])
    assert res.status_code == 201
    body = res.json()
    assert body["number"] == "A001" and body["position"] == 1 and body["estimated_wait_seconds"] == 0
    assert set(body) >= {"id", "number", "service_code", "position", "estimated_wait_seconds"}
    more = [
        post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"]).json()
        for _ in range(3)
    ]
    # Cash is served at two high counters and the VIP counter: the fourth customer waits for one to free up.
    assert [m["position"] for m in more] == [2, 3, 4]
    assert [m["estimated_wait_seconds"] == 0 for m in more] == [True, True, False]

    res = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"])
    assert res.status_code == 200 and res.json()["number"] == "A001" and res.json()["counter_number"] == 1
    tid = res.json()["id"]
    assert post(client, f"/api/v1/tickets/{tid}/recall", **setup["counter"]).json()["recall_count"] == 1
    assert post(client, f"/api/v1/tickets/{tid}/start", **setup["counter"]).json()["status"] == "serving"
    assert post(client, f"/api/v1/tickets/{tid}/finish", **setup["counter"]).json()["status"] == "finished"

    res = post(client, f"/api/v1/tickets/{tid}/start", **setup["counter"])
    assert res.status_code == 409
    assert res.json()["error"]["details"]["status"] == "finished"


def test_call_next_answers_204_when_nothing_waits(client: Client, setup: Any) -> None:
    res = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"])
    assert res.status_code == 204 and res.content == b""


def test_retried_posts_with_the_same_key_have_one_effect(client: Client, setup: Any) -> None:
    key = {"HTTP_IDEMPOTENCY_KEY": "kiosk-7f3a"}
    first = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"], **key)
    again = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"], **key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1

    call_key = {"HTTP_IDEMPOTENCY_KEY": "call-1"}
    called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"], **call_key)
    post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"])
    recalled = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"], **call_key)
    assert called.json()["id"] == recalled.json()["id"]
    assert Ticket.objects.filter(status="called").count() == 1

    tid = called.json()["id"]
    fin_key = {"HTTP_IDEMPOTENCY_KEY": "start-1"}
    assert post(client, f"/api/v1/tickets/{tid}/start", **setup["counter"], **fin_key).status_code == 200
    assert post(client, f"/api/v1/tickets/{tid}/start", **setup["counter"], **fin_key).status_code == 200
    assert Ticket.objects.get(pk=tid).events.filter(kind="started").count() == 1

    empty_key = {"HTTP_IDEMPOTENCY_KEY": "empty"}
    Ticket.objects.filter(status="waiting").update(status="cancelled")
    post(client, f"/api/v1/tickets/{tid}/finish", **setup["counter"])
    assert (
        post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"], **empty_key).status_code == 204
    )
    post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"])
    assert (
        post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"], **empty_key).status_code == 204
    )


def test_foreign_and_unknown_things_are_404(client: Client, setup: Any) -> None:
    tid = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"]).json()["id"]
    assert (
        post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk_b"]).status_code
        == 404
    )
    assert client.get("/api/v1/outlets/OA/queue", **setup["kiosk_b"]).status_code == 404
    assert client.get(f"/api/v1/tickets/{tid}", **setup["kiosk_b"]).status_code == 404
    assert post(client, f"/api/v1/tickets/{tid}/start", **setup["kiosk_b"]).status_code == 404
    assert post(client, "/api/v1/counters/OA-W01/call-next", **setup["kiosk_b"]).status_code == 404
    assert post(client, "/api/v1/counters/NOPE/call-next", **setup["counter"]).status_code == 404
    assert post(client, "/api/v1/tickets/999999/finish", **setup["counter"]).status_code == 404


def test_devices_only_do_their_job(client: Client, setup: Any) -> None:
    assert post(client, "/api/v1/counters/OA-W01/call-next", **setup["kiosk"]).status_code == 403
    assert post(client, "/api/v1/counters/OA-W02/call-next", **setup["counter"]).status_code == 403
    assert (
        post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["display"]).status_code
        == 403
    )


def test_staff_session_works_the_same_endpoints_and_outsiders_see_nothing(
    client: Client, world: Any, setup: Any
) -> None:
    client.force_login(world.teller_b)
    assert [o["code"] for o in client.get("/api/v1/outlets").json()] == ["OB"]
    assert client.get("/api/v1/outlets/OA/queue").status_code == 404
    client.force_login(world.teller_a)
    assert post(client, "/api/v1/outlets/OA/tickets", {"service_code": "OPEN"}).status_code == 201
    res = post(client, "/api/v1/counters/OA-W03/call-next")  # the low counter
    assert res.status_code == 200 and res.json()["service_code"] == "OPEN"


def test_display_queue_never_reveals_vip_or_special_groups(client: Client, world: Any, setup: Any) -> None:
    customer_create(
        actor=SYSTEM,
        customer_no="V9",
        name="钱女士",
        home_outlet=world.outlet_a,
        tier="private",
        card_number="6222020200117777001",
        special_groups=("elderly",),
    )
    post(
        client,
        "/api/v1/outlets/OA/tickets",
        {"service_code": "CASH", "customer_card": "6222020200117777001"},
        **setup["kiosk"],
    )
    shown = client.get("/api/v1/outlets/OA/queue", **setup["display"]).json()
    assert shown["services"][0]["waiting"] == 1
    assert all(row["is_vip"] is None and row["is_special_group"] is None for row in shown["waiting"])
    client.force_login(world.teller_a)
    staff_view = client.get("/api/v1/outlets/OA/queue").json()
    assert staff_view["waiting"][0]["is_vip"] is True and staff_view["waiting"][0]["is_special_group"] is True


def test_counter_sees_the_masked_profile_and_public_devices_see_none(
    client: Client, world: Any, setup: Any
) -> None:
    customer_create(
        actor=SYSTEM,
        customer_no="V8",
        name="钱女士",
        home_outlet=world.outlet_a,
        tier="private",
        card_number="6222020200117777002",
        phone="13912345678",
    )
    issued = post(
        client,
        "/api/v1/outlets/OA/tickets",
        {"service_code": "CASH", "customer_card": "6222020200117777002"},
        **setup["kiosk"],
    )
    assert "customer" not in issued.json() and "6222020200117777002" not in issued.content.decode()
    called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"])
    profile = called.json()["customer"]
    assert profile["name_masked"] == "钱**" and profile["tier"] == "private"
    assert profile["card_masked"].endswith("7002") and "6222020200117777002" not in called.content.decode()
    assert "13912345678" not in called.content.decode() and profile["phone_masked"].endswith("5678")
    shown = client.get(f"/api/v1/tickets/{called.json()['id']}", **setup["display"])
    assert shown.status_code == 200 and shown.json()["customer"] is None


def test_recognition_shows_the_profile_only_at_the_counter_and_audits_it(
    client: Client, world: Any, setup: Any
) -> None:
    """#18: staff issuing a ticket for a typed phone number learn nothing; the counter that calls it does."""
    customer_create(
        actor=SYSTEM,
        customer_no="V9",
        name="孙先生",
        home_outlet=world.outlet_x,
        tier="wealth",
        phone="13812345678",
    )
    client.force_login(world.head_a)
    issued = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH", "phone": "13812345678"})
    assert issued.status_code == 201 and issued.json().get("customer") is None
    assert client.get(f"/api/v1/tickets/{issued.json()['id']}").json()["customer"] is None
    assert not AuditEvent.objects.filter(action="floor.customer_shown").exists()
    client.logout()
    called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"])
    assert called.json()["customer"]["tier"] == "wealth"
    [shown] = AuditEvent.objects.filter(action="floor.customer_shown")
    assert shown.target_id == str(called.json()["id"]) and shown.data["counter"] == "OA-W01"


def test_transfer_refer_divert_over_http(client: Client, world: Any, setup: Any) -> None:
    tid = post(client, "/api/v1/outlets/OA/tickets", {"service_code": "XFER"}, **setup["kiosk"]).json()["id"]
    called = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"]).json()
    assert called["id"] == tid
    refer = post(client, f"/api/v1/tickets/{tid}/refer", {"staff_code": "HEAD_A"}, **setup["counter"])
    assert refer.status_code == 200
    moved = post(client, f"/api/v1/tickets/{tid}/transfer", {"counter_kind": "low"}, **setup["counter"])
    assert moved.status_code == 200 and moved.json()["number"] == called["number"]
    assert moved.json()["status"] == "waiting" and moved.json()["id"] != tid
    bad = post(client, f"/api/v1/tickets/{tid}/transfer", {"counter_kind": "low"}, **setup["counter"])
    assert bad.status_code == 409 and bad.json()["error"]["details"]["status"] == "transferred"
    client.force_login(world.head_a)
    diverted = post(client, f"/api/v1/tickets/{moved.json()['id']}/divert", {"channel": "mobile_banking"})
    assert diverted.status_code == 200 and diverted.json()["status"] == "diverted"
    assert post(client, f"/api/v1/tickets/{tid}/divert", {"channel": "x"}).status_code == 409


def test_calls_feed_for_the_display(client: Client, setup: Any) -> None:
    post(client, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"])
    tid = post(client, "/api/v1/counters/OA-W01/call-next", **setup["counter"]).json()["id"]
    post(client, f"/api/v1/tickets/{tid}/recall", **setup["counter"])
    feed = client.get("/api/v1/outlets/OA/calls", **setup["display"]).json()
    assert [(c["number"], c["counter_number"], c["kind"]) for c in feed] == [
        ("A001", 1, "called"),
        ("A001", 1, "recalled"),
    ]
    assert (
        client.get(f"/api/v1/outlets/OA/calls?after={feed[0]['event_id']}", **setup["display"]).json()[0][
            "kind"
        ]
        == "recalled"
    )


@pytest.mark.parametrize("action", ["start", "finish", "recall", "no-show", "transfer", "GET"])
def test_a_ticket_id_beyond_64_bits_on_the_counter_token_path_is_not_a_server_error(
    setup: Any, action: str
) -> None:
    """#18: the fuzzer's `POST /api/v1/tickets/{2**63+n}/...` with a counter token answered 500."""
    client = Client(raise_request_exception=False)
    if action == "GET":
        res = client.get(f"/api/v1/tickets/{2**64}", **setup["counter"])
    else:
        res = post(
            client, f"/api/v1/tickets/{2**63 + 5}/{action}", {"counter_code": "OA-W02"}, **setup["counter"]
        )
    assert res.status_code in (404, 422), res.content
    assert res.json()["error"]["message"]


def test_a_device_bearer_post_needs_no_csrf_token_while_a_session_post_does(world: Any, setup: Any) -> None:
    """#18: session-authenticated unsafe API calls pass Django's CSRF check; device tokens, which a browser
    never attaches by itself, are exempt (the kiosk has no CSRF cookie to send)."""
    kiosk = Client(enforce_csrf_checks=True)
    res = post(kiosk, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"}, **setup["kiosk"])
    assert res.status_code == 201, res.content
    res = post(kiosk, "/api/v1/counters/OA-W01/call-next", **setup["counter"])
    assert res.status_code == 200, res.content

    staff = Client(enforce_csrf_checks=True)
    staff.force_login(world.head_a)
    res = post(staff, "/api/v1/outlets/OA/tickets", {"service_code": "CASH"})
    assert res.status_code == 403 and res.json()["error"]["code"] == "csrf_failed"
    assert Ticket.objects.count() == 1
