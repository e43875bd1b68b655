"""Reads of the branch floor, always org-scoped and permission-checked: outlets with counters, the live queue,
a counter's own waiting list, calls, lobby positions.

Every selector takes the reader as `fetched_by` and calls `core.access.require` with the read permission
and the outlet; a unit the reader cannot see is NotFound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy

from fuwu.core import access, clock, pii, roles, sql
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal, system
from fuwu.core.scoping import can_see_path, visible
from fuwu.floor import estimates, mobile, policy
from fuwu.floor.models import Counter, LobbyPosition, PositionAssignment, ServiceType, Ticket, TicketEvent
from fuwu.floor.services import DIVERT_CHANNELS, HELD, ISSUED, TICKETS

S = Ticket.Status
VIEW_TICKET = "floor.view_ticket"
VIEW_SERVICE = "floor.view_servicetype"
VIEW_COUNTER = "floor.view_counter"
VIEW_POSITION = "floor.view_positionassignment"
# The state a ticket waits in, and those in which it holds a counter, as floor.services.TICKETS declares them.
WAITING = (ISSUED,)
AT_COUNTER = HELD


def outlets(*, fetched_by: Principal) -> QuerySet[OrgUnit]:
    """The outlets the reader sees, for pickers and the device API's /outlets."""
    access.require(fetched_by, VIEW_COUNTER)
    return visible(OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET), fetched_by).order_by("code")


def outlet(*, fetched_by: Principal, code: str) -> OrgUnit:
    # Written out (fuwu.core.sql): every kiosk call starts here.
    found = sql.select(OrgUnit, "code = %s AND kind = %s", [code, OrgUnit.Kind.OUTLET])
    if not found or not can_see_path(fetched_by, found[0].path):
        raise NotFound()
    access.require(fetched_by, VIEW_COUNTER, unit=found[0])
    return found[0]


def services(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[ServiceType]:
    """The outlet's active business types, in catalogue order."""
    access.require(fetched_by, VIEW_SERVICE, unit=outlet)
    return visible(ServiceType.objects.filter(outlet=outlet, is_active=True), fetched_by)


def counters(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[Counter]:
    """The outlet's counters with who holds them."""
    access.require(fetched_by, VIEW_COUNTER, unit=outlet)
    return visible(Counter.objects.filter(outlet=outlet).select_related("staff"), fetched_by)


def workable_counters(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[Counter]:
    """The counters a person may take at the counter console: not the demo's simulated day's own (#19)."""
    return counters(fetched_by=fetched_by, outlet=outlet).filter(is_simulated=False)


_OUTLET_REF = ("id", "path")


def counter(*, fetched_by: Principal, code: str) -> Counter:
    """A visible counter with its outlet's identity and tree path (the rest of the outlet loads on use)."""
    # Written out (fuwu.core.sql): every counter terminal call starts here.
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql.columns(Counter, alias='c')}, o.id, o.path FROM {Counter._meta.db_table} c "
            f"JOIN {OrgUnit._meta.db_table} o ON o.id = c.outlet_id WHERE c.code = %s",
            [code],
        )
        row = cursor.fetchone()
    if row is None or not can_see_path(fetched_by, row[-1]):
        raise NotFound()
    found = sql.instance(Counter, None, row)
    found.outlet = sql.instance(OrgUnit, _OUTLET_REF, row[-2:])
    access.require(fetched_by, VIEW_COUNTER, unit=found.outlet)
    return found


def ticket(*, fetched_by: Principal, pk: int) -> Ticket:
    """One ticket with its outlet, business, counter, customer and staff."""
    found = (
        visible(
            Ticket.objects.select_related("outlet", "service", "counter", "customer", "staff"), fetched_by
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    access.require(fetched_by, VIEW_TICKET, unit=found.outlet)
    return found


def ticket_ref(*, fetched_by: Principal, pk: int) -> Ticket:
    """A ticket by id for the ticket services, which lock, load and check the row themselves.

    Nothing is read here: a ticket that is missing or not the reader's is the service's NotFound, so a
    step costs no read before the locked one.
    """
    return Ticket(pk=pk)


@dataclass
class CustomerProfile:
    tier: str
    is_special_group: bool
    name_masked: str
    card_masked: str
    phone_masked: str
    customer_no: str


def customer_profile(*, fetched_by: Principal, ticket: Ticket) -> CustomerProfile | None:
    """The masked profile of an identified customer, for staff and counter terminals only (Q3).

    Kiosks, pads and display boards face the public: they never learn who holds a ticket.
    """
    if ticket.customer is None:
        return None
    if isinstance(fetched_by, DevicePrincipal) and fetched_by.kind != "counter":
        return None
    # Recognition matches identifiers bank-wide, so whoever issues a ticket could type a stranger's
    # phone number; the profile is shown only for the customer present at a counter (#18), and
    # floor.services audits that showing when the ticket is called.
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        return None
    return CustomerProfile(
        tier=ticket.customer_tier,
        is_special_group=ticket.is_special_group,
        name_masked=pii.mask_name(ticket.customer.name),
        card_masked=ticket.customer.card_masked,
        phone_masked=ticket.customer.phone_masked,
        customer_no=ticket.customer.customer_no,
    )


def outlet_staff(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[User]:
    """Active staff of the outlet, for lobby positions."""
    access.require(fetched_by, VIEW_POSITION, unit=outlet)
    return visible(User.objects.filter(org_unit=outlet, is_active=True), fetched_by).order_by("display_name")


def referral_colleagues(*, fetched_by: Principal, outlet: OrgUnit) -> QuerySet[User]:
    """Who a counter may refer a customer to (转介): the outlet's relationship managers and its head."""
    access.require(fetched_by, VIEW_COUNTER, unit=outlet)
    return (
        visible(
            User.objects.filter(
                org_unit=outlet, is_active=True, groups__name__in=[roles.RM, roles.OUTLET_HEAD]
            ),
            fetched_by,
        )
        .distinct()
        .order_by("display_name")
    )


@dataclass
class QueueView:
    outlet: OrgUnit
    business_date: dt.date
    services: list[dict[str, Any]] = field(default_factory=list)
    counters: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)


def queue(*, fetched_by: Principal, outlet: OrgUnit, with_customers: bool = False) -> QueueView:
    """Waiting per business type, each counter and what it serves now, and the line with estimated waits.

    VIP and special-group marks are included only for staff (with_customers); displays never get them.
    """
    access.require(fetched_by, VIEW_TICKET, unit=outlet)
    now = clock.now()
    day = clock.business_date(now)
    catalogue = list(services(fetched_by=fetched_by, outlet=outlet))
    today = visible(Ticket.objects.filter(outlet=outlet, business_date=day), fetched_by)
    est = estimates.waits(outlet, now=now)
    view = QueueView(outlet=outlet, business_date=day)
    waiting_by_service: dict[int, list[int]] = {}
    for tid, sid in today.filter(status__in=WAITING).values_list("id", "service_id"):
        waiting_by_service.setdefault(sid, []).append(tid)
    for s in catalogue:
        waits = [est[t] for t in waiting_by_service.get(s.pk, []) if t in est]
        view.services.append(
            {
                "code": s.code,
                "name": s.name,
                "prefix": s.prefix,
                "waiting": len(waiting_by_service.get(s.pk, [])),
                "estimated_wait_seconds": max(waits) if waits else 0,
                "target_wait_seconds": s.target_wait_seconds,
            }
        )
    active = {t.counter_id: t for t in today.filter(status__in=AT_COUNTER).select_related("service")}
    for c in counters(fetched_by=fetched_by, outlet=outlet):
        current = active.get(c.pk)
        view.counters.append(
            {
                "code": c.code,
                "number": c.number,
                "kind": c.kind,
                "is_open": c.is_open,
                "services": policy.served_services(c.kind, catalogue),
                "staff": (c.staff.display_name or c.staff.username) if c.staff and with_customers else None,
                "current": {
                    "id": current.pk,
                    "number": current.number,
                    "status": current.status,
                    "service_code": current.service.code,
                }
                if current
                else None,
            }
        )
    line = list(
        today.filter(status__in=WAITING)
        .select_related("outlet", "service", "customer")
        .order_by("route_key", "id")
    )
    view.waiting = [_waiting_row(t, est, now, with_customers=with_customers) for t in line]
    if with_customers:
        # What staff may do to each waiting customer (the lobby's divert), from the declaration.
        for t, row in zip(line, view.waiting, strict=True):
            row["actions"] = [a.name for a in TICKETS.allowed(t, fetched_by)]
    return view


def _waiting_row(t: Ticket, est: dict[int, int], now: dt.datetime, *, with_customers: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": t.pk,
        "number": t.number,
        "service_code": t.service.code,
        "service_name": t.service.name,
        "required_counter_kind": t.required_counter_kind,
        "issued_at": t.issued_at,
        "estimated_wait_seconds": est.get(t.pk),
    }
    if with_customers:
        row.update(
            {
                "is_vip": t.customer_tier in ("wealth", "private"),
                "is_special_group": t.is_special_group,
                "priority_class": t.priority_class,
                "channel": t.channel,
                "waited_seconds": round((now - t.issued_at).total_seconds()),
            }
        )
    return row


def counter_waiting(*, fetched_by: Principal, counter: Counter) -> list[dict[str, Any]]:
    """The tickets this counter may call, in the order it calls them (floor.policy's rule, transfers included).

    What the counter console shows as "waiting for this counter"; the page's script only renders it.
    """
    access.require(fetched_by, VIEW_TICKET, unit=counter.outlet)
    now = clock.now()
    catalogue = list(ServiceType.objects.filter(outlet_id=counter.outlet_id))
    kinds = {s.pk: frozenset(s.counter_kind_list) for s in catalogue}
    line = (
        visible(
            Ticket.objects.filter(
                outlet_id=counter.outlet_id, business_date=clock.business_date(now), status__in=WAITING
            ),
            fetched_by,
        )
        .select_related("service", "customer")
        .order_by("route_key", "id")
    )
    est = estimates.waits(counter.outlet, now=now)
    return [
        _waiting_row(t, est, now, with_customers=not isinstance(fetched_by, DevicePrincipal))
        for t in line
        if policy.eligible(policy.waiting_of(t), counter.kind, kinds, simulated_counter=counter.is_simulated)
    ]


def position_in_line(*, fetched_by: Principal, ticket: Ticket) -> int:
    """How many waiting tickets a counter of any allowed kind would call before this one, plus one."""
    access.require(fetched_by, VIEW_TICKET, unit=ticket.outlet)
    return _position_in_line(ticket)


def _position_in_line(t: Ticket) -> int:
    # Written out (fuwu.core.sql): every ticket issued answers with it.
    key = sql.value(Ticket, "route_key", t.route_key)
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Ticket._meta.db_table} WHERE outlet_id = %s AND business_date = %s "
            "AND status = %s AND service_id = %s AND is_simulated = %s "
            "AND (route_key < %s OR (route_key = %s AND id < %s))",
            [
                t.outlet_id,
                sql.value(Ticket, "business_date", t.business_date),
                S.WAITING,
                t.service_id,
                t.is_simulated,
                key,
                key,
                t.pk,
            ],
        )
        return int(cursor.fetchone()[0]) + 1


def calls(
    *, fetched_by: Principal, outlet: OrgUnit, after_id: int = 0, limit: int = 20
) -> list[dict[str, Any]]:
    """Calls and recalls of today since event `after_id`, oldest first: what the display announces."""
    access.require(fetched_by, VIEW_TICKET, unit=outlet)
    day = clock.today()
    events = (
        visible(
            TicketEvent.objects.filter(
                ticket__outlet=outlet,
                ticket__business_date=day,
                kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED],
                pk__gt=after_id,
            ),
            fetched_by,
        )
        .select_related("ticket", "counter")
        .order_by("-pk")[:limit]
    )
    return [
        {
            "event_id": e.pk,
            "number": e.ticket.number,
            "counter_number": e.counter.number if e.counter else None,
            "kind": e.kind,
            "at": e.at,
        }
        for e in reversed(list(events))
    ]


def counter_current(*, fetched_by: Principal, counter: Counter) -> Ticket | None:
    """The ticket the counter holds now (called or being served), if any."""
    access.require(fetched_by, VIEW_TICKET, unit=counter.outlet)
    return (
        Ticket.objects.filter(counter=counter, status__in=AT_COUNTER)
        .select_related("outlet", "service", "counter", "customer")
        .first()
    )


def workplace(*, fetched_by: Principal, outlet: OrgUnit, place: str) -> OrgUnit:
    """The outlet whose counter console or lobby console `fetched_by` opens: the page's own right (#19).

    The console needs the right to operate counters, the lobby the right to divert; the menu shows each
    page by the same permission (floor/nav.py), so what the menu offers and what opens are one rule.
    """
    access.require(fetched_by, WORKPLACES[place], unit=outlet)
    return outlet


WORKPLACES = {"counter": "floor.change_ticket", "lobby": "floor.divert_ticket"}


def diversion_stats(*, fetched_by: Principal, outlet: OrgUnit, day: dt.date) -> dict[str, int]:
    """Tickets issued and diverted on `day` (transfers' onward segments not counted twice; the real floor's)."""
    access.require(fetched_by, VIEW_TICKET, unit=outlet)
    today = visible(
        Ticket.objects.filter(policy.real(), outlet=outlet, business_date=day, transferred_from__isnull=True),
        fetched_by,
    )
    return {"issued": today.count(), "diverted": today.filter(status=S.DIVERTED).count()}


@dataclass
class PositionRow:
    position: int
    label: str
    holder: User | None
    covered_by: User | None = None
    cover_from: int | None = None  # the position the cover comes from; None when the outlet head covers


FALLBACK_ORDER = (3, 4, 7)


def positions(*, fetched_by: Principal, outlet: OrgUnit, day: dt.date) -> list[PositionRow]:
    """Who holds each lobby position; vacant 1 and 2 are covered by 3, 4, 7 in that order, else the outlet head."""
    access.require(fetched_by, VIEW_POSITION, unit=outlet)
    held = {
        a.position: a.staff
        for a in visible(
            PositionAssignment.objects.filter(outlet=outlet, date=day).select_related("staff"), fetched_by
        )
    }
    rows = [PositionRow(p.value, str(p.label), held.get(p.value)) for p in LobbyPosition]
    donors = [p for p in FALLBACK_ORDER if held.get(p) is not None]
    head = (
        visible(
            User.objects.filter(org_unit=outlet, is_active=True, groups__name=roles.OUTLET_HEAD),
            fetched_by,
        )
        .order_by("pk")
        .first()
    )
    for row in rows[:2]:
        if row.holder is not None:
            continue
        if donors:
            row.cover_from = donors.pop(0)
            row.covered_by = held[row.cover_from]
        else:
            row.covered_by = head
    return rows


# --- the customer's own ticket (public, by signed link; Q2, Q6) -------------------------------------


# The mobile ticket page's words for a ticket's state (those naming a window or channel are in MyTicket.message).
MY_TICKET_MESSAGES = {
    S.WAITING: gettext_lazy("Waiting"),
    S.FINISHED: gettext_lazy("Done. Thank you for your visit."),
    S.NO_SHOW: gettext_lazy(
        "Your number was called and has passed. Please take a new number or ask the lobby staff."
    ),
    S.CANCELLED: gettext_lazy("You gave up this number. Take a new one if you come back."),
}


@dataclass
class MyTicket:
    """What the customer's phone may show: no tier, special group, name, card, ID or phone, ever."""

    token: str
    number: str
    service_name: str
    outlet_name: str
    status: str  # waiting, called, serving, finished, no_show, diverted, cancelled
    business_date: dt.date
    issued_at: dt.datetime
    counter_number: int | None = None
    people_ahead: int | None = None
    estimated_wait_seconds: int | None = None
    diverted_channel: str = ""
    can_leave: bool = False  # the page offers "I'm leaving" (the declaration allows it now)

    @property
    def is_over(self) -> bool:
        return self.status not in (S.WAITING, S.CALLED, S.SERVING)

    @property
    def wait_minutes(self) -> int | None:
        if self.estimated_wait_seconds is None:
            return None
        return max(0, round(self.estimated_wait_seconds / 60))

    @property
    def is_waiting(self) -> bool:
        """Still in line: the page shows the place in line, the wait and "I'm leaving"."""
        return self.status == S.WAITING

    @property
    def go_now(self) -> bool:
        """Called to a window: the page flashes the message."""
        return self.status == S.CALLED

    @property
    def message(self) -> str:
        """What the customer's page says of the ticket now, in the reader's language."""
        window = {"number": self.counter_number}
        if self.status == S.CALLED:
            return gettext("Please go to window %(number)s now") % window
        if self.status == S.SERVING:
            return gettext("Being served at window %(number)s") % window
        if self.status == S.DIVERTED:
            channel = DIVERT_CHANNELS.get(self.diverted_channel, "")
            return gettext("You were guided to: %(channel)s") % {"channel": channel}
        found = MY_TICKET_MESSAGES.get(S(self.status))
        return gettext("This number is closed.") if found is None else str(found)


# Who acts when the customer uses their own ticket's page: the signed link is their key.
MOBILE = system("mobile ticket")


def my_ticket_segment(token: str) -> Ticket:
    """The ticket a mobile link stands for now: its own, or where transfers have taken the visit."""
    return _follow(_linked(token))


def _linked(token: str) -> Ticket:
    pk, day = mobile.read_token(token)
    found = (
        Ticket.objects.select_related("service", "outlet", "counter").filter(pk=pk, business_date=day).first()
    )
    if found is None:
        raise NotFound()
    return found


def _follow(found: Ticket) -> Ticket:
    # A transfer ends this segment and continues the visit under the same number in a new one.
    for _ in range(20):
        if found.status != S.TRANSFERRED:
            break
        onward = (
            Ticket.objects.select_related("service", "outlet", "counter")
            .filter(transferred_from_id=found.pk)
            .order_by("pk")
            .first()
        )
        if onward is None:
            break
        found = onward
    return found


def my_ticket(token: str) -> MyTicket:
    """The visit behind a mobile ticket link, followed through transfers to where the customer is now.

    No principal: the signed token is the capability (fuwu.floor.mobile), the way the feedback box's private
    link is; it names one ticket of today and nothing else. NotFound for tampered or expired links.
    """
    first = _linked(token)
    found = _follow(first)
    view = MyTicket(
        token=token,
        number=first.number,
        service_name=found.service.name,
        outlet_name=found.outlet.name,
        status=found.status,
        business_date=found.business_date,
        issued_at=first.issued_at,
        counter_number=found.counter.number
        if found.counter and found.status in (S.CALLED, S.SERVING)
        else None,
        diverted_channel=found.diverted_channel,
        can_leave=any(a.name == "leave" for a in TICKETS.allowed(found, MOBILE)),
    )
    if found.status == S.WAITING:
        view.people_ahead = _position_in_line(found) - 1
        view.estimated_wait_seconds = estimates.waits(found.outlet).get(found.pk)
    return view


# --- the home page's worklists (#19) ---------------------------------------------------------------------


@dataclass(frozen=True)
class MyDay:
    """A staff member's own day at the counter: where they sit and what they have served."""

    counter: Counter | None
    current: Ticket | None
    served: int
    average_handle_seconds: float | None


def my_day(*, fetched_by: Principal) -> MyDay:
    """The reader's own counter and today's served tickets and average handle time (nobody else's)."""
    access.require(fetched_by, VIEW_TICKET)
    if not isinstance(fetched_by, User):
        return MyDay(None, None, 0, None)
    day = clock.today()
    mine = Counter.objects.filter(staff=fetched_by).select_related("outlet").order_by("number").first()
    current = None
    if mine is not None:
        current = (
            Ticket.objects.filter(counter=mine, business_date=day, status__in=AT_COUNTER)
            .select_related("service")
            .first()
        )
    served = Ticket.objects.filter(
        staff=fetched_by,
        business_date=day,
        status=S.FINISHED,
        started_at__isnull=False,
        finished_at__isnull=False,
    )
    spans = [(f - s).total_seconds() for s, f in served.values_list("started_at", "finished_at") if s and f]
    return MyDay(mine, current, len(spans), sum(spans) / len(spans) if spans else None)


@dataclass(frozen=True)
class OutletDay:
    """An outlet's queue now and its day so far: what an outlet head and the lobby look at first."""

    outlet: OrgUnit
    waiting: int
    waiting_vip: (
        int  # VIP (wealth, private banking) or special-care customers, as the lobby console marks them
    )
    longest_wait_seconds: int
    served: int
    average_wait_seconds: float | None
    over_target: int  # served today after waiting longer than their business type's target
    counters_open: int
    counters: int


def outlet_day(*, fetched_by: Principal, outlet: OrgUnit) -> OutletDay:
    """Today's queue and figures of one outlet the reader may see: the real floor's, not the live simulated
    day's customers and windows (floor.policy.real)."""
    access.require(fetched_by, VIEW_TICKET, unit=outlet)
    now = clock.now()
    today = visible(
        Ticket.objects.filter(policy.real(), outlet=outlet, business_date=clock.business_date(now)),
        fetched_by,
    )
    waiting = list(
        today.filter(status__in=WAITING).values_list("issued_at", "customer_tier", "is_special_group")
    )
    called = list(
        today.filter(called_at__isnull=False).values_list(
            "issued_at", "called_at", "service__target_wait_seconds"
        )
    )
    waits = [(c - i).total_seconds() for i, c, _target in called if c is not None]
    counters_all = list(
        Counter.objects.filter(policy.real(), outlet=outlet).values_list("is_open", flat=True)
    )
    return OutletDay(
        outlet=outlet,
        waiting=len(waiting),
        waiting_vip=len([1 for _i, tier, special in waiting if special or tier in ("wealth", "private")]),
        longest_wait_seconds=int(max(((now - i).total_seconds() for i, _t, _s in waiting), default=0)),
        served=today.filter(status=S.FINISHED).count(),
        average_wait_seconds=sum(waits) / len(waits) if waits else None,
        over_target=sum(1 for i, c, target in called if c is not None and (c - i).total_seconds() > target),
        counters_open=len([1 for is_open in counters_all if is_open]),
        counters=len(counters_all),
    )
