"""The floor device API (a contract for kiosks, counter terminals and display boards; extend, don't break)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from fuwu.core import materials
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict
from fuwu.core.net import AnonThrottle
from fuwu.core.openapi import raises
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.core.transitions import actions_json
from fuwu.customers import prefill
from fuwu.floor import mobile, policy, selectors, services
from fuwu.floor.models import Ticket
from fuwu.floor.schemas import CheckInIn, DivertIn, IssueIn, ReferIn, TransferIn

router = Router(tags=["floor"])


class CounterOut(Schema):
    code: str
    number: int
    kind: str
    is_open: bool
    services: list[str]


class ServiceOut(Schema):
    code: str
    name: str
    prefix: str
    complexity: str
    is_cash: bool
    counter_kinds: list[str]
    target_wait_seconds: int
    materials: list[str]
    # The business form the kiosk pre-fills for this business from the customer's ID (P4), or "".
    form_kind: str = ""


class OutletOut(Schema):
    code: str
    name: str
    counters: list[CounterOut]
    services: list[ServiceOut]


class IssuedOut(Schema):
    id: int
    number: str
    service_code: str
    service_name: str
    position: int
    estimated_wait_seconds: int | None
    materials: list[str]
    issued_at: dt.datetime
    # The customer's mobile ticket (signed link, valid today) and its QR code for the slip.
    mobile_url: str | None = None
    mobile_qr_url: str | None = None


class CustomerOut(Schema):
    tier: str
    is_special_group: bool
    name_masked: str
    card_masked: str
    phone_masked: str
    customer_no: str  # the counter console loads the compact customer 360 by it (P1)


class TicketOut(Schema):
    id: int
    number: str
    status: str
    service_code: str
    service_name: str
    counter_code: str | None
    counter_number: int | None
    issued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    recall_count: int
    position: int | None = None
    estimated_wait_seconds: int | None = None
    customer: CustomerOut | None = None


class ServiceQueueOut(Schema):
    code: str
    name: str
    prefix: str
    waiting: int
    estimated_wait_seconds: int
    target_wait_seconds: int


class CurrentOut(Schema):
    id: int
    number: str
    status: str
    service_code: str


class CounterNowOut(Schema):
    code: str
    number: int
    kind: str
    is_open: bool
    services: list[str]
    current: CurrentOut | None


class WaitingOut(Schema):
    id: int
    number: str
    service_code: str
    issued_at: dt.datetime
    estimated_wait_seconds: int | None
    service_name: str | None = None
    required_counter_kind: str | None = None
    # For staff: the actions they may take on this ticket now (the lobby offers "divert" by it).
    actions: list[str] | None = None
    is_vip: bool | None = None
    is_special_group: bool | None = None
    priority_class: int | None = None
    waited_seconds: int | None = None


class QueueOut(Schema):
    outlet_code: str
    business_date: dt.date
    services: list[ServiceQueueOut]
    counters: list[CounterNowOut]
    waiting: list[WaitingOut]


class CallOut(Schema):
    event_id: int
    number: str
    counter_number: int | None
    kind: str
    at: dt.datetime


def ticket_out(t: Ticket, principal: Principal) -> TicketOut:
    profile = selectors.customer_profile(fetched_by=principal, ticket=t)
    customer = CustomerOut(**dataclasses.asdict(profile)) if profile is not None else None
    waiting = t.status == Ticket.Status.WAITING
    return TicketOut(
        id=t.pk,
        number=t.number,
        status=t.status,
        service_code=t.service.code,
        service_name=t.service.name,
        counter_code=t.counter.code if t.counter else None,
        counter_number=t.counter.number if t.counter else None,
        issued_at=t.issued_at,
        called_at=t.called_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
        recall_count=t.recall_count,
        position=selectors.position_in_line(fetched_by=principal, ticket=t) if waiting else None,
        estimated_wait_seconds=t.estimated_wait_seconds if waiting else None,
        customer=customer,
    )


@router.get("/outlets", response=list[OutletOut])
def outlets(request: HttpRequest) -> list[OutletOut]:
    principal = request_principal(request)
    out = []
    for unit in selectors.outlets(fetched_by=principal):
        catalogue = list(selectors.services(fetched_by=principal, outlet=unit))
        out.append(
            OutletOut(
                code=unit.code,
                name=unit.name,
                counters=[
                    CounterOut(
                        code=c.code,
                        number=c.number,
                        kind=c.kind,
                        is_open=c.is_open,
                        services=policy.served_services(c.kind, catalogue),
                    )
                    for c in selectors.counters(fetched_by=principal, outlet=unit)
                ],
                services=[
                    ServiceOut(
                        code=s.code,
                        name=s.name,
                        prefix=s.prefix,
                        complexity=s.complexity,
                        is_cash=s.is_cash,
                        counter_kinds=s.counter_kind_list,
                        target_wait_seconds=s.target_wait_seconds,
                        materials=materials.required(s.code, s.material_list),
                        form_kind=prefill.SERVICE_FORMS.get(s.code, ""),
                    )
                    for s in catalogue
                ],
            )
        )
    return out


@router.post("/outlets/{outlet_code}/tickets", response={201: IssuedOut})
@raises(Conflict)
def issue(request: HttpRequest, outlet_code: str, payload: IssueIn) -> tuple[int, IssuedOut]:
    principal = request_principal(request)
    unit = selectors.outlet(fetched_by=principal, code=outlet_code)
    t = services.ticket_issue(
        actor=principal,
        outlet=unit,
        service_code=payload.service_code,
        channel=payload.channel,
        customer_card=payload.customer_card,
        id_number=payload.id_number,
        phone=payload.phone,
        appointment_code=payload.appointment_code,
    )
    return 201, _issued(request, principal, t)


@router.post("/outlets/{outlet_code}/appointments/check-in", response={201: IssuedOut})
@raises(Conflict)
def appointment_check_in(request: HttpRequest, outlet_code: str, payload: CheckInIn) -> tuple[int, IssuedOut]:
    """预约签到: the booked visit's ticket, with priority, inside its time window (a clear refusal otherwise)."""
    principal = request_principal(request)
    unit = selectors.outlet(fetched_by=principal, code=outlet_code)
    t = services.appointment_check_in(
        actor=principal,
        outlet=unit,
        code=payload.code,
        customer_card=payload.customer_card,
        id_number=payload.id_number,
        phone=payload.phone,
    )
    return 201, _issued(request, principal, t)


def _issued(request: HttpRequest, principal: Principal, t: Ticket) -> IssuedOut:
    mobile_url, mobile_qr_url = mobile.links(t, request)
    return IssuedOut(
        id=t.pk,
        number=t.number,
        service_code=t.service.code,
        service_name=t.service.name,
        position=t.position_at_issue or selectors.position_in_line(fetched_by=principal, ticket=t),
        estimated_wait_seconds=t.estimated_wait_seconds,
        materials=materials.required(t.service.code, t.service.material_list),
        issued_at=t.issued_at,
        mobile_url=mobile_url,
        mobile_qr_url=mobile_qr_url,
    )


@router.get("/outlets/{outlet_code}/queue", response=QueueOut)
def queue(request: HttpRequest, outlet_code: str) -> QueueOut:
    principal = request_principal(request)
    unit = selectors.outlet(fetched_by=principal, code=outlet_code)
    view = selectors.queue(
        fetched_by=principal, outlet=unit, with_customers=not isinstance(principal, DevicePrincipal)
    )
    return QueueOut(
        outlet_code=unit.code,
        business_date=view.business_date,
        services=[ServiceQueueOut(**row) for row in view.services],
        counters=[CounterNowOut(**row) for row in view.counters],
        waiting=[WaitingOut(**row) for row in view.waiting],
    )


@router.get("/outlets/{outlet_code}/calls", response=list[CallOut])
def calls(request: HttpRequest, outlet_code: str, after: int = 0) -> list[dict[str, Any]]:
    principal = request_principal(request)
    return selectors.calls(
        fetched_by=principal, outlet=selectors.outlet(fetched_by=principal, code=outlet_code), after_id=after
    )


@router.post("/counters/{counter_code}/call-next", response={200: TicketOut, 204: None})
@raises(Conflict)
def call_next(request: HttpRequest, counter_code: str) -> tuple[int, TicketOut | None]:
    principal = request_principal(request)
    t = services.ticket_call_next(
        actor=principal, counter=selectors.counter(fetched_by=principal, code=counter_code)
    )
    return (204, None) if t is None else (200, ticket_out(t, principal))


@router.get("/counters/{counter_code}/current", response={200: TicketOut, 204: None})
def counter_current(request: HttpRequest, counter_code: str) -> tuple[int, TicketOut | None]:
    principal = request_principal(request)
    t = selectors.counter_current(
        fetched_by=principal, counter=selectors.counter(fetched_by=principal, code=counter_code)
    )
    return (204, None) if t is None else (200, ticket_out(t, principal))


class ActionOut(Schema):
    name: str
    label: str


class ConsoleOut(Schema):
    """What the counter console shows: its ticket, the steps allowed on it now, and its own waiting line."""

    current: TicketOut | None
    actions: list[ActionOut]
    waiting_count: int
    waiting: list[WaitingOut]


# The console shows the head of its line; the count covers all of it.
CONSOLE_ROWS = 12


@router.get("/counters/{counter_code}/console", response=ConsoleOut)
def counter_console(request: HttpRequest, counter_code: str) -> ConsoleOut:
    """The counter's current ticket with its allowed actions, and the tickets this counter may call, in order
    (floor.policy decides, transfers included; the console's script only renders this)."""
    principal = request_principal(request)
    counter = selectors.counter(fetched_by=principal, code=counter_code)
    t = selectors.counter_current(fetched_by=principal, counter=counter)
    line = selectors.counter_waiting(fetched_by=principal, counter=counter)
    return ConsoleOut(
        current=ticket_out(t, principal) if t is not None else None,
        actions=[ActionOut(**a) for a in actions_json(t, principal)] if t is not None else [],
        waiting_count=len(line),
        waiting=[WaitingOut(**row) for row in line[:CONSOLE_ROWS]],
    )


@router.get("/tickets/{ticket_id}", response=TicketOut)
def ticket_detail(request: HttpRequest, ticket_id: int) -> TicketOut:
    principal = request_principal(request)
    return ticket_out(selectors.ticket(fetched_by=principal, pk=ticket_id), principal)


def _step(request: HttpRequest, ticket_id: int, action: Any, **kwargs: Any) -> TicketOut:
    principal = request_principal(request)
    # The service locks and re-reads the row itself; what it returns is current, so no read-back.
    t = action(actor=principal, ticket=selectors.ticket_ref(fetched_by=principal, pk=ticket_id), **kwargs)
    return ticket_out(t, principal)


@router.post("/tickets/{ticket_id}/recall", response=TicketOut)
@raises(Conflict)
def recall(request: HttpRequest, ticket_id: int) -> TicketOut:
    return _step(request, ticket_id, services.ticket_recall)


@router.post("/tickets/{ticket_id}/no-show", response=TicketOut)
@raises(Conflict)
def no_show(request: HttpRequest, ticket_id: int) -> TicketOut:
    return _step(request, ticket_id, services.ticket_no_show)


@router.post("/tickets/{ticket_id}/start", response=TicketOut)
@raises(Conflict)
def start(request: HttpRequest, ticket_id: int) -> TicketOut:
    return _step(request, ticket_id, services.ticket_start)


@router.post("/tickets/{ticket_id}/finish", response=TicketOut)
@raises(Conflict)
def finish(request: HttpRequest, ticket_id: int) -> TicketOut:
    return _step(request, ticket_id, services.ticket_finish)


@router.post("/tickets/{ticket_id}/transfer", response=TicketOut)
@raises(Conflict)
def transfer(request: HttpRequest, ticket_id: int, payload: TransferIn) -> TicketOut:
    """Returns the onward ticket (same number, same place in line, waiting for the new business or counter)."""
    return _step(
        request,
        ticket_id,
        services.ticket_transfer,
        service_code=payload.service_code,
        counter_kind=payload.counter_kind,
    )


@router.post("/tickets/{ticket_id}/refer", response=TicketOut)
@raises(Conflict)
def refer(request: HttpRequest, ticket_id: int, payload: ReferIn) -> TicketOut:
    return _step(request, ticket_id, services.ticket_refer, staff_code=payload.staff_code)


@router.post("/tickets/{ticket_id}/divert", response=TicketOut)
@raises(Conflict)
def divert(request: HttpRequest, ticket_id: int, payload: DivertIn) -> TicketOut:
    return _step(request, ticket_id, services.ticket_divert, channel=payload.channel)


# --- the customer's mobile ticket (public; the signed token is the key) -----------------------------


class MyTicketOut(Schema):
    """Only what the customer's own phone may show: never tier, special group, name, card, ID or phone."""

    number: str
    service_name: str
    outlet_name: str
    status: str
    business_date: dt.date
    issued_at: dt.datetime
    counter_number: int | None
    people_ahead: int | None
    estimated_wait_seconds: int | None
    diverted_channel: str


# Per client address; phones behind one carrier NAT poll every 15 s, so the bound is generous.
MY_TICKET_RATE = "240/m"


@router.get(
    "/my-ticket/{token}",
    response=MyTicketOut,
    auth=None,
    throttle=[AnonThrottle(MY_TICKET_RATE)],
)
def my_ticket(request: HttpRequest, token: str) -> MyTicketOut:
    """The ticket behind a mobile link (`mobile_url` of the issue response); 404 when tampered or expired."""
    view = selectors.my_ticket(token)
    return MyTicketOut(
        number=view.number,
        service_name=view.service_name,
        outlet_name=view.outlet_name,
        status=view.status,
        business_date=view.business_date,
        issued_at=view.issued_at,
        counter_number=view.counter_number,
        people_ahead=view.people_ahead,
        estimated_wait_seconds=view.estimated_wait_seconds,
        diverted_channel=view.diverted_channel,
    )
