"""Every write on the branch floor: catalogue, counters, the life of a ticket (Q1–Q9).

The ticket's life is declared once, in `TICKETS` (a `fuwu.core.transitions.Machine`) and `STEPS` (what each
step writes besides the state). Staff steps go through `TICKETS.apply` (row lock, access, state check → 409
with the current state, effect, TicketEvent, one transaction); the counter terminals' one-statement hot path
and call-next's take are SQL generated from the same two declarations, so a step is written once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.core import access, audit, clock, sql
from fuwu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal, SystemPrincipal, principal_label
from fuwu.core.transitions import Action, Machine, action
from fuwu.customers.selectors import recognize
from fuwu.floor import estimates, policy
from fuwu.floor.models import (
    Appointment,
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
COUNTER_PERM = "floor.change_counter"
# Closing a business day cancels what is left open; no role holds it, the nightly sweep acts as SYSTEM.
CLOSE_DAY_PERM = "floor.delete_ticket"
APPOINTMENT_PERM = "floor.add_appointment"
# An appointment's code checks in from this long before the booked time until this long after it (#19).
CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_IN_LATE = dt.timedelta(minutes=15)


# --- what a step writes besides the state: declared once, as SQL for the hot path and as Python ----------


class Write(Protocol):
    def sql(self, ticket_table: str, counter_table: str) -> str: ...
    def params(self, now: dt.datetime) -> list[Any]: ...
    def apply(self, ticket: Ticket, now: dt.datetime) -> None: ...


@dataclass(frozen=True)
class Stamp:
    """`field` := the moment of the step."""

    field: str

    def sql(self, ticket_table: str, counter_table: str) -> str:
        return f"{_column(self.field)} = %s"

    def params(self, now: dt.datetime) -> list[Any]:
        return [_at(now)]

    def apply(self, ticket: Ticket, now: dt.datetime) -> None:
        setattr(ticket, self.field, now)


@dataclass(frozen=True)
class Count:
    """`field` := `field` + 1."""

    field: str

    def sql(self, ticket_table: str, counter_table: str) -> str:
        column = _column(self.field)
        return f"{column} = {column} + 1"

    def params(self, now: dt.datetime) -> list[Any]:
        return []

    def apply(self, ticket: Ticket, now: dt.datetime) -> None:
        setattr(ticket, self.field, getattr(ticket, self.field) + 1)


@dataclass(frozen=True)
class CreditCounterStaff:
    """Credit whoever holds the counter when the call did not name a staff member."""

    def sql(self, ticket_table: str, counter_table: str) -> str:
        return (
            f"staff_id = COALESCE(staff_id, (SELECT c.staff_id FROM {counter_table} c "
            f"WHERE c.id = {ticket_table}.counter_id))"
        )

    def params(self, now: dt.datetime) -> list[Any]:
        return []

    def apply(self, ticket: Ticket, now: dt.datetime) -> None:
        if ticket.staff_id is None and ticket.counter is not None:
            ticket.staff_id = ticket.counter.staff_id


@dataclass(frozen=True)
class Step:
    """The event a step records and the fields it writes (the state itself comes from the action)."""

    event: str
    writes: tuple[Write, ...] = ()
    at_counter: bool = True  # the event names the ticket's counter
    data: Callable[[Ticket], dict[str, Any]] | None = None  # event data read off the stepped ticket

    def event_data(self, ticket: Ticket) -> dict[str, Any]:
        return self.data(ticket) if self.data is not None else {}

    def apply(self, ticket: Ticket, now: dt.datetime) -> None:
        for write in self.writes:
            write.apply(ticket, now)


STEPS: dict[str, Step] = {
    "issue": Step(E.ISSUED, at_counter=False),
    "call": Step(E.CALLED, (Stamp("called_at"), Stamp("last_called_at"))),
    "recall": Step(
        E.RECALLED,
        (Count("recall_count"), Stamp("last_called_at")),
        data=lambda t: {"recall": t.recall_count},
    ),
    "start": Step(E.STARTED, (Stamp("started_at"),)),
    "finish": Step(E.FINISHED, (Stamp("finished_at"), CreditCounterStaff())),
    "no_show": Step(E.NO_SHOW),
    "transfer": Step(E.TRANSFERRED),
    "refer": Step(E.REFERRED),
    "divert": Step(E.DIVERTED, at_counter=False),
    "cancel": Step(E.CANCELLED, at_counter=False, data=lambda t: {"reason": "day closed"}),
    "leave": Step(E.CANCELLED, at_counter=False, data=lambda t: {"reason": "customer left"}),
}

# The terminal's one-statement steps (each also has the locked path through TICKETS.apply).
COUNTER_STEPS = ("recall", "no_show", "start", "finish")


def _record(ticket: Ticket, act: Action, actor: Principal, data: dict[str, Any]) -> None:
    """The machine's event writer: one TicketEvent per step, stamped with the step's own moment."""
    step = STEPS[act.name]
    at = getattr(ticket, "_step_at", None) or clock.now()
    extra = {**step.event_data(ticket), **getattr(ticket, "_event_data", {}), **data}
    _event(ticket, step.event, actor, at, counter=ticket.counter if step.at_counter else None, **extra)


class _TicketMachine(Machine[Ticket]):
    def lock(self, obj: Ticket) -> Ticket:
        return _locked(obj)

    def refusal(self, obj: Ticket, act: Action) -> Conflict:
        # The device API's 409 names the state, the number and where the step may start from.
        refused = super().refusal(obj, act)
        details = {k: v for k, v in dict(refused.details).items() if k != "action"}
        return Conflict(refused.message, code=refused.code, details=details)


def _counter_code(ticket: Ticket) -> str:
    # "" for a ticket at no counter: a counter terminal may step only the tickets at its own counter.
    return ticket.counter.code if ticket.counter_id is not None and ticket.counter is not None else ""


def _only_the_simulation_steps_its_customers(ticket: Ticket, actor: Principal) -> None:
    """The live simulated day's customer is not in the hall (#19): a person cannot divert it or see it leave,
    so the lobby console offers neither and the API refuses both; the simulation itself (the system) may."""
    if ticket.is_simulated and not isinstance(actor, SystemPrincipal):
        raise Forbidden(
            gettext("This customer belongs to the demo's simulated day: only the simulation moves them."),
            code="simulated_ticket",
        )


TICKETS = _TicketMachine(
    model=Ticket,
    actions=[
        action("issue", [], S.WAITING, ISSUE_PERM, _("Issue a ticket")),
        action("call", [S.WAITING], S.CALLED, OPERATE_PERM, _("Call")),
        action("recall", [S.CALLED], None, OPERATE_PERM, _("Recall")),
        action("start", [S.CALLED], S.SERVING, OPERATE_PERM, _("Start service"), primary=True),
        action("finish", [S.SERVING], S.FINISHED, OPERATE_PERM, _("Finish"), primary=True),
        action("no_show", [S.CALLED], S.NO_SHOW, OPERATE_PERM, _("No-show")),
        action("transfer", [S.CALLED, S.SERVING], S.TRANSFERRED, OPERATE_PERM, _("Transfer")),
        action("refer", [S.CALLED, S.SERVING], None, OPERATE_PERM, _("Refer")),
        action(
            "divert",
            [S.WAITING],
            S.DIVERTED,
            LOBBY_PERM,
            _("Divert"),
            guard=_only_the_simulation_steps_its_customers,
        ),
        action("cancel", [S.WAITING, S.CALLED, S.SERVING], S.CANCELLED, CLOSE_DAY_PERM, _("Close the day")),
        # The customer gives up their place: from the mobile ticket's page (as the system, the signed link
        # being the customer's key), or lobby staff for a customer who tells them.
        action(
            "leave",
            [S.WAITING],
            S.CANCELLED,
            LOBBY_PERM,
            _("I'm leaving"),
            guard=_only_the_simulation_steps_its_customers,
        ),
    ],
    unit=lambda t: t.outlet,
    counter=_counter_code,
    record_event=_record,
    describe=lambda t: {"number": t.number},
    # TicketEvent is the ticket's trail; an AuditEvent per step would double every write of the hot path.
    audit=False,
    audit_prefix="floor.ticket",
    select_related=("service", "counter", "outlet"),
)
if set(STEPS) != {a.name for a in TICKETS.actions}:
    raise ImproperlyConfigured("floor: every ticket action declares its step in STEPS, and only those")

# The state a new ticket (issued, or a transfer's onward segment) starts in.
ISSUED = str(TICKETS.action("issue").target)
# The states in which a ticket holds its counter: those the counter's own steps start from.
HELD = tuple(sorted(set().union(*(TICKETS.action(n).source for n in (*COUNTER_STEPS, "transfer", "refer")))))


# --- helpers ---------------------------------------------------------------------------------------


def _column(field: str) -> str:
    return str(Ticket._meta.get_field(field).column)  # type: ignore[union-attr]


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock: two steps on one ticket cannot both pass the state check."""
    qs = Ticket.objects.select_related("service", "counter", "outlet")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=ticket.pk)
    except Ticket.DoesNotExist as exc:
        raise NotFound() from exc


def _event(
    ticket: Ticket,
    kind: str,
    actor: Principal,
    at: dt.datetime,
    counter: Counter | None = None,
    **data: Any,
) -> TicketEvent:
    return sql.insert(
        TicketEvent(
            ticket=ticket, kind=kind, at=at, actor_label=principal_label(actor), counter=counter, data=data
        )
    )


def _apply(
    ticket: Ticket,
    name: str,
    *,
    actor: Principal,
    now: dt.datetime,
    effect: Callable[[Ticket], Any] | None = None,
) -> Any:
    """`TICKETS.apply` with the step's own writes and moment; `effect` adds the action's particular work."""
    step = STEPS[name]

    def run(locked: Ticket) -> Any:
        result = effect(locked) if effect is not None else locked
        step.apply(locked, now)
        locked._step_at = now  # type: ignore[attr-defined]
        return result

    return TICKETS.apply(ticket, name, actor=actor, effect=run)


# --- the terminals' hot path ----------------------------------------------------------------------
# Counter terminals call, start and finish all day: each of those steps is one conditional UPDATE …
# RETURNING generated from TICKETS and STEPS (fuwu.core.sql says why it is written out). When it touches
# no row the step takes the locked path through TICKETS.apply, which decides what is wrong (404, 403, 409)
# exactly as for staff at the console.

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


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("%s" for _v in values)


def _sets(name: str, t: str, c: str) -> list[str]:
    """The SET clauses of a step: its target state (when it moves), then its declared writes."""
    act = TICKETS.action(name)
    return (["status = %s"] if act.target is not None else []) + [w.sql(t, c) for w in STEPS[name].writes]


def _set_params(name: str, now: dt.datetime) -> list[Any]:
    act = TICKETS.action(name)
    return ([act.target] if act.target is not None else []) + [
        p for w in STEPS[name].writes for p in w.params(now)
    ]


@functools.cache
def _step_statement(name: str, vendor: str) -> str:
    """The terminal's one statement for step `name`, generated from its action and its step."""
    t, c = Ticket._meta.db_table, Counter._meta.db_table
    source = TICKETS.action(name).source
    return (
        f"UPDATE {t} SET {', '.join(_sets(name, t, c))} WHERE id = %s AND status IN ({_placeholders(source)}) "
        f"AND outlet_id = %s AND counter_id = (SELECT c.id FROM {c} c WHERE c.code = %s) "
        f"RETURNING {_returning()}"
    )


def _logged(
    update: str, params: list[Any], *, kind: str, actor: Principal, now: dt.datetime
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
    actor: Principal, ticket: Ticket, name: str, now: dt.datetime
) -> tuple[Ticket | None, bool]:
    """A counter terminal's step on the ticket at its own counter, and whether its event was written too.

    (None, False) sends the caller the locked way: not a counter terminal holding the right, or not this
    terminal's ticket in a state the step may start from.
    """
    act, step = TICKETS.action(name), STEPS[name]
    if (
        not isinstance(actor, DevicePrincipal)
        or actor.kind != "counter"
        or not access.has(actor, act.permission)
    ):
        return None, False
    update = _step_statement(name, connection.vendor)
    args = [
        *_set_params(name, now),
        ticket.pk,
        *sorted(act.source),
        actor.token.org_unit_id,
        actor.counter_code,
    ]
    logged = False
    if step.data is None:
        update, args, logged = _logged(update, args, kind=step.event, actor=actor, now=now)
    with sql.cursor() as cursor:
        cursor.execute(update, args)
        row = cursor.fetchone()
    return (None, False) if row is None else (_from_row(row), logged)


def _at(moment: dt.datetime) -> Any:
    return sql.value(Ticket, "called_at", moment)


@functools.cache
def _take_statement(vendor: str, skip_locked: bool) -> str:
    """Call-next's take, generated from the "call" action, its step and floor.policy's eligibility rule.

    Gives the counter the first waiting ticket it may serve in route order, unless it still holds one.
    """
    t, s, c = Ticket._meta.db_table, ServiceType._meta.db_table, Counter._meta.db_table
    source = TICKETS.action("call").source
    # SKIP LOCKED: a ticket another counter is taking right now is passed over, never handed out twice.
    skip = " FOR UPDATE OF q SKIP LOCKED" if skip_locked else ""
    return (
        f"UPDATE {t} SET {', '.join(_sets('call', t, c))}, counter_id = %s, "
        # Staff at the console are credited themselves; a terminal credits whoever holds the counter.
        f"staff_id = COALESCE(%s, (SELECT c.staff_id FROM {c} c WHERE c.id = %s)) "
        f"WHERE status IN ({_placeholders(source)}) AND id = (SELECT q.id FROM {t} q WHERE q.outlet_id = %s "
        f"AND q.business_date = %s AND q.status IN ({_placeholders(source)}) AND {policy.eligible_sql('q', s)} "
        f"AND NOT EXISTS (SELECT 1 FROM {t} b WHERE b.counter_id = %s AND b.status IN ({_placeholders(HELD)})) "
        f"ORDER BY q.route_key, q.id LIMIT 1{skip}) RETURNING {_returning()}"
    )


def _take(actor: Principal, counter: Counter, now: dt.datetime) -> tuple[str, list[Any], bool]:
    source = sorted(TICKETS.action("call").source)
    args = [
        *_set_params("call", now),
        counter.pk,
        actor.pk if isinstance(actor, User) else None,
        counter.pk,
        *source,
        counter.outlet_id,
        sql.value(Ticket, "business_date", clock.business_date(now)),
        *source,
        *policy.eligible_params(counter.kind, counter.outlet_id, simulated_counter=counter.is_simulated),
        counter.pk,
        *HELD,
    ]
    statement = _take_statement(connection.vendor, connection.features.has_select_for_update_skip_locked)
    return _logged(statement, args, kind=STEPS["call"].event, actor=actor, now=now)


def _take_head(actor: Principal, counter: Counter, now: dt.datetime) -> tuple[Ticket | None, bool]:
    """Lock the counter, then take the head of its line (`_take`); the flag says whether the call's event
    was written by the same statement. Both statements go to the database together (core.sql.fetch_all)."""
    take, args, logged = _take(actor, counter, now)
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
    actor: Principal,
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
    access.require(
        actor, CATALOGUE_PERM, unit=outlet, message=gettext("Your role may not change the service catalogue.")
    )
    problems = [
        {
            "field": "counter_kinds",
            "code": "unknown",
            "reason": gettext("Unknown counter kind %(kind)s.") % {"kind": k},
        }
        for k in counter_kinds
        if k not in CounterKind.values
    ]
    if not counter_kinds:
        problems.append(
            {
                "field": "counter_kinds",
                "code": "required",
                "reason": gettext("Choose at least one counter kind."),
            }
        )
    if not prefix.isalpha() or not prefix.isupper():
        problems.append(
            {"field": "prefix", "code": "format", "reason": gettext("One or two capital letters.")}
        )
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
    *,
    actor: Principal,
    outlet: OrgUnit,
    code: str,
    number: int,
    kind: str,
    is_open: bool = False,
    is_simulated: bool = False,
) -> Counter:
    """Create or update one counter (window) of an outlet; `is_simulated` makes it one of the demo's live
    simulated day's own (#19)."""
    access.require(actor, COUNTER_PERM, unit=outlet, message=gettext("Your role may not set up counters."))
    if kind not in CounterKind.values:
        raise ValidationFailed(
            gettext("Unknown counter kind."),
            details=[
                {
                    "field": "kind",
                    "code": "unknown",
                    "reason": gettext("Unknown counter kind %(kind)s.") % {"kind": kind},
                }
            ],
        )
    counter = Counter.objects.filter(code=code).first() or Counter(code=code, outlet=outlet)
    if counter.outlet_id != outlet.pk:
        raise ValidationFailed(
            gettext("Counter code used by another outlet."),
            details=[
                {"field": "code", "code": "taken", "reason": gettext("Counter code used by another outlet.")}
            ],
        )
    counter.number, counter.kind, counter.is_open = number, kind, is_open
    counter.is_simulated = is_simulated
    by(counter, actor).save()
    return counter


def _refuse_a_person_at_a_simulated_counter(actor: Principal, counter: Counter) -> None:
    """Only the simulation (the system) works its own counters: a person never shares one with it (#19)."""
    if counter.is_simulated and not isinstance(actor, SystemPrincipal):
        raise Forbidden(
            gettext("This window belongs to the demo's simulated day: open a window of your own."),
            code="simulated_counter",
        )


@transaction.atomic
def counter_set_open(*, actor: Principal, counter: Counter, is_open: bool) -> Counter:
    """Open a counter (the operating staff takes it) or close it."""
    access.require(actor, OPERATE_PERM, unit=counter.outlet, counter=counter.code)
    _refuse_a_person_at_a_simulated_counter(actor, counter)
    # Row lock: opening and closing (or two colleagues taking the counter) happen one after the other.
    counter = (
        Counter.objects.select_for_update().get(pk=counter.pk)
        if connection.features.has_select_for_update
        else Counter.objects.get(pk=counter.pk)
    )
    if not is_open and Ticket.objects.filter(counter=counter, status__in=HELD).exists():
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
    actor: Principal,
    outlet: OrgUnit,
    service_code: str,
    channel: str = "kiosk",
    customer_card: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    appointment_code: str | None = None,
    simulated: bool = False,
) -> Ticket:
    """Issue today's next number for a business type, recognising the customer when identified (Q2, Q3).

    With an appointment code the visit is checked in (`appointment_check_in`: the booked business, with
    priority, inside its time window). The ticket comes back with `position_at_issue`: its place among the
    waiting of its business.
    """
    if appointment_code and appointment_code.strip():
        return appointment_check_in(
            actor=actor,
            outlet=outlet,
            code=appointment_code,
            customer_card=customer_card,
            id_number=id_number,
            phone=phone,
        )
    return _issue(
        actor=actor,
        outlet=outlet,
        service_code=service_code,
        channel=channel,
        customer_card=customer_card,
        id_number=id_number,
        phone=phone,
        simulated=simulated,
    )


def _issue(
    *,
    actor: Principal,
    outlet: OrgUnit,
    service_code: str,
    channel: str = "kiosk",
    customer_card: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    appointment_code: str = "",
    simulated: bool = False,
) -> Ticket:
    """Write the next ticket; `appointment_code` (a checked-in appointment's) makes it an appointment visit
    with appointment priority and keeps the code on the ticket (its transfers carry it on)."""
    issue = TICKETS.action("issue")
    access.require(actor, issue.permission, unit=outlet)
    now = clock.now()
    day = clock.business_date(now)
    # The catalogue and all the estimate needs in one round trip, before anything is written.
    state = estimates.snapshot(outlet, now)
    service = next((s for s in state.catalogue if s.code == service_code and s.is_active), None)
    if service is None:
        raise ValidationFailed(
            gettext("This outlet offers no such business."),
            details=[
                {
                    "field": "service_code",
                    "code": "unknown",
                    "reason": gettext("This outlet offers no such business."),
                }
            ],
        )
    if appointment_code:
        channel = Ticket.Channel.APPOINTMENT
    if channel not in Ticket.Channel.values:
        raise ValidationFailed(
            gettext("Unknown channel."),
            details=[{"field": "channel", "code": "unknown", "reason": gettext("Unknown channel.")}],
        )
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
    newcomer = policy.Waiting(
        id=NEWCOMER, queued_at=now, priority_class=pclass, service_id=service.pk, simulated=simulated
    )
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
            status=ISSUED,
            priority_class=pclass,
            customer=customer,
            customer_tier=tier,
            is_special_group=special,
            issued_at=now,
            queued_at=now,
            route_key=policy.route_key(now, pclass),
            appointment_code=appointment_code,
            estimated_wait_seconds=estimate,
            is_simulated=simulated,
        )
        issued = TicketEvent(
            kind=STEPS["issue"].event,
            at=now,
            actor_label=principal_label(actor),
            data={"channel": channel, "service": service.code},
        )
        sql.insert_pair(ticket, issued, link="ticket")
        ticket.position_at_issue = position
        if customer is not None:
            _event(ticket, E.RECOGNIZED, actor, now, tier=tier, special_group=special)
        return ticket


def _refuse_code(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": "appointment_code", "reason": message}])


def _slot(moment: dt.datetime, today: dt.date) -> str:
    local = moment.astimezone(clock.SHANGHAI)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%m-%d %H:%M}"


def appointment_check_in(
    *,
    actor: Principal,
    outlet: OrgUnit,
    code: str,
    customer_card: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
) -> Ticket:
    """Check in a booked visit by its code: its ticket, with appointment priority, inside its time window.

    A wrong, cancelled, early or expired code is refused with a message the customer can act on; checking
    in again returns the ticket already issued.
    """
    access.require(actor, ISSUE_PERM, unit=outlet)
    typed = "".join(code.split()).upper()
    with transaction.atomic():
        found = (
            (
                Appointment.objects.select_for_update()
                if connection.features.has_select_for_update
                else Appointment.objects
            )
            .filter(outlet=outlet, code=typed)
            .select_related("service")
            .first()
        )
        if found is None or found.status == Appointment.Status.CANCELLED:
            raise _refuse_code(
                gettext(
                    "This appointment code is not valid here. Check it, or choose your business to take a number."
                )
            )
        if found.ticket_id is not None:
            ticket = Ticket.objects.select_related("service").get(pk=found.ticket_id)
            return ticket
        now = clock.now()
        today = clock.business_date(now)
        if now < found.starts_at - CHECK_IN_EARLY:
            raise _refuse_code(
                gettext("Your appointment is at %(time)s: please check in from %(from)s.")
                % {
                    "time": _slot(found.starts_at, today),
                    "from": _slot(found.starts_at - CHECK_IN_EARLY, today),
                }
            )
        if now > found.starts_at + CHECK_IN_LATE:
            raise _refuse_code(
                gettext(
                    "This appointment (%(time)s) has expired. Please choose your business to take a number."
                )
                % {"time": _slot(found.starts_at, today)}
            )
        ticket = _issue(
            actor=actor,
            outlet=outlet,
            service_code=found.service.code,
            customer_card=customer_card,
            id_number=id_number,
            phone=phone,
            appointment_code=found.code,
        )
        found.status, found.ticket, found.checked_in_at = Appointment.Status.CHECKED_IN, ticket, now
        by(found, actor).save(update_fields=["status", "ticket", "checked_in_at"])
        audit.record(
            actor=actor,
            action="floor.appointment_check_in",
            target=found,
            org_unit=outlet,
            data={"ticket": ticket.number},
        )
        return ticket


@transaction.atomic
def appointment_book(
    *,
    actor: Principal,
    outlet: OrgUnit,
    service_code: str,
    starts_at: dt.datetime,
    customer_name: str = "",
    phone: str = "",
) -> Appointment:
    """Book a visit for one business at a time; the customer gets its code to check in at the kiosk."""
    import secrets

    from fuwu.core import pii

    access.require(actor, APPOINTMENT_PERM, unit=outlet)
    service = ServiceType.objects.filter(outlet=outlet, code=service_code, is_active=True).first()
    if service is None:
        message = gettext("This outlet offers no such business.")
        raise ValidationFailed(message, details=[{"field": "service_code", "reason": message}])
    taken = set(Appointment.objects.filter(outlet=outlet).values_list("code", flat=True))
    code = f"{secrets.randbelow(10**6):06d}"
    while code in taken:  # six random digits: unguessable enough for one outlet's bookings, short to type
        code = f"{secrets.randbelow(10**6):06d}"
    appointment = Appointment(
        outlet=outlet,
        service=service,
        code=code,
        starts_at=starts_at,
        # Typed by staff from what the customer said: a number in it stays masked (#18).
        customer_name=pii.scrub(customer_name.strip())[:50],
        phone_masked=pii.protect_phone(phone).masked if phone else "",
        created_at=clock.now(),
    )
    by(appointment, actor).save()
    audit.record(actor=actor, action="floor.appointment_book", target=appointment, org_unit=outlet)
    return appointment


def ticket_call_next(*, actor: Principal, counter: Counter) -> Ticket | None:
    """Call the next ticket this counter may serve, by the policy in floor.policy; None when none waits (Q4)."""
    access.require(actor, TICKETS.action("call").permission, unit=counter.outlet, counter=counter.code)
    _refuse_a_person_at_a_simulated_counter(actor, counter)
    # No savepoint for the one-statement take: it either hands this counter a ticket or changes nothing.
    with transaction.atomic(savepoint=False):
        now = clock.now()
        head, logged = _take_head(actor, counter, now)
        if head is not None:
            return _called(actor, counter, head, now, logged=logged)
    with transaction.atomic():
        _lock_counter(counter)
        now = clock.now()
        head, logged = _take_head_locked(actor, counter, now)
        return None if head is None else _called(actor, counter, head, now, logged=logged)


def _called(actor: Principal, counter: Counter, head: Ticket, now: dt.datetime, *, logged: bool) -> Ticket:
    if not counter.is_open or (isinstance(actor, User) and counter.staff_id != actor.pk):
        counter.is_open, counter.staff_id = True, head.staff_id
        by(counter, actor).save(update_fields=["is_open", "staff"])
    head.counter = counter
    if not logged:
        _event(head, STEPS["call"].event, actor, now, counter=counter)
    if head.customer_id is not None:
        # The counter now sees who this is (tier, masked name): recognition reaches a person (#18).
        audit.record(
            actor=actor,
            action="floor.customer_shown",
            target=head,
            org_unit=counter.outlet,
            data={"counter": counter.code, "number": head.number},
        )
    return head


def _take_head_locked(actor: Principal, counter: Counter, now: dt.datetime) -> tuple[Ticket | None, bool]:
    """The one-statement take found nothing: say why (busy counter, empty line) or retry past a lost race.

    Runs under the counter's lock (`_lock_counter`), with the same generated take statement.
    """
    busy = Ticket.objects.filter(counter=counter, status__in=HELD).first()
    if busy is not None:
        raise Conflict(
            gettext("Counter still holds ticket %(number)s.") % {"number": busy.number},
            code="counter_busy",
            details={"status": busy.status, "number": busy.number, "ticket_id": busy.pk},
        )
    for _attempt in range(3):
        take, args, logged = _take(actor, counter, now)
        [taken] = sql.fetch_all([(take, args)])
        if taken:
            return _from_row(taken[0]), logged
    return None, False


def _counter_step(actor: Principal, ticket: Ticket, name: str) -> Ticket:
    """Step `name` of the ticket at a counter: the generated one statement for the counter's own terminal,
    else `TICKETS.apply`, which also says what is wrong (404, 403, 409). Either way one event records it."""
    now = clock.now()
    # No savepoint for the one-statement path: it either changes the row or changes nothing.
    with transaction.atomic(savepoint=False):
        done, logged = _terminal_step(actor, ticket, name, now)
        if done is not None:
            if not logged:
                step = STEPS[name]
                _event(done, step.event, actor, now, counter=done.counter, **step.event_data(done))
            return done
    stepped: Ticket = _apply(ticket, name, actor=actor, now=now)
    return stepped


def ticket_recall(*, actor: Principal, ticket: Ticket) -> Ticket:
    """Call the same customer again (the display announces it again)."""
    return _counter_step(actor, ticket, "recall")


def ticket_no_show(*, actor: Principal, ticket: Ticket) -> Ticket:
    """The called customer did not come: close the ticket and free the counter."""
    return _counter_step(actor, ticket, "no_show")


def ticket_start(*, actor: Principal, ticket: Ticket) -> Ticket:
    """The customer arrived at the counter: service starts."""
    return _counter_step(actor, ticket, "start")


def ticket_finish(*, actor: Principal, ticket: Ticket) -> Ticket:
    """Service done; the customer is seen off (送客) and the counter is free."""
    return _counter_step(actor, ticket, "finish")


def _transfer_target(ticket: Ticket, service_code: str | None, counter_kind: str | None) -> ServiceType:
    """The business the customer goes on to; refuses targets the outlet cannot serve."""
    if not service_code and not counter_kind:
        raise ValidationFailed(
            gettext("Say where to: a business type or a counter kind."),
            details=[
                {
                    "field": "service_code",
                    "code": "required",
                    "reason": gettext("Choose a business type or a counter kind."),
                }
            ],
        )
    service = ticket.service
    if service_code:
        found = ServiceType.objects.filter(outlet=ticket.outlet, code=service_code, is_active=True).first()
        if found is None:
            raise ValidationFailed(
                gettext("This outlet offers no such business."),
                details=[
                    {
                        "field": "service_code",
                        "code": "unknown",
                        "reason": gettext("This outlet offers no such business."),
                    }
                ],
            )
        service = found
    if counter_kind:
        if counter_kind not in CounterKind.values:
            raise ValidationFailed(
                gettext("Unknown counter kind."),
                details=[
                    {"field": "counter_kind", "code": "unknown", "reason": gettext("Unknown counter kind.")}
                ],
            )
        if not Counter.objects.filter(outlet=ticket.outlet, kind=counter_kind).exists():
            raise ValidationFailed(
                gettext("This outlet has no counter of that kind."),
                details=[
                    {
                        "field": "counter_kind",
                        "code": "none_at_outlet",
                        "reason": gettext("This outlet has no counter of that kind."),
                    }
                ],
            )
    elif not Counter.objects.filter(outlet=ticket.outlet, kind__in=service.counter_kind_list).exists():
        raise ValidationFailed(
            gettext("No counter here serves that business."),
            details=[
                {
                    "field": "service_code",
                    "code": "no_counter",
                    "reason": gettext("No counter here serves that business."),
                }
            ],
        )
    return service


@transaction.atomic
def ticket_transfer(
    *, actor: Principal, ticket: Ticket, service_code: str | None = None, counter_kind: str | None = None
) -> Ticket:
    """Send the customer on to another business or counter kind under the same number and place in line."""
    now = clock.now()

    def effect(t: Ticket) -> Ticket:
        service = _transfer_target(t, service_code, counter_kind)
        if t.started_at is not None:
            t.finished_at = now
        queued_at = t.queued_at or t.issued_at
        onward = Ticket.objects.create(
            outlet=t.outlet,
            business_date=t.business_date,
            number=t.number,
            seq=t.seq,
            service=service,
            channel=t.channel,
            status=ISSUED,
            priority_class=t.priority_class,
            customer=t.customer,
            customer_tier=t.customer_tier,
            is_special_group=t.is_special_group,
            issued_at=now,
            queued_at=queued_at,
            route_key=policy.route_key(queued_at, t.priority_class),
            transferred_from=t,
            required_counter_kind=counter_kind or "",
            appointment_code=t.appointment_code,
            # The simulation's customer stays in its own line after a transfer, and a person's in theirs.
            is_simulated=t.is_simulated,
        )
        t._event_data = {  # type: ignore[attr-defined]
            "to_ticket": onward.pk,
            "service": service.code,
            "counter_kind": counter_kind or "",
        }
        return onward

    onward: Ticket = _apply(ticket, "transfer", actor=actor, now=now, effect=effect)
    # The onward segment's first event: where it came from (same transaction, after the transfer's own).
    _event(
        onward,
        E.TRANSFERRED,
        actor,
        now,
        from_ticket=ticket.pk,
        service=onward.service.code,
        counter_kind=counter_kind or "",
    )
    return onward


def ticket_refer(*, actor: Principal, ticket: Ticket, staff_code: str) -> Ticket:
    """Refer the customer to a relationship manager (转介); the referring staff member is credited."""

    def effect(t: Ticket) -> Ticket:
        target = User.objects.filter(staff_code=staff_code, is_active=True).select_related("org_unit").first()
        if (
            target is None
            or target.org_unit is None
            or not target.org_unit.path.startswith(t.outlet.path[:-4])
        ):
            raise ValidationFailed(
                gettext("No such colleague to refer to."),
                details=[
                    {
                        "field": "staff_code",
                        "code": "unknown",
                        "reason": gettext("No such colleague to refer to."),
                    }
                ],
            )
        t.referred_to = target
        credited = t.staff or (actor if isinstance(actor, User) else None)
        credited_code = getattr(credited, "staff_code", None) or ""
        t._event_data = {"to_staff": target.staff_code, "credited_staff": credited_code}  # type: ignore[attr-defined]
        audit.record(
            actor=actor,
            action="floor.referral",
            target=t,
            org_unit=t.outlet,
            data={"to": target.staff_code, "credited": credited_code},
        )
        return t

    referred: Ticket = _apply(ticket, "refer", actor=actor, now=clock.now(), effect=effect)
    return referred


def ticket_divert(*, actor: Principal, ticket: Ticket, channel: str) -> Ticket:
    """Lobby staff move a waiting customer to self-service or an e-channel (分流, Q8)."""

    def effect(t: Ticket) -> Ticket:
        if channel not in DIVERT_CHANNELS:
            raise ValidationFailed(
                gettext("Unknown channel."),
                details=[{"field": "channel", "code": "unknown", "reason": gettext("Unknown channel.")}],
            )
        t.diverted_channel = channel
        t._event_data = {"channel": channel}  # type: ignore[attr-defined]
        return t

    diverted: Ticket = _apply(ticket, "divert", actor=actor, now=clock.now(), effect=effect)
    return diverted


def ticket_leave(*, actor: Principal, ticket: Ticket) -> Ticket:
    """A waiting customer gives up their place ("I'm leaving" on the mobile ticket); the line moves up."""
    left: Ticket = _apply(ticket, "leave", actor=actor, now=clock.now())
    return left


@transaction.atomic
def tickets_close_day(*, actor: Principal, before: dt.date) -> int:
    """Cancel tickets still open from earlier business days (numbers restart; yesterday's line is gone).

    One bulk statement from the "cancel" action's source and target (a day's leftovers can be many; each
    still gets its event): the row-at-a-time `TICKETS.apply` would lock and save them one by one.
    """
    cancel = TICKETS.action("cancel")
    access.require(actor, cancel.permission)
    now = clock.now()
    stale = list(
        Ticket.objects.filter(business_date__lt=before, status__in=cancel.source).values_list("pk", flat=True)
    )
    Ticket.objects.filter(pk__in=stale, status__in=cancel.source).update(status=cancel.target)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk,
                kind=STEPS["cancel"].event,
                at=now,
                actor_label=principal_label(actor),
                data=STEPS["cancel"].event_data(Ticket(pk=pk)),
            )
            for pk in stale
        ]
    )
    return len(stale)


# --- lobby positions (Q9) --------------------------------------------------------------------------


@transaction.atomic
def position_assign(
    *, actor: Principal, outlet: OrgUnit, date: dt.date, position: int, staff: User | None
) -> None:
    """Put a staff member on a lobby position for the day, or clear it (staff=None)."""
    access.require(
        actor,
        LOBBY_PERM,
        unit=outlet,
        message=gettext("Only lobby staff and the outlet head may set lobby positions."),
    )
    if position not in LobbyPosition.values:
        raise ValidationFailed(
            gettext("Positions are 1 to 7."),
            details=[{"field": "position", "code": "range", "reason": gettext("Positions are 1 to 7.")}],
        )
    if staff is not None and (staff.org_unit_id != outlet.pk):
        raise ValidationFailed(
            gettext("Only staff of this outlet."),
            details=[
                {"field": "staff", "code": "other_outlet", "reason": gettext("Only staff of this outlet.")}
            ],
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
