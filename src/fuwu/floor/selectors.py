"""Reads of the branch floor, always org-scoped: outlets with counters, the live queue, calls, lobby positions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from fuwu.core import clock, pii, roles, sql
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal
from fuwu.core.scoping import can_see_path, get_visible, visible
from fuwu.floor import estimates, mobile
from fuwu.floor.models import Counter, LobbyPosition, PositionAssignment, ServiceType, Ticket, TicketEvent

S = Ticket.Status


def outlets(principal: Any) -> QuerySet[OrgUnit]:
    return visible(OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET), principal).order_by("code")


def outlet(principal: Any, code: str) -> OrgUnit:
    # Written out (fuwu.core.sql): every kiosk call starts here.
    found = sql.select(OrgUnit, "code = %s AND kind = %s", [code, OrgUnit.Kind.OUTLET])
    if not found or not can_see_path(principal, found[0].path):
        raise NotFound()
    return found[0]


def services(principal: Any, outlet_unit: OrgUnit) -> QuerySet[ServiceType]:
    return visible(ServiceType.objects.filter(outlet=outlet_unit, is_active=True), principal)


def counters(principal: Any, outlet_unit: OrgUnit) -> QuerySet[Counter]:
    return visible(Counter.objects.filter(outlet=outlet_unit).select_related("staff"), principal)


_OUTLET_REF = ("id", "path")


def counter(principal: Any, code: str) -> Counter:
    """A visible counter with its outlet's identity and tree path (the rest of the outlet loads on use)."""
    # Written out (fuwu.core.sql): every counter terminal call starts here.
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql.columns(Counter, alias='c')}, o.id, o.path FROM {Counter._meta.db_table} c "
            f"JOIN {OrgUnit._meta.db_table} o ON o.id = c.outlet_id WHERE c.code = %s",
            [code],
        )
        row = cursor.fetchone()
    if row is None or not can_see_path(principal, row[-1]):
        raise NotFound()
    found = sql.instance(Counter, None, row)
    found.outlet = sql.instance(OrgUnit, _OUTLET_REF, row[-2:])
    return found


def ticket(principal: Any, pk: int) -> Ticket:
    return get_visible(
        Ticket.objects.select_related("outlet", "service", "counter", "customer", "staff"), principal, pk=pk
    )


def ticket_ref(principal: Any, pk: int) -> Ticket:
    """A ticket by id for the ticket services, which lock, load and scope-check the row themselves.

    Nothing is read here: a ticket that is missing or not the principal's is the service's NotFound, so a
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


def customer_profile(principal: Any, t: Ticket) -> CustomerProfile | None:
    """The masked profile of an identified customer, for staff and counter terminals only (Q3).

    Kiosks, pads and display boards face the public: they never learn who holds a ticket.
    """
    if t.customer is None:
        return None
    if isinstance(principal, DevicePrincipal) and principal.kind != "counter":
        return None
    return CustomerProfile(
        tier=t.customer_tier,
        is_special_group=t.is_special_group,
        name_masked=pii.mask_name(t.customer.name),
        card_masked=t.customer.card_masked,
        phone_masked=t.customer.phone_masked,
    )


def outlet_staff(principal: Any, outlet_unit: OrgUnit) -> QuerySet[User]:
    """Active staff of the outlet, for lobby positions."""
    return visible(User.objects.filter(org_unit=outlet_unit, is_active=True), principal).order_by(
        "display_name"
    )


def referral_colleagues(principal: Any, outlet_unit: OrgUnit) -> QuerySet[User]:
    """Who a counter may refer a customer to (转介): the outlet's relationship managers and its head."""
    return (
        visible(
            User.objects.filter(
                org_unit=outlet_unit, is_active=True, groups__name__in=[roles.RM, roles.OUTLET_HEAD]
            ),
            principal,
        )
        .distinct()
        .order_by("display_name")
    )


def counter_services(counter_obj: Counter, catalogue: list[ServiceType]) -> list[str]:
    return [s.code for s in catalogue if counter_obj.kind in s.counter_kind_list]


@dataclass
class QueueView:
    outlet: OrgUnit
    business_date: dt.date
    services: list[dict[str, Any]] = field(default_factory=list)
    counters: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)


def queue(principal: Any, outlet_unit: OrgUnit, *, with_customers: bool = False) -> QueueView:
    """Waiting per business type, each counter and what it serves now, and the line with estimated waits.

    VIP and special-group marks are included only for staff (with_customers); displays never get them.
    """
    now = clock.now()
    day = clock.business_date(now)
    catalogue = list(services(principal, outlet_unit))
    today = visible(Ticket.objects.filter(outlet=outlet_unit, business_date=day), principal)
    est = estimates.waits(outlet_unit, now=now)
    view = QueueView(outlet=outlet_unit, business_date=day)
    waiting_by_service: dict[int, list[int]] = {}
    for tid, sid in today.filter(status=S.WAITING).values_list("id", "service_id"):
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
    active = {
        t.counter_id: t for t in today.filter(status__in=[S.CALLED, S.SERVING]).select_related("service")
    }
    for c in counters(principal, outlet_unit):
        current = active.get(c.pk)
        view.counters.append(
            {
                "code": c.code,
                "number": c.number,
                "kind": c.kind,
                "is_open": c.is_open,
                "services": counter_services(c, catalogue),
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
    for t in today.filter(status=S.WAITING).select_related("service", "customer").order_by("route_key", "id"):
        row: dict[str, Any] = {
            "id": t.pk,
            "number": t.number,
            "service_code": t.service.code,
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
        view.waiting.append(row)
    return view


def position_in_line(t: Ticket) -> int:
    """How many waiting tickets a counter of any allowed kind would call before this one, plus one."""
    # Written out (fuwu.core.sql): every ticket issued answers with it.
    key = sql.value(Ticket, "route_key", t.route_key)
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Ticket._meta.db_table} WHERE outlet_id = %s AND business_date = %s "
            "AND status = %s AND service_id = %s AND (route_key < %s OR (route_key = %s AND id < %s))",
            [
                t.outlet_id,
                sql.value(Ticket, "business_date", t.business_date),
                S.WAITING,
                t.service_id,
                key,
                key,
                t.pk,
            ],
        )
        return int(cursor.fetchone()[0]) + 1


def calls(
    principal: Any, outlet_unit: OrgUnit, *, after_id: int = 0, limit: int = 20
) -> list[dict[str, Any]]:
    """Calls and recalls of today since event `after_id`, oldest first: what the display announces."""
    day = clock.today()
    events = (
        visible(
            TicketEvent.objects.filter(
                ticket__outlet=outlet_unit,
                ticket__business_date=day,
                kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED],
                pk__gt=after_id,
            ),
            principal,
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


def ticket_events(principal: Any, t: Ticket) -> QuerySet[TicketEvent]:
    return visible(TicketEvent.objects.filter(ticket=t), principal).select_related("counter")


def last_call_id(principal: Any, outlet_unit: OrgUnit) -> int:
    last = visible(TicketEvent.objects.filter(ticket__outlet=outlet_unit), principal).order_by("-pk").first()
    return last.pk if last else 0


def counter_current(counter_obj: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter_obj, status__in=[S.CALLED, S.SERVING])
        .select_related("service", "customer")
        .first()
    )


def counters_for_user(user: Any) -> QuerySet[Counter]:
    return visible(Counter.objects.filter(outlet__kind=OrgUnit.Kind.OUTLET).select_related("outlet"), user)


def diversion_stats(principal: Any, outlet_unit: OrgUnit, day: dt.date) -> dict[str, int]:
    today = visible(
        Ticket.objects.filter(outlet=outlet_unit, business_date=day, transferred_from__isnull=True), principal
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


def positions(principal: Any, outlet_unit: OrgUnit, day: dt.date) -> list[PositionRow]:
    """Who holds each lobby position; vacant 1 and 2 are covered by 3, 4, 7 in that order, else the outlet head."""
    held = {
        a.position: a.staff
        for a in visible(
            PositionAssignment.objects.filter(outlet=outlet_unit, date=day).select_related("staff"), principal
        )
    }
    rows = [PositionRow(p.value, str(p.label), held.get(p.value)) for p in LobbyPosition]
    donors = [p for p in FALLBACK_ORDER if held.get(p) is not None]
    head = (
        visible(
            User.objects.filter(org_unit=outlet_unit, is_active=True, groups__name=roles.OUTLET_HEAD),
            principal,
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

    @property
    def is_over(self) -> bool:
        return self.status not in (S.WAITING, S.CALLED, S.SERVING)

    @property
    def wait_minutes(self) -> int | None:
        if self.estimated_wait_seconds is None:
            return None
        return max(0, round(self.estimated_wait_seconds / 60))


def my_ticket(token: str) -> MyTicket:
    """The visit behind a mobile ticket link, followed through transfers to where the customer is now.

    No principal: the signed token is the capability (fuwu.floor.mobile), the way the feedback box's private
    link is; it names one ticket of today and nothing else. NotFound for tampered or expired links.
    """
    pk, day = mobile.read_token(token)
    found = (
        Ticket.objects.select_related("service", "outlet", "counter").filter(pk=pk, business_date=day).first()
    )
    if found is None:
        raise NotFound()
    first = found
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
    )
    if found.status == S.WAITING:
        view.people_ahead = position_in_line(found) - 1
        view.estimated_wait_seconds = estimates.waits(found.outlet).get(found.pk)
    return view
