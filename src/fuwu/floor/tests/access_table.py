"""Access table rows for the floor's services and selectors (see fuwu.core.testing.access).

Staff: teller_a (counter work, outlet A), head_a (outlet A: counters, lobby, catalogue), a complaint handler of
outlet A (no floor rights), and the same roles at outlet B as outsiders.
"""

from __future__ import annotations

from typing import Any

from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase
from fuwu.floor import selectors, services
from fuwu.floor.models import Ticket

S = "fuwu.floor.services."
Q = "fuwu.floor.selectors."


def _floor(w: Any) -> None:
    from fuwu.floor.tests.factories import floor

    w.counters = floor(w.outlet_a, size="small")
    w.ticket = services.ticket_issue(actor=SYSTEM, outlet=w.outlet_a, service_code="CASH")


def _booked(w: Any) -> None:
    import datetime as dt

    _floor(w)
    w.appointment = services.appointment_book(
        actor=SYSTEM,
        outlet=w.outlet_a,
        service_code="CASH",
        starts_at=clock.now() + dt.timedelta(minutes=5),
    )


def _called(w: Any) -> None:
    _floor(w)
    called = services.ticket_call_next(actor=SYSTEM, counter=w.counters["high1"])
    assert called is not None
    w.ticket = called


def _serving(w: Any) -> None:
    _called(w)
    services.ticket_start(actor=SYSTEM, ticket=Ticket(pk=w.ticket.pk))


def _ref(w: Any) -> Ticket:
    return Ticket(pk=w.ticket.pk)


def _handler_a(w: Any) -> Any:
    return w.person("handler_a", w.outlet_a, roles.COMPLAINT_HANDLER)


def _lobby_a(w: Any) -> Any:
    return w.person("lobby_a", w.outlet_a, roles.LOBBY)


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _teller_b(w: Any) -> Any:
    return w.teller_b


def _step(name: str, setup: Any) -> AccessCase:
    """A counter step: the outlet's teller may, lobby staff may not, a teller of another outlet sees nothing."""
    return AccessCase(
        S + name,
        setup=setup,
        call=lambda w, who: getattr(services, name)(actor=who, ticket=_ref(w)),
        holder=lambda w: w.teller_a,
        without=_lobby_a,
        outsider=_teller_b,
    )


def _read(name: str, call: Any, *, setup: Any = _floor, hides: Any = None) -> AccessCase:
    """A read: floor staff of the outlet may, a complaint handler there may not, outlet B's teller sees nothing."""
    return AccessCase(
        Q + name,
        setup=setup,
        call=call,
        holder=lambda w: w.teller_a,
        without=_handler_a,
        outsider=_teller_b,
        hides=hides,
    )


CASES = [
    AccessCase(
        Q + "workplace",
        call=lambda w, who: selectors.workplace(fetched_by=who, outlet=w.outlet_a, place="lobby"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("head_b", w.outlet_b, roles.OUTLET_HEAD),
    ),
    AccessCase(
        S + "service_type_save",
        call=lambda w, who: services.service_type_save(
            actor=who, outlet=w.outlet_a, code="NEW", name="新业务", prefix="N", counter_kinds=["high"]
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "counter_save",
        call=lambda w, who: services.counter_save(
            actor=who, outlet=w.outlet_a, code="OA-W90", number=90, kind="high"
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "counter_set_open",
        setup=_floor,
        call=lambda w, who: services.counter_set_open(actor=who, counter=w.counters["high1"], is_open=True),
        holder=lambda w: w.teller_a,
        without=_lobby_a,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "ticket_issue",
        setup=_floor,
        call=lambda w, who: services.ticket_issue(actor=who, outlet=w.outlet_a, service_code="CASH"),
        holder=lambda w: w.teller_a,
        without=lambda w: w.auditor,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "appointment_book",
        setup=_floor,
        call=lambda w, who: services.appointment_book(
            actor=who, outlet=w.outlet_a, service_code="CASH", starts_at=clock.now()
        ),
        holder=lambda w: w.teller_a,
        without=lambda w: w.auditor,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "appointment_check_in",
        setup=_booked,
        call=lambda w, who: services.appointment_check_in(
            actor=who, outlet=w.outlet_a, code=w.appointment.code
        ),
        holder=lambda w: w.teller_a,
        without=lambda w: w.auditor,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "ticket_call_next",
        setup=_floor,
        call=lambda w, who: services.ticket_call_next(actor=who, counter=w.counters["high1"]),
        holder=lambda w: w.teller_a,
        without=_lobby_a,
        outsider=_teller_b,
    ),
    _step("ticket_recall", _called),
    _step("ticket_no_show", _called),
    _step("ticket_start", _called),
    _step("ticket_finish", _serving),
    AccessCase(
        S + "ticket_transfer",
        setup=_called,
        call=lambda w, who: services.ticket_transfer(actor=who, ticket=_ref(w), counter_kind="low"),
        holder=lambda w: w.teller_a,
        without=_lobby_a,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "ticket_refer",
        setup=_called,
        call=lambda w, who: services.ticket_refer(actor=who, ticket=_ref(w), staff_code="HEAD_A"),
        holder=lambda w: w.teller_a,
        without=_lobby_a,
        outsider=_teller_b,
    ),
    AccessCase(
        S + "ticket_divert",
        setup=_floor,
        call=lambda w, who: services.ticket_divert(actor=who, ticket=_ref(w), channel="mobile_banking"),
        holder=_lobby_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "ticket_leave",
        setup=_floor,
        call=lambda w, who: services.ticket_leave(actor=who, ticket=_ref(w)),
        holder=_lobby_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "tickets_close_day",
        setup=_floor,
        call=lambda w, who: services.tickets_close_day(actor=who, before=clock.today()),
        holder=lambda w: SYSTEM,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "position_assign",
        call=lambda w, who: services.position_assign(
            actor=who, outlet=w.outlet_a, date=clock.today(), position=1, staff=None
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    _read(
        "outlets",
        lambda w, who: selectors.outlets(fetched_by=who),
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    _read("outlet", lambda w, who: selectors.outlet(fetched_by=who, code="OA")),
    _read("services", lambda w, who: selectors.services(fetched_by=who, outlet=w.outlet_a)),
    _read("counters", lambda w, who: selectors.counters(fetched_by=who, outlet=w.outlet_a)),
    _read("workable_counters", lambda w, who: selectors.workable_counters(fetched_by=who, outlet=w.outlet_a)),
    _read("counter", lambda w, who: selectors.counter(fetched_by=who, code="OA-W01")),
    _read("ticket", lambda w, who: selectors.ticket(fetched_by=who, pk=w.ticket.pk)),
    _read("outlet_staff", lambda w, who: selectors.outlet_staff(fetched_by=who, outlet=w.outlet_a)),
    _read(
        "referral_colleagues", lambda w, who: selectors.referral_colleagues(fetched_by=who, outlet=w.outlet_a)
    ),
    _read("queue", lambda w, who: selectors.queue(fetched_by=who, outlet=w.outlet_a)),
    _read(
        "counter_waiting",
        lambda w, who: selectors.counter_waiting(fetched_by=who, counter=w.counters["high1"]),
    ),
    _read("position_in_line", lambda w, who: selectors.position_in_line(fetched_by=who, ticket=w.ticket)),
    _read("calls", lambda w, who: selectors.calls(fetched_by=who, outlet=w.outlet_a)),
    _read(
        "counter_current",
        lambda w, who: selectors.counter_current(fetched_by=who, counter=w.counters["high1"]),
        setup=_called,
    ),
    _read(
        "diversion_stats",
        lambda w, who: selectors.diversion_stats(fetched_by=who, outlet=w.outlet_a, day=clock.today()),
    ),
    _read(
        "positions", lambda w, who: selectors.positions(fetched_by=who, outlet=w.outlet_a, day=clock.today())
    ),
    _read("outlet_day", lambda w, who: selectors.outlet_day(fetched_by=who, outlet=w.outlet_a)),
    AccessCase(
        Q + "my_day",
        setup=_floor,
        call=lambda w, who: selectors.my_day(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_handler_a,  # own figures only; a complaint handler has no counter day
    ),
]

EXEMPT = {
    S + "format_number": "pure formatting of a ticket number, no principal and no data",
    Q + "ticket_ref": "reads nothing: the ticket services lock, load and check the row themselves",
    Q + "customer_profile": "masks a ticket its caller already read through a checked selector or service; "
    "it only decides what a device kind may see of the customer",
    Q
    + "my_ticket": "the customer's own ticket behind a signed link: the token is the capability, no principal",
    Q
    + "my_ticket_segment": "the ticket behind a signed link (the token is the capability), for ticket_leave",
}
