"""The customer's mobile ticket (Q2, Q6): a signed link for one ticket, live state, nothing sensitive, today only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from fuwu.core.principals import SYSTEM
from fuwu.customers.services import customer_create
from fuwu.floor import api as floor_api
from fuwu.floor import mobile, services
from fuwu.floor.models import Ticket
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = pytest.mark.django_db

CARD = "6222020200118888001"
PHONE = "13812345678"
ID_NUMBER = "110108195001011233"


@pytest.fixture
def setup(world: Any, frozen_clock: Any) -> dict[str, Any]:
    cache.clear()  # the public endpoint's throttle counts requests per address in the cache
    counters = floor(world.outlet_a, size="small")
    return {"counters": counters, "kiosk": bearer(device(world.outlet_a, "kiosk"))}


def issue(client: Client, setup: dict[str, Any], **body: Any) -> dict[str, Any]:
    res = client.post(
        "/api/v1/outlets/OA/tickets",
        data=json.dumps({"service_code": "CASH", **body}),
        content_type="application/json",
        **setup["kiosk"],
    )
    assert res.status_code == 201, res.content
    data: dict[str, Any] = res.json()
    return data


def path_of(url: str) -> str:
    return urlsplit(url).path


def token_of(url: str) -> str:
    return path_of(url).rstrip("/").rsplit("/", 1)[1]


def test_issue_response_links_to_that_tickets_page_only_q2(client: Client, setup: Any) -> None:
    first = issue(client, setup)
    second = issue(client, setup)
    assert first["mobile_url"].startswith("http://testserver/floor/t/")
    assert str(first["id"]) != token_of(first["mobile_url"]) and len(token_of(first["mobile_url"])) > 40
    assert first["mobile_qr_url"] == first["mobile_url"] + "qr.svg"
    page = client.get(path_of(first["mobile_url"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="my-number">A001<' in html and "A002" not in html
    mine = client.get(f"/api/v1/my-ticket/{token_of(second['mobile_url'])}").json()
    assert mine["number"] == "A002" and mine["status"] == "waiting" and mine["people_ahead"] == 1
    assert mine["outlet_name"] == setup["counters"]["high1"].outlet.name


def test_waiting_page_shows_people_ahead_and_estimated_wait_in_chinese_q6(client: Client, setup: Any) -> None:
    tickets = [issue(client, setup) for _ in range(5)]
    api_view = client.get(f"/api/v1/my-ticket/{token_of(tickets[-1]['mobile_url'])}").json()
    # Two high counters and the VIP counter serve cash; the fifth customer waits behind four.
    assert api_view["people_ahead"] == 4 and api_view["estimated_wait_seconds"] > 0
    html = client.get(path_of(tickets[-1]["mobile_url"])).content.decode()
    assert "等候中" in html and "前面还有" in html and "预计等候" in html
    minutes = round(api_view["estimated_wait_seconds"] / 60)
    assert f"约 {minutes} 分钟" in html
    # Still in line: the status part polls itself.
    assert 'hx-trigger="every 15s"' in html


def test_tampered_or_foreign_token_is_not_found(client: Client, setup: Any) -> None:
    good = token_of(issue(client, setup)["mobile_url"])
    other = Ticket.objects.create(
        outlet=setup["counters"]["high1"].outlet,
        business_date=Ticket.objects.get().business_date,
        number="A099",
        seq=99,
        service=Ticket.objects.get().service,
        issued_at=Ticket.objects.get().issued_at,
    )
    value, _, signature = good.partition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged_id = f"{other.pk}.{value.split('.')[1]}:{signature}"
    for bad in (f"{value}:{flipped}", forged_id, value, "1.20260302", "x:y"):
        assert client.get(f"/floor/t/{bad}/").status_code == 404, bad
        assert client.get(f"/api/v1/my-ticket/{bad}").status_code == 404, bad
        assert client.get(f"/floor/t/{bad}/qr.svg").status_code == 404, bad
    assert client.get(f"/floor/t/{good}/").status_code == 200


def test_page_follows_the_ticket_to_the_counter_and_to_its_end_q5(client: Client, setup: Any) -> None:
    url = path_of(issue(client, setup)["mobile_url"])
    token = token_of(url)
    high1 = setup["counters"]["high1"]
    ticket = services.ticket_call_next(actor=SYSTEM, counter=high1)
    assert ticket is not None
    status = client.get(f"/floor/t/{token}/status/", HTTP_HX_REQUEST="true").content.decode()
    assert f"请到{high1.number}号窗口办理" in status
    assert client.get(f"/api/v1/my-ticket/{token}").json()["counter_number"] == high1.number
    services.ticket_start(actor=SYSTEM, ticket=ticket)
    assert f"正在{high1.number}号窗口办理" in client.get(url).content.decode()
    services.ticket_finish(actor=SYSTEM, ticket=ticket)
    done = client.get(f"/floor/t/{token}/status/", HTTP_HX_REQUEST="true").content.decode()
    assert "已办结" in done and "hx-trigger" not in done  # nothing left to wait for: polling stops
    assert client.get(f"/api/v1/my-ticket/{token}").json()["status"] == "finished"


def test_missed_call_and_transfer_are_told_plainly(client: Client, setup: Any) -> None:
    high1, low1 = setup["counters"]["high1"], setup["counters"]["low1"]
    missed = token_of(issue(client, setup)["mobile_url"])
    moved = token_of(issue(client, setup)["mobile_url"])
    first = services.ticket_call_next(actor=SYSTEM, counter=high1)
    assert first is not None
    services.ticket_no_show(actor=SYSTEM, ticket=first)
    assert "已过号" in client.get(f"/floor/t/{missed}/").content.decode()
    second = services.ticket_call_next(actor=SYSTEM, counter=high1)
    assert second is not None
    services.ticket_transfer(actor=SYSTEM, ticket=second, service_code="OPEN")
    view = client.get(f"/api/v1/my-ticket/{moved}").json()
    # Same number, now waiting for the business it was sent on to.
    assert view["number"] == "A002" and view["status"] == "waiting" and view["service_name"] != "个人现金存取"
    onward = services.ticket_call_next(actor=SYSTEM, counter=low1)
    assert onward is not None and onward.number == "A002"
    assert client.get(f"/api/v1/my-ticket/{moved}").json()["counter_number"] == low1.number


def test_never_shows_vip_special_group_name_card_id_or_phone_q3(
    client: Client, setup: Any, world: Any
) -> None:
    customer_create(
        actor=SYSTEM,
        customer_no="V1",
        name="钱淑芬",
        home_outlet=world.outlet_a,
        tier="private",
        card_number=CARD,
        phone=PHONE,
        id_number=ID_NUMBER,
        birth_date=dt.date(1950, 1, 1),
        special_groups=("elderly",),
    )
    issued = issue(client, setup, customer_card=CARD)
    ticket = Ticket.objects.get(pk=issued["id"])
    assert ticket.customer_tier == "private" and ticket.is_special_group  # the ticket does know
    token = token_of(issued["mobile_url"])
    body = client.get(f"/api/v1/my-ticket/{token}").json()
    assert set(body) == set(floor_api.MyTicketOut.model_fields)
    texts = [
        client.get(f"/floor/t/{token}/").content.decode(),
        client.get(f"/floor/t/{token}/status/", HTTP_HX_REQUEST="true").content.decode(),
        json.dumps(body, ensure_ascii=False),
    ]
    for text in texts:
        for secret in ("钱", "淑芬", CARD, CARD[-4:], PHONE, PHONE[-4:], ID_NUMBER[-4:]):
            assert secret not in text
        for mark in ("private", "wealth", "vip", "VIP", "贵宾", "私行", "特殊", "老年", "优先", "special"):
            assert mark not in text


def test_link_expires_when_the_business_day_ends(client: Client, setup: Any, frozen_clock: Any) -> None:
    token = token_of(issue(client, setup)["mobile_url"])
    frozen_clock.advance(dt.timedelta(hours=14, minutes=59))  # 23:59 the same day
    assert client.get(f"/floor/t/{token}/").status_code == 200
    frozen_clock.advance(dt.timedelta(minutes=2))  # 00:01 the next day
    assert client.get(f"/floor/t/{token}/").status_code == 404
    assert client.get(f"/api/v1/my-ticket/{token}").status_code == 404
    assert client.get(f"/floor/t/{token}/qr.svg").status_code == 404
    polled = client.get(f"/floor/t/{token}/status/", HTTP_HX_REQUEST="true")
    # htmx swaps a 286 in and stops polling: the open page says the link has expired.
    assert polled.status_code == 286 and "已过期" in polled.content.decode()
    assert "hx-trigger" not in polled.content.decode()


def test_qr_code_on_the_slip_is_an_svg_of_the_page_link(client: Client, setup: Any) -> None:
    issued = issue(client, setup)
    res = client.get(path_of(issued["mobile_qr_url"]))
    assert res.status_code == 200 and res["Content-Type"] == "image/svg+xml"
    assert res.content == mobile.qr_svg(issued["mobile_url"])
    assert res.content.startswith(b"<svg")


def test_public_api_is_throttled_per_address(client: Client, setup: Any) -> None:
    rate = int(floor_api.MY_TICKET_RATE.split("/")[0])
    codes = [client.get("/api/v1/my-ticket/1.20260302:nope").status_code for _ in range(rate + 1)]
    assert set(codes[:rate]) == {404} and codes[rate] == 429
    refused = client.get("/api/v1/my-ticket/1.20260302:nope")
    assert refused.json()["error"]["code"] == "throttled" and int(refused["Retry-After"]) > 0
    # A forged X-Forwarded-For does not buy a fresh allowance: the socket's address is who is asking.
    assert client.get("/api/v1/my-ticket/1.20260302:nope", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_im_leaving_cancels_the_waiting_ticket_and_the_next_customer_moves_up(
    client: Client, setup: Any
) -> None:
    leaving = token_of(issue(client, setup)["mobile_url"])
    staying = token_of(issue(client, setup)["mobile_url"])
    assert client.get(f"/api/v1/my-ticket/{staying}").json()["people_ahead"] == 1
    page = client.get(f"/floor/t/{leaving}/").content.decode()
    assert 'data-testid="my-leave"' in page and "我要离开" in page

    res = client.post(f"/floor/t/{leaving}/leave/", HTTP_HX_REQUEST="true")
    assert res.status_code == 200
    body = res.content.decode()
    assert "您已放弃此号" in body and 'data-testid="my-leave"' not in body and "hx-trigger" not in body
    gone = Ticket.objects.get(number="A001")
    assert gone.status == "cancelled"
    assert gone.events.filter(kind="cancelled", data__reason="customer left").count() == 1
    assert client.get(f"/api/v1/my-ticket/{staying}").json()["people_ahead"] == 0
    # Once gone, leaving again is refused as an illegal step and the page offers it no more.
    assert client.post(f"/floor/t/{leaving}/leave/").status_code == 409
    called = services.ticket_call_next(actor=SYSTEM, counter=setup["counters"]["high1"])
    assert called is not None and called.number == "A002"
    assert 'data-testid="my-leave"' not in client.get(f"/floor/t/{staying}/").content.decode()


def test_the_anonymous_ticket_page_and_its_api_are_never_cached(setup: Any) -> None:
    """#18: the page behind the QR code is opened on a customer's phone or a shared tablet: no cached copy."""
    issued = issue(Client(), setup)
    anonymous = Client()
    token = token_of(issued["mobile_url"])
    for url in (
        path_of(issued["mobile_url"]),
        f"{path_of(issued['mobile_url'])}status/",
        f"/api/v1/my-ticket/{token}",
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
