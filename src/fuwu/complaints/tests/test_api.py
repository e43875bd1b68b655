"""The HTTP API: intake, transitions, scoping, error shape, idempotency."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fuwu.complaints.models import Complaint
from fuwu.complaints.tests import factories as f
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db

BODY = {
    "outlet_code": "OA",
    "source": "hotline",
    "complainant_name": "刘建华",
    "phone": "13812345678",
    "content": "信用卡没用过却被扣了年费，客服说不能退。",
    "channel_code": "0302",
    "category_code": "03",
    "reason_code": "07",
}


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def post(client: Client, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_register_and_take_a_case_through_to_revisit(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    r = post(client, "/api/v1/complaints", {**BODY, "staff_code": "TELLER_A"})
    assert r.status_code == 201, r.content
    data = r.json()
    pk = data["id"]
    assert data["clock"] == {
        "start": "2026-03-02",
        "due": "2026-03-17",
        "limit_days": 15,
        "used_days": 0,
        "remaining_days": 15,
        "state": "running",
    }
    assert data["phone_masked"] == "138****5678" and "13812345678" not in r.content.decode()

    client.force_login(ctx.head_a)
    r = post(client, f"/api/v1/complaints/{pk}/assign", {"handler_username": "teller_a"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict_of_interest"
    assert r.json()["error"]["details"]["status"] == "registered"
    assert post(client, f"/api/v1/complaints/{pk}/assign", {"handler_username": "handler"}).status_code == 200

    client.force_login(ctx.handler)
    r = post(client, f"/api/v1/complaints/{pk}/reply", {"method": "phone", "text": "x"})
    assert r.status_code == 409 and r.json()["error"]["details"]["status"] == "in_progress"
    r = post(client, f"/api/v1/complaints/{pk}/decide", {"facts": "", "basis": ""})
    assert r.status_code == 422
    assert {d["field"] for d in r.json()["error"]["details"]} >= {"facts", "basis"}
    assert (
        post(client, f"/api/v1/complaints/{pk}/investigate", {"root_cause": "年费减免规则未告知"}).status_code
        == 200
    )
    assert (
        post(
            client,
            f"/api/v1/complaints/{pk}/decide",
            {"facts": "未激活卡仍收年费", "basis": "领用合约第8条", "remedy": "退还年费", "upheld": True},
        ).status_code
        == 200
    )
    assert (
        post(client, f"/api/v1/complaints/{pk}/reply", {"method": "phone", "text": "已退还"}).status_code
        == 200
    )
    r = post(client, f"/api/v1/complaints/{pk}/revisit", {"satisfaction": "satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_extension_pause_and_withdraw_over_the_api(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    pk = post(client, "/api/v1/complaints", BODY).json()["id"]
    client.force_login(ctx.head_a)
    post(client, f"/api/v1/complaints/{pk}/assign", {"handler_username": "handler"})
    client.force_login(ctx.handler)
    r = post(client, f"/api/v1/complaints/{pk}/extensions", {"reason": "需要调取交易记录"})
    assert r.status_code == 201
    ext = r.json()["id"]
    assert (
        post(
            client,
            f"/api/v1/complaints/extensions/{ext}/decide",
            {"approve": True, "customer_notified": True},
        ).status_code
        == 403
    )
    client.force_login(ctx.head_a)
    r = post(
        client, f"/api/v1/complaints/extensions/{ext}/decide", {"approve": True, "customer_notified": True}
    )
    assert r.json()["state"] == "approved"
    assert client.get(f"/api/v1/complaints/{pk}").json()["clock"]["due"] == "2026-04-01"
    client.force_login(ctx.handler)
    r = post(client, f"/api/v1/complaints/{pk}/pause", {"reason": "笔迹鉴定", "customer_notified": True})
    assert r.json()["paused"] is True and r.json()["clock"]["state"] == "paused"
    assert post(client, f"/api/v1/complaints/{pk}/resume", {}).json()["paused"] is False
    r = post(client, f"/api/v1/complaints/{pk}/withdraw", {"reason": "客户撤诉"})
    assert r.json()["status"] == "withdrawn" and r.json()["clock"]["state"] == "stopped"


def test_outsiders_see_nothing(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx)
    client.force_login(ctx.teller_b)
    assert client.get(f"/api/v1/complaints/{c.pk}").status_code == 404
    assert client.get("/api/v1/complaints").json()["results"] == []
    assert post(client, f"/api/v1/complaints/{c.pk}/withdraw", {"reason": "x"}).status_code == 404
    r = post(client, "/api/v1/complaints", BODY)  # OA is not a unit teller_b can see: an unknown unit
    assert r.status_code == 422 and not Complaint.objects.exclude(pk=c.pk).exists()
    client.force_login(ctx.hq_manager)
    assert [row["reference"] for row in client.get("/api/v1/complaints").json()["results"]] == [c.reference]


def test_devices_cannot_read_complaints_even_of_their_own_outlet(ctx: Any, client: Client) -> None:
    """A counter device's token is scoped to its outlet, but no device has the right to read complaints."""
    from fuwu.core.services import device_token_issue
    from fuwu.floor.models import Counter

    c = f.complaint(ctx, severity="major")
    for unit, counter in ((ctx.outlet_a, "A-01"), (ctx.outlet_b, "B-01")):
        Counter.objects.create(outlet=unit, code=counter, number=1, kind="cash")  # tokens bind real counters
        _device, token = device_token_issue(actor=SYSTEM, org_unit=unit, kind="counter", counter_code=counter)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        assert client.get(f"/api/v1/complaints/{c.pk}", **auth).status_code == 403
        assert client.get("/api/v1/complaints", **auth).status_code == 403
        assert client.get("/api/v1/complaints/alerts", **auth).status_code == 403
        assert client.get("/api/v1/complaints-stats/hotspots", **auth).status_code == 403


def test_idempotency_key_registers_once(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    first = post(client, "/api/v1/complaints", BODY, HTTP_IDEMPOTENCY_KEY="intake-1")
    second = post(client, "/api/v1/complaints", BODY, HTTP_IDEMPOTENCY_KEY="intake-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] == second.json()["reference"]
    assert Complaint.objects.count() == 1


def test_codes_and_suggestions(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    channel = client.get("/api/v1/complaints/codes?dimension=channel").json()
    assert {"dimension": "channel", "code": "0303", "name": "移动客户端", "parent": "03"} in channel
    assert len(client.get("/api/v1/complaints/codes?dimension=category").json()) == 14
    assert len(client.get("/api/v1/complaints/codes?dimension=reason").json()) == 13
    r = post(
        client, "/api/v1/complaints/suggest", {"text": "催收公司天天打电话到我单位辱骂威胁，还骚扰我的亲戚"}
    )
    top = {}
    for s in r.json():
        top.setdefault(s["dimension"], s)
    assert top["category"]["code"] == "13" and top["reason"]["code"] == "12"
    assert top["reason"]["name"] == "债务催收方式和手段"


def test_alerts_endpoint_is_scoped(ctx: Any, client: Client) -> None:
    f.complaint(ctx, severity="major")
    client.force_login(ctx.head_a)
    assert {a["org_unit_code"] for a in client.get("/api/v1/complaints/alerts").json()} == {"OA"}
    client.force_login(ctx.teller_b)
    assert client.get("/api/v1/complaints/alerts").json() == []


def test_remediation_typical_case_stats_and_hotspots_endpoints(ctx: Any, client: Client) -> None:
    client.force_login(ctx.teller_a)
    pk = post(client, "/api/v1/complaints", {**BODY, "staff_code": "TELLER_A"}).json()["id"]
    client.force_login(ctx.handler)
    post(client, f"/api/v1/complaints/{pk}/assign", {"handler_username": "handler"})
    r = post(
        client,
        f"/api/v1/complaints/{pk}/reclassify",
        {"channel_code": "0302", "category_code": "03", "reason_code": "05", "severity": "complex"},
    )
    assert r.json()["reason_code"] == "05" and r.json()["severity"] == "complex"
    post(client, f"/api/v1/complaints/{pk}/investigate", {"root_cause": "年费规则未告知"})
    post(
        client,
        f"/api/v1/complaints/{pk}/decide",
        {"facts": "属实", "basis": "合约", "remedy": "退费", "upheld": True},
    )
    r = post(
        client,
        f"/api/v1/complaints/{pk}/remediations",
        {
            "action": "修订年费告知话术",
            "owner_username": "head_a",
            "due_date": "2026-03-31",
            "accountable_staff_code": "TELLER_A",
            "accountability_note": "未告知年费规则",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["due_date"] == "2026-03-31" and r.json()["state"] == "open"
    assert r.json()["url"] == f"/inspections/ledger/{r.json()['id']}/"
    post(client, f"/api/v1/complaints/{pk}/reply", {"method": "phone", "text": "已退费"})
    r = post(
        client, f"/api/v1/complaints/{pk}/typical-case", {"polarity": "negative", "title": "刘建华年费投诉"}
    )
    assert r.status_code == 201 and "刘建华" not in r.json()["title"] + r.json()["text"]
    r = client.get("/api/v1/complaints-stats/quarter?year=2026&quarter=1")
    assert r.json()["received"] == 1 and r.json()["closed"] == 1 and r.json()["on_time_rate"] == 1.0
    assert client.get("/api/v1/complaints-stats/quarter?year=2026&quarter=5").status_code == 422
    assert client.get("/api/v1/complaints-stats/hotspots?as_of=2026-03-02").status_code == 200
    # The front line takes complaints in but reads no statistics: the API refuses as the page does (#19).
    client.force_login(ctx.teller_b)
    assert client.get("/api/v1/complaints-stats/quarter?year=2026&quarter=1").status_code == 403
    assert client.get("/api/v1/complaints-stats/hotspots?as_of=2026-03-02").status_code == 403
    assert client.get("/complaints/stats/").status_code == 403


def test_numbers_typed_into_decision_reply_and_revisit_are_not_stored_or_returned_in_clear(
    ctx: Any, client: Client
) -> None:
    from fuwu.complaints.models import Decision, Reply, Revisit

    id_no, mobile = "11010819900307018X", "13912345678"
    typed = f"身份证{id_no}，手机{mobile}"
    client.force_login(ctx.teller_a)
    pk = post(client, "/api/v1/complaints", BODY).json()["id"]
    client.force_login(ctx.head_a)
    post(client, f"/api/v1/complaints/{pk}/assign", {"handler_username": "handler"})
    client.force_login(ctx.handler)
    post(client, f"/api/v1/complaints/{pk}/investigate", {"root_cause": "年费规则未告知"})
    answers = [
        post(
            client,
            f"/api/v1/complaints/{pk}/decide",
            {"facts": typed, "basis": typed, "remedy": typed, "upheld": True},
        ),
        post(client, f"/api/v1/complaints/{pk}/reply", {"method": "phone", "text": typed}),
        post(client, f"/api/v1/complaints/{pk}/revisit", {"satisfaction": "satisfied", "note": typed}),
        client.get(f"/api/v1/complaints/{pk}"),
    ]
    for r in answers:
        assert r.status_code == 200, r.content
        assert id_no not in r.content.decode() and mobile not in r.content.decode()
    d, reply, revisit = Decision.objects.get(), Reply.objects.get(), Revisit.objects.get()
    for text in (d.facts, d.basis, d.remedy, reply.text, revisit.note):
        assert text == "身份证110***********018X，手机139****5678"


def test_deciding_a_review_that_has_no_request_is_a_409_not_a_server_error(ctx: Any) -> None:
    """#18: demo data had cases under review without a ReviewRequest; deciding one answered 500. The state
    machine's guard now refuses it (409) in Chinese."""
    from fuwu.complaints.models import Status

    c = f.complaint(ctx)
    Complaint.objects.filter(pk=c.pk).update(status=Status.UNDER_REVIEW)  # as the old demo wrote it
    client = Client(raise_request_exception=False)
    client.force_login(ctx.handler)
    body = {"facts": "维持", "basis": "办法第31条"}
    r = post(client, f"/api/v1/complaints/{c.pk}/review-decision", body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 409, r.content
    assert r.json()["error"]["message"] == "没有待处理的核查申请。"
    assert r.json()["error"]["details"]["status"] == "under_review"
    c.refresh_from_db()
    assert c.status == Status.UNDER_REVIEW and not c.decisions.filter(is_review=True).exists()
