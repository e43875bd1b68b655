"""Appointment check-in at the kiosk (#19) and the required materials from the knowledge base (#20, Q10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.floor import services
from fuwu.floor.models import Appointment, Ticket
from fuwu.floor.tests.factories import bearer, device, floor

pytestmark = pytest.mark.django_db

NINE = dt.datetime(2026, 3, 3, 9, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def kiosk(world: Any, seeded_calendar: Any) -> Any:
    world.counters = floor(world.outlet_a, size="small")
    world.kiosk = device(world.outlet_a, "kiosk")
    return world


def _book(w: Any, at: dt.datetime, service: str = "OPEN") -> Appointment:
    with clock.frozen(NINE - dt.timedelta(days=1)):
        return services.appointment_book(
            actor=w.head_a, outlet=w.outlet_a, service_code=service, starts_at=at, customer_name="周先生"
        )


def _check_in(w: Any, code: str, at: dt.datetime) -> Any:
    with clock.frozen(at):
        return Client().post(
            "/api/v1/outlets/OA/appointments/check-in",
            {"code": code},
            content_type="application/json",
            **bearer(w.kiosk),
        )


def test_a_code_in_its_window_issues_the_booked_business_with_priority(kiosk: Any) -> None:
    """#19: the appointment's ticket is called before customers who came earlier without one."""
    booked = _book(kiosk, NINE + dt.timedelta(minutes=30), service="CASH")
    with clock.frozen(NINE):
        walk_in = services.ticket_issue(actor=SYSTEM, outlet=kiosk.outlet_a, service_code="CASH")
    r = _check_in(kiosk, f" {booked.code} ", NINE + dt.timedelta(minutes=10))
    assert r.status_code == 201, r.content
    body = r.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["service_code"] == "CASH" and body["materials"]
    assert (
        ticket.channel == "appointment"
        and ticket.priority_class == 0
        and ticket.appointment_code == booked.code
    )
    booked.refresh_from_db()
    assert booked.status == "checked_in" and booked.ticket == ticket
    assert AuditEvent.objects.filter(action="floor.appointment_check_in").count() == 1
    with clock.frozen(NINE + dt.timedelta(minutes=11)):
        called = services.ticket_call_next(actor=SYSTEM, counter=kiosk.counters["high1"])
    assert called is not None and called.pk == ticket.pk != walk_in.pk
    # Tapping again on the slip screen gives the same number, not a second ticket.
    again = _check_in(kiosk, booked.code, NINE + dt.timedelta(minutes=12))
    assert again.json()["id"] == ticket.pk and Ticket.objects.filter(channel="appointment").count() == 1


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (-60, "您的预约时间为 10:00，请于 09:30 后签到。"),
        (16, "该预约（10:00）已过期，请选择业务重新取号。"),
    ],
)
def test_early_or_expired_code_says_what_to_do_in_chinese(kiosk: Any, minutes: int, expected: str) -> None:
    booked = _book(kiosk, NINE + dt.timedelta(hours=1))
    r = _check_in(kiosk, booked.code, NINE + dt.timedelta(hours=1, minutes=minutes))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["message"] == expected and error["details"][0]["field"] == "appointment_code"
    assert not Ticket.objects.exists()


def test_wrong_or_cancelled_code_is_refused_clearly(kiosk: Any) -> None:
    booked = _book(kiosk, NINE)
    r = _check_in(kiosk, "000000" if booked.code != "000000" else "111111", NINE)
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("预约码无效")
    booked.status = Appointment.Status.CANCELLED
    booked.save()
    assert _check_in(kiosk, booked.code, NINE).status_code == 422
    # A code of another outlet is no code here.
    other = device(kiosk.outlet_b, "kiosk")
    floor(kiosk.outlet_b, size="small")
    fresh = _book(kiosk, NINE)
    with clock.frozen(NINE):
        r = Client().post(
            "/api/v1/outlets/OB/appointments/check-in",
            {"code": fresh.code},
            content_type="application/json",
            **bearer(other),
        )
    assert r.status_code == 422 and not Ticket.objects.exists()


def test_the_code_typed_beside_a_business_checks_in_too(kiosk: Any) -> None:
    """The older kiosk field (code + chosen business) goes through the same check."""
    booked = _book(kiosk, NINE, service="OPEN")
    with clock.frozen(NINE):
        with pytest.raises(Exception, match="预约码无效"):
            services.ticket_issue(
                actor=SYSTEM, outlet=kiosk.outlet_a, service_code="CASH", appointment_code="X1"
            )
        t = services.ticket_issue(
            actor=SYSTEM, outlet=kiosk.outlet_a, service_code="CASH", appointment_code=booked.code
        )
    assert t.service.code == "OPEN" and t.priority_class == 0


def test_kiosk_materials_come_from_the_published_business_guide(kiosk: Any) -> None:
    """#20 / Q10: one source — the knowledge base's guide; the catalogue's list only without one."""
    from fuwu.knowledge import services as knowledge

    client = Client()
    catalogue = {
        s["code"]: s for s in client.get("/api/v1/outlets", **bearer(kiosk.kiosk)).json()[0]["services"]
    }
    knowledge.entry_create(
        actor=kiosk.hq_manager,
        data=knowledge.EntryData(
            kind="guide",
            question="办理现金存取款需要带什么",
            answer_html="<p>请携带身份证和银行卡。</p>",
            visibility="public",
            documents=("本人有效身份证件", "银行卡或存折", "大额取现预约回执"),
            service_code="CASH",
        ),
    )
    knowledge.entry_create(
        actor=kiosk.hq_manager,
        data=knowledge.EntryData(
            kind="guide",
            question="开户草稿",
            answer_html="<p>草稿</p>",
            visibility="draft",
            documents=("草稿里的材料",),
            service_code="OPEN",
        ),
    )
    shown = {s["code"]: s for s in client.get("/api/v1/outlets", **bearer(kiosk.kiosk)).json()[0]["services"]}
    assert shown["CASH"]["materials"] == ["本人有效身份证件", "银行卡或存折", "大额取现预约回执"]
    assert shown["OPEN"]["materials"] == catalogue["OPEN"]["materials"]  # a draft guide is not shown
    issued = client.post(
        "/api/v1/outlets/OA/tickets",
        {"service_code": "CASH"},
        content_type="application/json",
        **bearer(kiosk.kiosk),
    ).json()
    assert issued["materials"][0] == "本人有效身份证件"
