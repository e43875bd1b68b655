"""Every write on the branch floor: catalogue, counters, the life of a ticket (Q1–Q9).

Each service is one transaction. A ticket is re-read under a row lock (PostgreSQL) or inside SQLite's
IMMEDIATE write transaction before any transition, so concurrent requests see the state left by the
previous one and illegal steps fail with Conflict carrying the current state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.core import audit, clock, sql
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, principal_label
from fuwu.core.scoping import can_see_unit
from fuwu.customers.selectors import recognize
from fuwu.floor import estimates, policy
from fuwu.floor.models import (
    Counter,
    CounterKind,
    LobbyPosition,
    NumberSequence,
    PositionAssignment,
    ServiceType,
    Ticket,
    TicketEvent,
)

S = Ticket.Status
E = TicketEvent.Kind

DIVERT_CHANNELS = {
    "self_service": _("Self-service machine"),
    "smart_counter": _("Smart counter"),
    "mobile_banking": _("Mobile banking"),
    "online_banking": _("Online banking"),
}

NEWCOMER = 2**62  # id of the not-yet-written ticket in the wait projection: after every real one
ISSUE_PERM = "floor.add_ticket"
OPERATE_PERM = "floor.change_ticket"
LOBBY_PERM = "floor.divert_ticket"
CATALOGUE_PERM = "floor.change_servicetype"


# --- who may do what -------------------------------------------------------------------------------


def _see(actor: Any, outlet: OrgUnit) -> None:
    if actor is not None and not can_see_unit(actor, outlet):
        raise NotFound()


def _require_issue(actor: Any, outlet: OrgUnit) -> None:
    _see(actor, outlet)
    if actor is None:
        return
    if isinstance(actor, DevicePrincipal):
        if actor.kind != "kiosk":
            raise Forbidden(gettext("Only a kiosk may issue tickets."))
    elif not actor.has_perm(ISSUE_PERM):
        raise Forbidden(gettext("Your role may not issue tickets."))


def _require_counter(actor: Any, counter: Counter) -> None:
    """A counter is worked by its own counter terminal or by staff allowed to operate counters."""
    _see(actor, counter.outlet)
    if actor is None:
        return
    if isinstance(actor, DevicePrincipal):
        if actor.kind != "counter" or actor.counter_code != counter.code:
            raise Forbidden(gettext("This device is not the terminal of that counter."))
    elif not actor.has_perm(OPERATE_PERM):
        raise Forbidden(gettext("Your role may not operate a counter."))


def _require_ticket_at_counter(actor: Any, ticket: Ticket) -> None:
    _see(actor, ticket.outlet)
    if actor is None:
        return
    if isinstance(actor, DevicePrincipal):
        if actor.kind != "counter" or ticket.counter is None or actor.counter_code != ticket.counter.code:
            raise Forbidden(gettext("This ticket is not at this device's counter."))
    elif not actor.has_perm(OPERATE_PERM):
        raise Forbidden(gettext("Your role may not operate a counter."))


def _require_lobby(actor: Any, outlet: OrgUnit) -> None:
    _see(actor, outlet)
    if actor is None:
        return
    if isinstance(actor, DevicePrincipal) or not actor.has_perm(LOBBY_PERM):
        raise Forbidden(gettext("Only lobby staff may divert customers."))


# --- helpers ---------------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    qs = Ticket.objects.select_related("service", "counter", "outlet")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=ticket.pk)
    except Ticket.DoesNotExist as exc:
        raise NotFound() from exc


def _expect(ticket: Ticket, *allowed: str, action: str) -> None:
    if ticket.status not in allowed:
        raise Conflict(
            gettext("Ticket %(number)s is %(status)s: cannot %(action)s it.")
            % {"number": ticket.number, "status": ticket.get_status_display(), "action": action},
            code="illegal_transition",
            details={"status": ticket.status, "number": ticket.number, "allowed_from": list(allowed)},
        )


def _event(
    ticket: Ticket, kind: str, actor: Any, at: dt.datetime, counter: Counter | None = None, **data: Any
) -> TicketEvent:
    return sql.insert(
        TicketEvent(
            ticket=ticket, kind=kind, at=at, actor_label=principal_label(actor), counter=counter, data=data
        )
    )


# --- the terminals' hot path ----------------------------------------------------------------------
# Counter terminals call, start and finish all day: each of those steps is one conditional UPDATE …
# RETURNING written out (fuwu.core.sql says why). When it touches no row the step takes the locked path
# below it, which decides what is wrong (404, 403, 409) exactly as for staff at the console.

# What a step hands back about its ticket: enough for the terminal's answer; the rest loads on use.
_ROW = (
    "id",
    "outlet_id",
    "business_date",
    "number",
    "status",
    "service_id",
    "counter_id",
    "staff_id",
    "customer_id",
    "customer_tier",
    "is_special_group",
    "issued_at",
    "called_at",
    "last_called_at",
    "started_at",
    "finished_at",
    "recall_count",
    "estimated_wait_seconds",
)


def _returning() -> str:
    t, s, c = Ticket._meta.db_table, ServiceType._meta.db_table, Counter._meta.db_table
    return (
        f"{sql.columns(Ticket, _ROW)}, (SELECT s.code FROM {s} s WHERE s.id = {t}.service_id), "
        f"(SELECT s.name FROM {s} s WHERE s.id = {t}.service_id), "
        f"(SELECT c.code FROM {c} c WHERE c.id = {t}.counter_id), "
        f"(SELECT c.number FROM {c} c WHERE c.id = {t}.counter_id)"
    )


def _from_row(row: Any) -> Ticket:
    n = len(_ROW)
    ticket = sql.instance(Ticket, _ROW, row)
    ticket.service = sql.instance(
        ServiceType, ("id", "code", "name"), (ticket.service_id, row[n], row[n + 1])
    )
    if ticket.counter_id is not None:
        ticket.counter = sql.instance(
            Counter, ("id", "code", "number"), (ticket.counter_id, row[n + 2], row[n + 3])
        )
    return ticket


def _logged(
    update: str, params: list[Any], *, kind: str, actor: Any, now: dt.datetime
) -> tuple[str, list[Any], bool]:
    """`update` (an UPDATE … RETURNING of one ticket) that also writes the step's event where the database
    can do both in one statement (PostgreSQL's data-modifying WITH); the flag says whether it does."""
    if connection.vendor != "postgresql":
        return update, params, False
    return (
        f"WITH stepped AS ({update}), logged AS (INSERT INTO {TicketEvent._meta.db_table} "
        "(ticket_id, kind, at, actor_label, counter_id, data) SELECT id, %s, %s, %s, counter_id, %s FROM stepped) "
        "SELECT * FROM stepped",
        [*params, kind, _at(now), principal_label(actor), sql.value(TicketEvent, "data", {})],
        True,
    )


def _terminal_step(
    actor: Any,
    ticket: Ticket,
    *,
    expect: str,
    assign: str,
    params: list[Any],
    event: str | None,
    now: dt.datetime,
) -> tuple[Ticket | None, bool]:
    """A counter terminal's step on the ticket at its own counter, and whether its `event` was written too.

    (None, False) sends the caller the locked way: not a counter terminal, or not this terminal's ticket
    in the `expect`ed state.
    """
    if not isinstance(actor, DevicePrincipal) or actor.kind != "counter":
        return None, False
    t, c = Ticket._meta.db_table, Counter._meta.db_table
    update = (
        f"UPDATE {t} SET {assign} WHERE id = %s AND status = %s AND outlet_id = %s "
        f"AND counter_id = (SELECT c.id FROM {c} c WHERE c.code = %s) RETURNING {_returning()}"
    )
    args = [*params, ticket.pk, expect, actor.token.org_unit_id, actor.counter_code]
    logged = False
    if event is not None:
        update, args, logged = _logged(update, args, kind=event, actor=actor, now=now)
    with sql.cursor() as cursor:
        cursor.execute(update, args)
        row = cursor.fetchone()
    return (None, False) if row is None else (_from_row(row), logged)


def _at(moment: dt.datetime) -> Any:
    return sql.value(Ticket, "called_at", moment)


def _take_head(actor: Any, counter: Counter, now: dt.datetime) -> tuple[Ticket | None, bool]:
    """Lock the counter, then give it the first ticket it may serve (floor.policy order) unless it still holds
    one; the flag says whether the call's event was written by the same statement.

    The lock serializes two terminals (or a terminal and a retry) working one counter; both statements go
    to the database together (fuwu.core.sql.fetch_all).
    """
    t, s, c = Ticket._meta.db_table, ServiceType._meta.db_table, Counter._meta.db_table
    # SKIP LOCKED: a ticket another counter is taking right now is passed over, never handed out twice.
    skip = " FOR UPDATE OF q SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    at = _at(now)
    take = (
        f"UPDATE {t} SET status = %s, counter_id = %s, called_at = %s, last_called_at = %s, "
        # Staff at the console are credited themselves; a terminal credits whoever holds the counter.
        f"staff_id = COALESCE(%s, (SELECT c.staff_id FROM {c} c WHERE c.id = %s)) "
        f"WHERE status = %s AND id = (SELECT q.id FROM {t} q WHERE q.outlet_id = %s AND q.business_date = %s "
        "AND q.status = %s AND (q.required_counter_kind = %s OR (q.required_counter_kind = '' AND q.service_id IN "
        f"(SELECT v.id FROM {s} v WHERE v.outlet_id = %s AND ',' || v.counter_kinds || ',' LIKE %s))) "
        f"AND NOT EXISTS (SELECT 1 FROM {t} b WHERE b.counter_id = %s AND b.status IN (%s, %s)) "
        f"ORDER BY q.route_key, q.id LIMIT 1{skip}) RETURNING {_returning()}"
    )
    args = [
        S.CALLED,
        counter.pk,
        at,
        at,
        actor.pk if isinstance(actor, User) else None,
        counter.pk,
        S.WAITING,
        counter.outlet_id,
        sql.value(Ticket, "business_date", clock.business_date(now)),
        S.WAITING,
        counter.kind,
        counter.outlet_id,
        f"%,{counter.kind},%",
        counter.pk,
        S.CALLED,
        S.SERVING,
    ]
    take, args, logged = _logged(take, args, kind=E.CALLED, actor=actor, now=now)
    locked, taken = sql.fetch_all([_counter_lock(counter), (take, args)])
    _refresh(counter, locked)
    return (None, False) if not taken else (_from_row(taken[0]), logged)


def _counter_lock(counter: Counter) -> tuple[str, list[Any]]:
    """Serializes two terminals (or a terminal and a retry) working one counter; reads what may have moved."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT is_open, staff_id FROM {Counter._meta.db_table} WHERE id = %s{lock}", [counter.pk]


def _refresh(counter: Counter, locked: list[tuple[Any, ...]]) -> None:
    if not locked:
        raise NotFound()
    counter.is_open, counter.staff_id = bool(locked[0][0]), locked[0][1]


def _lock_counter(counter: Counter) -> None:
    """The counter lock of `_take_head`, alone, for the locked path."""
    [locked] = sql.fetch_all([_counter_lock(counter)])
    _refresh(counter, locked)


def _next_seq(outlet: OrgUnit, day: dt.date, prefix: str) -> int:
    """The next number of the day for this prefix; the row update serializes concurrent issuers."""
    # One upsert statement (PostgreSQL and SQLite >= 3.35 both speak it) instead of read-create-update-read:
    # the day's number row is the one hot row of an outlet, so the fewer round trips under its lock the better.
    table = NumberSequence._meta.db_table
    with sql.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (outlet_id, business_date, prefix, last) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (outlet_id, business_date, prefix) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [outlet.pk, day, prefix],
        )
        return int(cursor.fetchone()[0])


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


# --- catalogue and counters (Q1, Q10) -------------------------------------------------------------


@transaction.atomic
def service_type_save(
    *,
    actor: Any,
    outlet: OrgUnit,
    code: str,
    name: str,
    prefix: str,
    counter_kinds: list[str],
    complexity: str = ServiceType.Complexity.SIMPLE,
    is_cash: bool = False,
    target_wait_seconds: int = 900,
    mean_service_seconds: int = 300,
    materials: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> ServiceType:
    """Create or update one business type of an outlet's catalogue."""
    _see(actor, outlet)
    if actor is not None and not isinstance(actor, DevicePrincipal) and not actor.has_perm(CATALOGUE_PERM):
        raise Forbidden(gettext("Your role may not change the service catalogue."))
    problems = [
        {"field": "counter_kinds", "reason": f"unknown kind {k}"}
        for k in counter_kinds
        if k not in CounterKind.values
    ]
    if not counter_kinds:
        problems.append({"field": "counter_kinds", "reason": "required"})
    if not prefix.isalpha() or not prefix.isupper():
        problems.append({"field": "prefix", "reason": "one or two capital letters"})
    if problems:
        raise ValidationFailed(gettext("The business type is not valid."), details=problems)
    service = ServiceType.objects.filter(outlet=outlet, code=code).first() or ServiceType(
        outlet=outlet, code=code
    )
    service.name, service.prefix, service.counter_kinds = name, prefix, ",".join(counter_kinds)
    service.complexity, service.is_cash, service.target_wait_seconds = (
        complexity,
        is_cash,
        target_wait_seconds,
    )
    service.mean_service_seconds, service.materials = mean_service_seconds, materials
    service.sort_order, service.is_active = sort_order, is_active
    by(service, actor).save()
    return service


@transaction.atomic
def counter_save(
    *, actor: Any, outlet: OrgUnit, code: str, number: int, kind: str, is_open: bool = False
) -> Counter:
    """Create or update one counter (window) of an outlet."""
    _see(actor, outlet)
    if kind not in CounterKind.values:
        raise ValidationFailed(gettext("Unknown counter kind."), details=[{"field": "kind", "reason": kind}])
    counter = Counter.objects.filter(code=code).first() or Counter(code=code, outlet=outlet)
    if counter.outlet_id != outlet.pk:
        raise ValidationFailed(
            gettext("Counter code used by another outlet."), details=[{"field": "code", "reason": "taken"}]
        )
    counter.number, counter.kind, counter.is_open = number, kind, is_open
    by(counter, actor).save()
    return counter


@transaction.atomic
def counter_set_open(*, actor: Any, counter: Counter, is_open: bool) -> Counter:
    """Open a counter (the operating staff takes it) or close it."""
    _require_counter(actor, counter)
    counter = (
        Counter.objects.select_for_update().get(pk=counter.pk)
        if connection.features.has_select_for_update
        else Counter.objects.get(pk=counter.pk)
    )
    if not is_open and Ticket.objects.filter(counter=counter, status__in=[S.CALLED, S.SERVING]).exists():
        raise Conflict(gettext("Finish the current customer before closing."), details={"status": "busy"})
    counter.is_open = is_open
    if isinstance(actor, User):
        counter.staff = actor if is_open else None
    by(counter, actor).save()
    audit.record(
        actor=actor,
        action="floor.counter_open" if is_open else "floor.counter_close",
        target=counter,
        org_unit=counter.outlet,
    )
    return counter


# --- tickets (Q2–Q8) -------------------------------------------------------------------------------


def ticket_issue(
    *,
    actor: Any,
    outlet: OrgUnit,
    service_code: str,
    channel: str = "kiosk",
    customer_card: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    appointment_code: str | None = None,
) -> Ticket:
    """Issue today's next number for a business type, recognising the customer when identified (Q2, Q3).

    The ticket comes back with `position_at_issue`: its place among the waiting of its business.
    """
    _require_issue(actor, outlet)
    now = clock.now()
    day = clock.business_date(now)
    # The catalogue and all the estimate needs in one round trip, before anything is written.
    state = estimates.snapshot(outlet, now)
    service = next((s for s in state.catalogue if s.code == service_code and s.is_active), None)
    if service is None:
        raise ValidationFailed(
            gettext("This outlet offers no such business."),
            details=[{"field": "service_code", "reason": "unknown"}],
        )
    if appointment_code:
        channel = Ticket.Channel.APPOINTMENT
    if channel not in Ticket.Channel.values:
        raise ValidationFailed(gettext("Unknown channel."), details=[{"field": "channel", "reason": channel}])
    customer = (
        recognize(card=customer_card, id_number=id_number, phone=phone)
        if (customer_card or id_number or phone)
        else None
    )
    tier = customer.tier if customer else ""
    special = bool(
        customer
        and (customer.is_elderly or customer.is_disabled or customer.is_pregnant or customer.is_military)
    )
    pclass = policy.priority_class(appointment_due=bool(appointment_code), tier=tier, special_group=special)
    # Estimate first: the day's number row stays locked from _next_seq to commit, so keep that stretch short.
    newcomer = policy.Waiting(id=NEWCOMER, queued_at=now, priority_class=pclass, service_id=service.pk)
    estimate, position = state.joining(newcomer)
    # Everything above only reads and may refuse; the writes below need no savepoint of their own.
    with transaction.atomic(savepoint=False):
        seq = _next_seq(outlet, day, service.prefix)
        ticket = Ticket(
            outlet=outlet,
            business_date=day,
            number=format_number(service.prefix, seq),
            seq=seq,
            service=service,
            channel=channel,
            status=S.WAITING,
            priority_class=pclass,
            customer=customer,
            customer_tier=tier,
            is_special_group=special,
            issued_at=now,
            queued_at=now,
            route_key=policy.route_key(now, pclass),
            appointment_code=appointment_code or "",
            estimated_wait_seconds=estimate,
        )
        issued = TicketEvent(
            kind=E.ISSUED,
            at=now,
            actor_label=principal_label(actor),
            data={"channel": channel, "service": service.code},
        )
        sql.insert_pair(ticket, issued, link="ticket")
        ticket.position_at_issue = position
        if customer is not None:
            _event(ticket, E.RECOGNIZED, actor, now, tier=tier, special_group=special)
        return ticket


def _eligible_queue(counter: Counter, day: dt.date) -> Any:
    service_ids = [
        s.pk
        for s in ServiceType.objects.filter(outlet_id=counter.outlet_id)
        if counter.kind in s.counter_kind_list
    ]
    return (
        Ticket.objects.filter(outlet_id=counter.outlet_id, business_date=day, status=S.WAITING)
        .filter(
            Q(required_counter_kind=counter.kind) | Q(required_counter_kind="", service_id__in=service_ids)
        )
        .order_by("route_key", "id")
    )


def ticket_call_next(*, actor: Any, counter: Counter) -> Ticket | None:
    """Call the next ticket this counter may serve, by the policy in floor.policy; None when none waits (Q4)."""
    _require_counter(actor, counter)
    # No savepoint for the one-statement take: it either hands this counter a ticket or changes nothing.
    with transaction.atomic(savepoint=False):
        now = clock.now()
        head, logged = _take_head(actor, counter, now)
        if head is not None:
            return _called(actor, counter, head, now, logged=logged)
    with transaction.atomic():
        _lock_counter(counter)
        now = clock.now()
        staff_id = actor.pk if isinstance(actor, User) else counter.staff_id
        head = _take_head_locked(counter, staff_id, now)
        return None if head is None else _called(actor, counter, head, now, logged=False)


def _called(actor: Any, counter: Counter, head: Ticket, now: dt.datetime, *, logged: bool) -> Ticket:
    if not counter.is_open or (isinstance(actor, User) and counter.staff_id != actor.pk):
        counter.is_open, counter.staff_id = True, head.staff_id
        by(counter, actor).save(update_fields=["is_open", "staff"])
    head.counter = counter
    if not logged:
        _event(head, E.CALLED, actor, now, counter=counter)
    return head


def _take_head_locked(counter: Counter, staff_id: int | None, now: dt.datetime) -> Ticket | None:
    """The one-statement take found nothing: say why (busy counter, empty line) or retry past a lost race."""
    busy = Ticket.objects.filter(counter=counter, status__in=[S.CALLED, S.SERVING]).first()
    if busy is not None:
        raise Conflict(
            gettext("Counter still holds ticket %(number)s.") % {"number": busy.number},
            code="counter_busy",
            details={"status": busy.status, "number": busy.number, "ticket_id": busy.pk},
        )
    queue = _eligible_queue(counter, clock.business_date(now)).select_related("service")
    while True:
        head: Ticket | None = (
            queue.select_for_update(skip_locked=True, of=("self",))
            if connection.features.has_select_for_update
            else queue
        ).first()
        if head is None:
            return None
        taken = Ticket.objects.filter(pk=head.pk, status=S.WAITING).update(
            status=S.CALLED, counter=counter, staff_id=staff_id, called_at=now, last_called_at=now
        )
        if taken:
            # The row is ours now (the conditional update won); mirror it instead of reading it back.
            head.status, head.staff_id = S.CALLED, staff_id
            head.called_at = head.last_called_at = now
            return head


def _counter_step(
    actor: Any,
    ticket: Ticket,
    *,
    expect: str,
    action: str,
    assign: str,
    params: list[Callable[[dt.datetime], Any]],
    apply: Callable[[Ticket, dt.datetime], None],
    event: str,
    data: Callable[[Ticket], dict[str, Any]] | None = None,
) -> Ticket:
    """One step of the ticket at a counter: `assign` in SQL for the terminal's hot path, else `apply` on the
    locked row, which also says what is wrong (404, 403, 409). Either way one event records the step."""
    now = clock.now()
    # No savepoint for the one-statement path: it either changes the row or changes nothing.
    with transaction.atomic(savepoint=False):
        done, logged = _terminal_step(
            actor,
            ticket,
            expect=expect,
            assign=assign,
            params=[p(now) for p in params],
            event=event if data is None else None,
            now=now,
        )
        if done is not None:
            if not logged:
                _event(done, event, actor, now, counter=done.counter, **(data(done) if data else {}))
            return done
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_ticket_at_counter(actor, ticket)
        _expect(ticket, expect, action=action)
        apply(ticket, now)
        _event(ticket, event, actor, now, counter=ticket.counter, **(data(ticket) if data else {}))
        return ticket


def ticket_recall(*, actor: Any, ticket: Ticket) -> Ticket:
    """Call the same customer again (the display announces it again)."""

    def apply(t: Ticket, now: dt.datetime) -> None:
        t.recall_count += 1
        t.last_called_at = now
        t.save(update_fields=["recall_count", "last_called_at"])

    return _counter_step(
        actor,
        ticket,
        expect=S.CALLED,
        action=gettext("recall"),
        assign="recall_count = recall_count + 1, last_called_at = %s",
        params=[_at],
        apply=apply,
        event=E.RECALLED,
        data=lambda t: {"recall": t.recall_count},
    )


def ticket_no_show(*, actor: Any, ticket: Ticket) -> Ticket:
    """The called customer did not come: close the ticket and free the counter."""

    def apply(t: Ticket, now: dt.datetime) -> None:
        t.status = S.NO_SHOW
        t.save(update_fields=["status"])

    return _counter_step(
        actor,
        ticket,
        expect=S.CALLED,
        action=gettext("mark as no-show"),
        assign="status = %s",
        params=[lambda now: S.NO_SHOW],
        apply=apply,
        event=E.NO_SHOW,
    )


def ticket_start(*, actor: Any, ticket: Ticket) -> Ticket:
    """The customer arrived at the counter: service starts."""

    def apply(t: Ticket, now: dt.datetime) -> None:
        t.status, t.started_at = S.SERVING, now
        t.save(update_fields=["status", "started_at"])

    return _counter_step(
        actor,
        ticket,
        expect=S.CALLED,
        action=gettext("start"),
        assign="status = %s, started_at = %s",
        params=[lambda now: S.SERVING, _at],
        apply=apply,
        event=E.STARTED,
    )


def ticket_finish(*, actor: Any, ticket: Ticket) -> Ticket:
    """Service done; the customer is seen off (送客) and the counter is free."""

    def apply(t: Ticket, now: dt.datetime) -> None:
        t.status, t.finished_at = S.FINISHED, now
        if t.staff_id is None and t.counter is not None:
            t.staff_id = t.counter.staff_id
        t.save(update_fields=["status", "finished_at", "staff"])

    c, t = Counter._meta.db_table, Ticket._meta.db_table
    return _counter_step(
        actor,
        ticket,
        expect=S.SERVING,
        action=gettext("finish"),
        # As `apply`: credit the counter's staff member when the call did not name one.
        assign=f"status = %s, finished_at = %s, staff_id = COALESCE(staff_id, "
        f"(SELECT c.staff_id FROM {c} c WHERE c.id = {t}.counter_id))",
        params=[lambda now: S.FINISHED, _at],
        apply=apply,
        event=E.FINISHED,
    )


@transaction.atomic
def ticket_transfer(
    *, actor: Any, ticket: Ticket, service_code: str | None = None, counter_kind: str | None = None
) -> Ticket:
    """Send the customer on to another business or counter kind under the same number and place in line."""
    ticket = _locked(ticket)
    _require_ticket_at_counter(actor, ticket)
    _expect(ticket, S.CALLED, S.SERVING, action=gettext("transfer"))
    if not service_code and not counter_kind:
        raise ValidationFailed(
            gettext("Say where to: a business type or a counter kind."),
            details=[{"field": "service_code", "reason": "service_code or counter_kind required"}],
        )
    service = ticket.service
    if service_code:
        found = ServiceType.objects.filter(outlet=ticket.outlet, code=service_code, is_active=True).first()
        if found is None:
            raise ValidationFailed(
                gettext("This outlet offers no such business."),
                details=[{"field": "service_code", "reason": "unknown"}],
            )
        service = found
    if counter_kind:
        if counter_kind not in CounterKind.values:
            raise ValidationFailed(
                gettext("Unknown counter kind."), details=[{"field": "counter_kind", "reason": "unknown"}]
            )
        if not Counter.objects.filter(outlet=ticket.outlet, kind=counter_kind).exists():
            raise ValidationFailed(
                gettext("This outlet has no counter of that kind."),
                details=[{"field": "counter_kind", "reason": "none at outlet"}],
            )
    elif not Counter.objects.filter(outlet=ticket.outlet, kind__in=service.counter_kind_list).exists():
        raise ValidationFailed(
            gettext("No counter here serves that business."),
            details=[{"field": "service_code", "reason": "no counter"}],
        )
    now = clock.now()
    ticket.status = S.TRANSFERRED
    if ticket.started_at is not None:
        ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at"])
    queued_at = ticket.queued_at or ticket.issued_at
    onward = Ticket.objects.create(
        outlet=ticket.outlet,
        business_date=ticket.business_date,
        number=ticket.number,
        seq=ticket.seq,
        service=service,
        channel=ticket.channel,
        status=S.WAITING,
        priority_class=ticket.priority_class,
        customer=ticket.customer,
        customer_tier=ticket.customer_tier,
        is_special_group=ticket.is_special_group,
        issued_at=now,
        queued_at=queued_at,
        route_key=policy.route_key(queued_at, ticket.priority_class),
        transferred_from=ticket,
        required_counter_kind=counter_kind or "",
        appointment_code=ticket.appointment_code,
    )
    _event(
        ticket,
        E.TRANSFERRED,
        actor,
        now,
        counter=ticket.counter,
        to_ticket=onward.pk,
        service=service.code,
        counter_kind=counter_kind or "",
    )
    _event(
        onward,
        E.TRANSFERRED,
        actor,
        now,
        from_ticket=ticket.pk,
        service=service.code,
        counter_kind=counter_kind or "",
    )
    return onward


@transaction.atomic
def ticket_refer(*, actor: Any, ticket: Ticket, staff_code: str) -> Ticket:
    """Refer the customer to a relationship manager (转介); the referring staff member is credited."""
    ticket = _locked(ticket)
    _require_ticket_at_counter(actor, ticket)
    _expect(ticket, S.CALLED, S.SERVING, action=gettext("refer"))
    target = User.objects.filter(staff_code=staff_code, is_active=True).select_related("org_unit").first()
    if (
        target is None
        or target.org_unit is None
        or not target.org_unit.path.startswith(ticket.outlet.path[:-4])
    ):
        raise ValidationFailed(
            gettext("No such colleague to refer to."), details=[{"field": "staff_code", "reason": "unknown"}]
        )
    now = clock.now()
    ticket.referred_to = target
    ticket.save(update_fields=["referred_to"])
    credited = ticket.staff or (actor if isinstance(actor, User) else None)
    _event(
        ticket,
        E.REFERRED,
        actor,
        now,
        counter=ticket.counter,
        to_staff=target.staff_code,
        credited_staff=getattr(credited, "staff_code", None) or "",
    )
    audit.record(
        actor=actor,
        action="floor.referral",
        target=ticket,
        org_unit=ticket.outlet,
        data={"to": target.staff_code, "credited": getattr(credited, "staff_code", None) or ""},
    )
    return ticket


@transaction.atomic
def ticket_divert(*, actor: Any, ticket: Ticket, channel: str) -> Ticket:
    """Lobby staff move a waiting customer to self-service or an e-channel (分流, Q8)."""
    ticket = _locked(ticket)
    _require_lobby(actor, ticket.outlet)
    _expect(ticket, S.WAITING, action=gettext("divert"))
    if channel not in DIVERT_CHANNELS:
        raise ValidationFailed(gettext("Unknown channel."), details=[{"field": "channel", "reason": channel}])
    now = clock.now()
    ticket.status, ticket.diverted_channel = S.DIVERTED, channel
    ticket.save(update_fields=["status", "diverted_channel"])
    _event(ticket, E.DIVERTED, actor, now, channel=channel)
    return ticket


@transaction.atomic
def tickets_close_day(*, actor: Any, before: dt.date) -> int:
    """Cancel tickets still open from earlier business days (numbers restart; yesterday's line is gone)."""
    now = clock.now()
    stale = list(
        Ticket.objects.filter(
            business_date__lt=before, status__in=[S.WAITING, S.CALLED, S.SERVING]
        ).values_list("pk", flat=True)
    )
    Ticket.objects.filter(pk__in=stale).update(status=S.CANCELLED)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk,
                kind=E.CANCELLED,
                at=now,
                actor_label=principal_label(actor),
                data={"reason": "day closed"},
            )
            for pk in stale
        ]
    )
    return len(stale)


# --- lobby positions (Q9) --------------------------------------------------------------------------


@transaction.atomic
def position_assign(*, actor: Any, outlet: OrgUnit, date: dt.date, position: int, staff: User | None) -> None:
    """Put a staff member on a lobby position for the day, or clear it (staff=None)."""
    _require_lobby(actor, outlet)
    if position not in LobbyPosition.values:
        raise ValidationFailed(
            gettext("Positions are 1 to 7."), details=[{"field": "position", "reason": "range"}]
        )
    if staff is not None and (staff.org_unit_id != outlet.pk):
        raise ValidationFailed(
            gettext("Only staff of this outlet."), details=[{"field": "staff", "reason": "other outlet"}]
        )
    current = PositionAssignment.objects.filter(outlet=outlet, date=date, position=position).first()
    if staff is None:
        if current is not None:
            by(current, actor).delete()
        return
    if current is None:
        current = PositionAssignment(outlet=outlet, date=date, position=position, staff=staff)
    current.staff = staff
    by(current, actor).save()
