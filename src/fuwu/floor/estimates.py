"""Estimated wait (Q6): replay the calling policy over the current line instead of dividing by counters.

For every waiting ticket we project when a counter will call it: each open counter becomes free when its
current customer is expected to leave, then calls the next ticket *it may serve* in route-key order
(fuwu.floor.policy), and stays busy for the learned counter occupancy of that business. The naive estimate
("people ahead × mean service ÷ open counters") ignores which counters serve which business, priorities,
and customers already at a counter; bench/wait_estimate.py measures both against real waits on simulated days.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

from fuwu.core import batches, clock, sql
from fuwu.core.models import OrgUnit
from fuwu.floor import policy
from fuwu.floor.models import Counter, ServiceType, Ticket

LEARN_DAYS = 14
# A customer already at the counter has, on average, at least this share of a service still to go.
MIN_RESIDUAL_SHARE = 0.2


# Mean seconds a counter is held (call → finish) per business over a date range; the duration arithmetic
# is the one part the two databases spell differently.
_HELD_SECONDS = {
    "postgresql": "EXTRACT(EPOCH FROM finished_at - called_at)",
    "sqlite": "(julianday(finished_at) - julianday(called_at)) * 86400.0",
}


def occupancy_seconds(
    outlet: OrgUnit, now: dt.datetime, catalogue: list[ServiceType] | None = None
) -> dict[int, float]:
    """Mean time a counter is held per ticket (call → finish) for each business type, from recent tickets."""
    services = ServiceType.objects.filter(outlet=outlet) if catalogue is None else catalogue
    [learned] = sql.fetch_all([_learned_query(outlet, now)])
    return _blend(learned, list(services))


def _learned_query(outlet: OrgUnit, now: dt.datetime) -> tuple[str, list[Any]]:
    today = clock.business_date(now)
    return (
        f"SELECT service_id, AVG({_HELD_SECONDS[connection.vendor]}), COUNT(*) FROM {Ticket._meta.db_table} "
        "WHERE outlet_id = %s AND status = %s AND business_date >= %s AND business_date <= %s "
        "AND called_at IS NOT NULL AND finished_at IS NOT NULL AND finished_at <= %s "
        f"AND {batches.published_sql('import_batch_id')} GROUP BY service_id",
        [
            outlet.pk,
            Ticket.Status.FINISHED,
            sql.value(Ticket, "business_date", today - dt.timedelta(days=LEARN_DAYS)),
            sql.value(Ticket, "business_date", today),
            sql.value(Ticket, "finished_at", now),
        ],
    )


def _blend(learned: list[tuple[Any, ...]], catalogue: list[ServiceType]) -> dict[int, float]:
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for service_id, held, n in learned:
        if held is not None:
            counts[service_id] = n
            sums[service_id] = float(held) * n
    # Blend with the catalogue value so a few early tickets of the day do not swing the estimate.
    prior_weight = 5
    defaults = {s.pk: float(s.mean_service_seconds) for s in catalogue}
    return {
        sid: (sums[sid] + defaults[sid] * prior_weight) / (counts[sid] + prior_weight) for sid in defaults
    }


_LINE = (
    "id",
    "status",
    "counter_id",
    "service_id",
    "called_at",
    "queued_at",
    "issued_at",
    "priority_class",
    "required_counter_kind",
    "is_simulated",
)


@dataclass
class Snapshot:
    """What an outlet's estimate is made from, read in one round trip (fuwu.core.sql.fetch_all)."""

    now: dt.datetime
    catalogue: list[ServiceType]
    counters: list[tuple[int, str, bool, bool]]  # id, kind, is_open, is_simulated
    learned: list[tuple[Any, ...]]
    line_rows: list[tuple[Any, ...]]

    def waits(self) -> dict[int, int]:
        return self._project(None)[0]

    def joining(self, ticket: policy.Waiting) -> tuple[int | None, int]:
        """For a ticket about to be issued: its estimated wait and its place among the waiting of its business.

        The ticket is placed in line by its route key, so both are known before it (and its number) is written.
        """
        estimates, line = self._project(ticket)
        ahead = 0
        for waiting in line:
            if waiting.id == ticket.id:
                break
            ahead += waiting.service_id == ticket.service_id and waiting.simulated == ticket.simulated
        return estimates.get(ticket.id), ahead + 1

    def _project(self, joining: policy.Waiting | None) -> tuple[dict[int, int], list[policy.Waiting]]:
        """The projection, and the line in calling order it was made from."""
        # The open counters; where none of a line (people's, or the live simulation's) is open, all of its.
        open_lines = {simulated for _pk, _kind, is_open, simulated in self.counters if is_open}
        working = [c for c in self.counters if c[2] or c[3] not in open_lines]
        occupancy = _blend(self.learned, self.catalogue)
        mean_all = sum(occupancy.values()) / len(occupancy) if occupancy else 300.0
        line: list[policy.Waiting] = []
        busy_until: dict[int, float] = {}
        for row in self.line_rows:
            pk, status, counter_id, service_id, called_at, queued, issued, pc, kind, simulated = sql.convert(
                Ticket, _LINE, row
            )
            if status == Ticket.Status.WAITING:
                line.append(
                    policy.Waiting(
                        id=pk,
                        queued_at=queued or issued,
                        priority_class=pc,
                        service_id=service_id,
                        required_kind=kind,
                        simulated=bool(simulated),
                    )
                )
                continue
            hold = occupancy.get(service_id, mean_all)
            # A call stamped after now (a clock ahead of ours) counts as just made, never as a longer hold.
            elapsed = max(0.0, (self.now - called_at).total_seconds()) if called_at else 0.0
            busy_until[counter_id] = max(hold - elapsed, hold * MIN_RESIDUAL_SHARE)
        if joining is not None:
            line.append(joining)
            line.sort(key=lambda w: w.key())
        result: dict[int, int] = {}
        kinds = {s.pk: frozenset(s.counter_kind_list) for s in self.catalogue}
        free = [(busy_until.get(pk, 0.0), i) for i, (pk, *_rest) in enumerate(working)]
        heapq.heapify(free)
        pending = list(line)
        while free and pending:
            at, i = heapq.heappop(free)
            _pk, kind, _open, simulated = working[i]
            pick = next(
                (
                    j
                    for j, w in enumerate(pending)
                    if policy.eligible(w, kind, kinds, simulated_counter=simulated)
                ),
                None,
            )
            if pick is None:
                continue  # nothing left this counter may serve: it drops out of the projection
            ticket = pending.pop(pick)
            result[ticket.id] = round(at)
            heapq.heappush(free, (at + occupancy.get(ticket.service_id, mean_all), i))
        return result, line


def snapshot(outlet: OrgUnit, now: dt.datetime) -> Snapshot:
    """The outlet's catalogue, counters, learned occupancy and today's line, read together."""
    day = clock.business_date(now)
    t = Ticket._meta.db_table
    catalogue, counters, learned, rows = sql.fetch_all(
        [
            (
                f"SELECT {sql.columns(ServiceType)} FROM {ServiceType._meta.db_table} WHERE outlet_id = %s",
                [outlet.pk],
            ),
            (
                f"SELECT id, kind, is_open, is_simulated FROM {Counter._meta.db_table} WHERE outlet_id = %s "
                "ORDER BY number",
                [outlet.pk],
            ),
            _learned_query(outlet, now),
            # The line and the customers at counters, already in calling order.
            (
                f"SELECT {sql.columns(Ticket, _LINE)} FROM {t} WHERE outlet_id = %s AND business_date = %s "
                "AND status IN (%s, %s, %s) ORDER BY route_key, id",
                [
                    outlet.pk,
                    sql.value(Ticket, "business_date", day),
                    Ticket.Status.WAITING,
                    Ticket.Status.CALLED,
                    Ticket.Status.SERVING,
                ],
            ),
        ]
    )
    return Snapshot(
        now=now,
        catalogue=[sql.instance(ServiceType, None, row) for row in catalogue],
        counters=[(pk, kind, bool(is_open), bool(simulated)) for pk, kind, is_open, simulated in counters],
        learned=learned,
        line_rows=rows,
    )


def waits(outlet: OrgUnit, *, now: dt.datetime | None = None) -> dict[int, int]:
    """Estimated seconds until each waiting ticket of the outlet is called (absent: no counter can serve it)."""
    return snapshot(outlet, now or clock.now()).waits()


def naive_wait(outlet: OrgUnit, ticket: Ticket, *, now: dt.datetime | None = None) -> int:
    """The baseline: people ahead in the same business × mean service ÷ open counters that serve it."""
    now = now or clock.now()
    occupancy = occupancy_seconds(outlet, now)
    earlier = Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk)
    ahead = Ticket.objects.filter(
        earlier,
        outlet=outlet,
        business_date=ticket.business_date,
        service=ticket.service,
        status=Ticket.Status.WAITING,
    ).count()
    kinds = ticket.service.counter_kind_list
    serving = Counter.objects.filter(outlet=outlet, is_open=True, kind__in=kinds).count() or 1
    return round(ahead * occupancy.get(ticket.service_id, 300.0) / serving)
