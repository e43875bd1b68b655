"""The calling policy (Q4), in one place.

A counter calls, among the waiting tickets it may serve, the one with the smallest *route key*:

    route_key = queued_at − lead(priority class)

where the lead of a class is how far ahead of its arrival time a ticket of that class may stand, and every
lead is capped by ``MAX_LEAD``. Ties break by issue order (ticket id).

Why this shape: the key is fixed when the ticket joins the line, so the order is a plain index scan (no
re-sorting as time passes) and aging is built in — a normal ticket queued at time t can only be overtaken
by tickets queued before t + MAX_LEAD. So no ticket waits longer than the tickets arriving within
``MAX_LEAD`` after it take to serve beyond what it would have waited in plain first-come-first-served
order; priority customers still go first whenever they arrive within their lead. The property is tested
with hypothesis in tests/test_policy.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

APPOINTMENT_DUE, VIP, SPECIAL_GROUP, NORMAL = 0, 1, 2, 3

# Configurable bound: settings.FUWU_FLOOR_MAX_PRIORITY_LEAD_SECONDS (default 15 minutes).
DEFAULT_MAX_LEAD = dt.timedelta(minutes=15)

# Lead per class as a share of the bound: an appointment due now goes before a VIP who goes before an
# elderly or disabled customer.
_LEAD_SHARE = {APPOINTMENT_DUE: 1.0, VIP: 0.8, SPECIAL_GROUP: 0.6, NORMAL: 0.0}


def max_lead() -> dt.timedelta:
    seconds = getattr(settings, "FUWU_FLOOR_MAX_PRIORITY_LEAD_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds is not None else DEFAULT_MAX_LEAD


def lead(priority_class: int, bound: dt.timedelta | None = None) -> dt.timedelta:
    """How far ahead of its arrival a ticket of this class stands in line (never more than the bound)."""
    bound = max_lead() if bound is None else bound
    return bound * _LEAD_SHARE.get(priority_class, 0.0)


def route_key(queued_at: dt.datetime, priority_class: int, bound: dt.timedelta | None = None) -> dt.datetime:
    """The calling-order key of a ticket that joined the line at `queued_at`."""
    return queued_at - lead(priority_class, bound)


def priority_class(*, appointment_due: bool, tier: str, special_group: bool) -> int:
    """The class a ticket gets from what is known at issue: appointment, customer tier, special group."""
    if appointment_due:
        return APPOINTMENT_DUE
    if tier in ("wealth", "private"):
        return VIP
    if special_group:
        return SPECIAL_GROUP
    return NORMAL


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the policy sees it (used by the wait estimator and the tests)."""

    id: int
    queued_at: dt.datetime
    priority_class: int
    service_id: int
    required_kind: str = ""
    simulated: bool = False  # the demo's live simulated day's customer (#19)

    def key(self, bound: dt.timedelta | None = None) -> tuple[dt.datetime, int]:
        return (route_key(self.queued_at, self.priority_class, bound), self.id)


# --- which counter may serve which ticket: the one rule, in Python and as the SQL the hot path runs -------
# A ticket transferred to a counter kind waits for that kind only; any other ticket waits for the kinds its
# business type lists. The demo's live simulated day (#19) is a line of its own: its tickets are called only
# by its own counters and its counters call only its tickets, so a person never takes (nor is taken from)
# a simulated customer. `eligible` and `eligible_sql` say the same thing (tests/test_policy.py checks they
# agree); the counter console's waiting list, the wait estimator and the call-next statement all use them.


def eligible(
    ticket: Waiting,
    counter_kind: str,
    kinds_by_service: dict[int, frozenset[str]],
    *,
    simulated_counter: bool = False,
) -> bool:
    """May a counter of `counter_kind` (one of the simulation's own when `simulated_counter`) serve this ticket?"""
    if ticket.simulated != simulated_counter:
        return False
    if ticket.required_kind:
        return ticket.required_kind == counter_kind
    return counter_kind in kinds_by_service.get(ticket.service_id, frozenset())


def waiting_of(ticket: Any) -> Waiting:
    """A waiting ticket (a floor.models.Ticket) as the policy sees it."""
    return Waiting(
        id=ticket.pk,
        queued_at=ticket.queued_at or ticket.issued_at,
        priority_class=ticket.priority_class,
        service_id=ticket.service_id,
        required_kind=ticket.required_counter_kind,
        simulated=ticket.is_simulated,
    )


def served_services(counter_kind: str, catalogue: Iterable[Any]) -> list[str]:
    """The codes of the business types a counter of `counter_kind` serves (tickets not sent to a kind)."""
    return [s.code for s in catalogue if counter_kind in s.counter_kind_list]


def eligible_sql(alias: str, service_table: str) -> str:
    """`eligible` as a WHERE fragment over the ticket table aliased `alias`; parameters: `eligible_params`."""
    return (
        f"({alias}.is_simulated = %s AND ({alias}.required_counter_kind = %s OR ({alias}.required_counter_kind = '' "
        f"AND {alias}.service_id IN (SELECT v.id FROM {service_table} v WHERE v.outlet_id = %s "
        "AND ',' || v.counter_kinds || ',' LIKE %s))))"
    )


def eligible_params(counter_kind: str, outlet_id: int, *, simulated_counter: bool) -> list[object]:
    """The parameters of `eligible_sql` for a counter of `counter_kind` at outlet `outlet_id`."""
    return [simulated_counter, counter_kind, outlet_id, f"%,{counter_kind},%"]


def next_for(
    waiting: Iterable[Waiting],
    counter_kind: str,
    kinds_by_service: dict[int, frozenset[str]],
    bound: dt.timedelta | None = None,
    *,
    simulated_counter: bool = False,
) -> Waiting | None:
    """The ticket a counter of this kind calls next (the same rule the database query applies)."""
    candidates = [
        w for w in waiting if eligible(w, counter_kind, kinds_by_service, simulated_counter=simulated_counter)
    ]
    return min(candidates, key=lambda w: w.key(bound), default=None)


# --- the real floor -----------------------------------------------------------------------------------
# The demo's live simulated day (#19) is not the bank's business: its customers and windows count in no
# figure about the floor (the outlet's day on the home page, the lobby's diversion figures, every measure
# and rollup, the evaluation table, the staffing forecast), and no person steps one of its tickets
# (floor.services refuses it).


def real(prefix: str = "") -> Q:
    """Tickets (or counters) of the real floor, not the live simulated day's, as a filter; `prefix` reaches
    them across a relation (``"ticket__"``)."""
    return Q(**{f"{prefix}is_simulated": False})
