"""`fuwu import events FILE.(csv|xlsx|parquet)`: visit history from an existing queue system.

The whole file is validated first (every bad row reported with its line and reason), outside any transaction;
then it is written in short transactions as one import batch that readers see only once it is published
(core.batches, #18), so the floor keeps issuing and calling meanwhile and a failed run leaves nothing. Rows
whose ticket_id was imported before are skipped, so a re-run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from tqdm import tqdm

from fuwu.core import audit, batches, clock, rollups
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import SYSTEM
from fuwu.core.tabular import read_table
from fuwu.feedback.models import Evaluation
from fuwu.floor.models import Counter, ServiceType, Ticket, TicketEvent

COLUMNS = (
    "ticket_id",
    "outlet_code",
    "service_code",
    "counter_code",
    "staff_code",
    "customer_tier",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "outcome",
    "evaluation",
)
OUTCOMES = {
    "served": Ticket.Status.FINISHED,
    "no_show": Ticket.Status.NO_SHOW,
    "diverted": Ticket.Status.DIVERTED,
    "transferred": Ticket.Status.TRANSFERRED,
    "cancelled": Ticket.Status.CANCELLED,
}
END_EVENT = {
    "served": TicketEvent.Kind.FINISHED,
    "no_show": TicketEvent.Kind.NO_SHOW,
    "diverted": TicketEvent.Kind.DIVERTED,
    "transferred": TicketEvent.Kind.TRANSFERRED,
    "cancelled": TicketEvent.Kind.CANCELLED,
}
TIERS = {"", "normal", "wealth", "private"}
RATINGS = {"", "empty", *Evaluation.Rating.values}


def _records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """(columns, (line number, record)…): CSV (UTF-8/GBK) and .xlsx through core.tabular; Parquet rows count from 1."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return table.column_names, ((i + 1, r) for i, r in enumerate(table.to_pylist()))
    read = read_table(path)
    return read.columns, read.rows


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _moment(value: Any, field: str, problems: list[tuple[str, str]]) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            problems.append((field, _("not an ISO-8601 timestamp: %(value)s") % {"value": repr(value)}))
            return None
    if moment.tzinfo is None:
        problems.append((field, _("%(value)s has no UTC offset") % {"value": repr(value)}))
        return None
    return moment.astimezone(dt.UTC)


class _Lookups:
    def __init__(self) -> None:
        self.outlets = {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET)}
        self.services = {(s.outlet_id, s.code): s for s in ServiceType.objects.all()}
        self.counters = {c.code: c for c in Counter.objects.all()}
        self.staff = {u.staff_code: u for u in User.objects.exclude(staff_code=None)}


def _check(record: dict[str, Any], look: _Lookups) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    problems: list[tuple[str, str]] = []
    row: dict[str, Any] = {"ticket_id": _text(record.get("ticket_id"))}
    if not row["ticket_id"] or len(row["ticket_id"]) > 64:
        problems.append(("ticket_id", _("missing or longer than 64 characters")))
    outlet = look.outlets.get(_text(record.get("outlet_code")))
    if outlet is None:
        problems.append(
            ("outlet_code", _("no outlet %(code)s") % {"code": repr(_text(record.get("outlet_code")))})
        )
    else:
        row["outlet"] = outlet
        code = _text(record.get("service_code"))
        row["service"] = look.services.get((outlet.pk, code))
        if row["service"] is None:
            problems.append(
                (
                    "service_code",
                    _("outlet %(outlet)s offers no business type %(code)s (add it first)")
                    % {"outlet": outlet.code, "code": repr(code)},
                )
            )
        counter_code = _text(record.get("counter_code"))
        row["counter"] = look.counters.get(counter_code) if counter_code else None
        if counter_code and (row["counter"] is None or row["counter"].outlet_id != outlet.pk):
            problems.append(
                (
                    "counter_code",
                    _("outlet %(outlet)s has no counter %(code)s")
                    % {"outlet": outlet.code, "code": repr(counter_code)},
                )
            )
    staff_code = _text(record.get("staff_code"))
    row["staff"] = look.staff.get(staff_code) if staff_code else None
    if staff_code and row["staff"] is None:
        problems.append(("staff_code", _("no staff member %(code)s") % {"code": repr(staff_code)}))
    row["tier"] = _text(record.get("customer_tier")).lower()
    if row["tier"] not in TIERS:
        problems.append(
            ("customer_tier", _("%(value)s is not normal, wealth or private") % {"value": repr(row["tier"])})
        )
    for name in ("issued_at", "called_at", "started_at", "finished_at"):
        row[name] = _moment(record.get(name), name, problems)
    if row["issued_at"] is None and not any(f == "issued_at" for f, _r in problems):
        problems.append(("issued_at", _("missing")))
    chain = [
        (n, row[n]) for n in ("issued_at", "called_at", "started_at", "finished_at") if row[n] is not None
    ]
    for (a, ta), (b, tb) in itertools.pairwise(chain):
        if tb < ta:
            problems.append((b, _("is before %(field)s") % {"field": a}))
    outcome = _text(record.get("outcome")).lower()
    row["outcome"] = outcome
    if outcome not in OUTCOMES:
        problems.append(
            (
                "outcome",
                _("%(value)s is not one of %(choices)s")
                % {"value": repr(outcome), "choices": ", ".join(OUTCOMES)},
            )
        )
    elif outcome == "served" and None in (row["called_at"], row["started_at"], row["finished_at"]):
        problems.append(("outcome", _("served needs called_at, started_at and finished_at")))
    elif outcome == "no_show" and row["called_at"] is None:
        problems.append(("outcome", _("no_show needs called_at")))
    elif outcome in {"diverted", "cancelled", "no_show"} and row["finished_at"] is not None:
        problems.append(
            ("finished_at", _("a %(outcome)s ticket cannot have finished") % {"outcome": outcome})
        )
    rating = _text(record.get("evaluation")).lower()
    if rating not in RATINGS:
        problems.append(
            (
                "evaluation",
                _("%(value)s is not satisfied, basically_satisfied, dissatisfied or empty")
                % {"value": repr(rating)},
            )
        )
    row["rating"] = "" if rating in {"", "empty"} else rating
    if row["rating"] and outcome != "served":
        problems.append(("evaluation", _("only a served ticket can be evaluated")))
    return problems, row


def import_events(path: Path, out: TextIO | Any = None) -> str:
    """Validate the whole file outside any transaction, then write its tickets, their events and evaluations
    as one import batch that every reader sees at once (core.batches)."""
    columns, records = _records(path)
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ValidationFailed(
            _("Missing columns."),
            details=[{"row": 1, "field": c, "reason": _("Missing column.")} for c in missing],
        )
    look = _Lookups()
    problems: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, record in tqdm(records, desc="checking", unit=" rows", file=out, disable=out is None):
        found, row = _check(record, look)
        if row["ticket_id"] in seen:
            found.append(
                (
                    "ticket_id",
                    _("%(id)s already on line %(line)s")
                    % {"id": repr(row["ticket_id"]), "line": seen[row["ticket_id"]]},
                )
            )
        seen.setdefault(row["ticket_id"], line)
        for field, reason in found:
            problems.append({"row": line, "field": field, "reason": reason})
        rows.append(row)
    if problems:
        raise ValidationFailed(
            _("%(count)s problem(s) in the events file, first on line %(line)s; nothing was imported.")
            % {"count": len(problems), "line": problems[0]["row"]},
            details=problems,
        )
    batches.import_batches_discard_stale(actor=SYSTEM, kind="events", tables=TABLES)
    existing = _already_imported(list(seen))
    fresh = [r for r in rows if r["ticket_id"] not in existing]
    created = _write(fresh, out, file_name=path.name)
    return _("imported %(created)s tickets, skipped %(skipped)s already imported") % {
        "created": created,
        "skipped": len(rows) - len(fresh),
    }


def _already_imported(ids: list[str]) -> set[str]:
    """The ticket ids a published import brought in before; refuses ids a running import is writing."""
    found: set[str] = set()
    for start in range(0, len(ids), batches.CHUNK_ROWS):
        for external_id, batch_id, published_at in Ticket._base_manager.filter(
            external_id__in=ids[start : start + batches.CHUNK_ROWS]
        ).values_list("external_id", "import_batch", "import_batch__published_at"):
            if batch_id is not None and published_at is None:
                raise ValidationFailed(
                    _("Another import of these tickets is still running; try again when it has finished."),
                    details=[{"row": None, "field": "ticket_id", "reason": repr(external_id)}],
                )
            found.add(str(external_id))  # matched by the IN list, so never empty
    return found


# Children first: the order a failed batch is deleted in.
TABLES = (Evaluation, TicketEvent, Ticket)


def _write(rows: list[dict[str, Any]], out: TextIO | Any, *, file_name: str) -> int:
    """Write the checked rows in short transactions as one unpublished batch, then publish it (core.batches)."""
    if not rows:
        return 0
    batch = batches.import_batch_start(actor=SYSTEM, kind="events", file_name=file_name)
    try:
        next_seq: dict[tuple[int, dt.date], int] = {}
        with tqdm(total=len(rows), desc="writing", unit=" rows", file=out, disable=out is None) as progress:
            for part in batches.chunks(rows):
                _write_chunk(part, batch, next_seq)
                progress.update(len(part))
        pairs = {(r["outlet"].pk, clock.business_date(r["issued_at"])) for r in rows}
        with transaction.atomic():
            batches.import_batch_publish(actor=SYSTEM, batch=batch)
            rollups.mark_dirty(actor=SYSTEM, pairs=pairs)
            audit.record(
                actor=SYSTEM,
                action="measures.import_events",
                target=batch,
                data={"tickets": len(rows), "days": len(pairs)},
            )
            from fuwu.measures.tasks import refresh_rollups

            transaction.on_commit(refresh_rollups.enqueue)
    except BaseException:
        # Interrupted too (Ctrl-C): what was written stays invisible, and goes.
        batches.import_batch_discard(actor=SYSTEM, batch=batch, tables=TABLES)
        raise
    return len(rows)


def _write_chunk(
    rows: Sequence[dict[str, Any]], batch: ImportBatch, next_seq: dict[tuple[int, dt.date], int]
) -> None:
    # Everything is built before the transaction opens, so the write lock is held for the inserts alone;
    # bulk_create fills in each ticket's key, which its events and evaluation then take.
    tickets: list[Ticket] = []
    events: list[TicketEvent] = []
    evaluations: list[Evaluation] = []
    for row in rows:
        day = clock.business_date(row["issued_at"])
        key = (row["outlet"].pk, day)
        if key not in next_seq:
            top = Ticket._base_manager.filter(outlet=row["outlet"], business_date=day).aggregate(m=Max("seq"))
            next_seq[key] = (top["m"] or 0) + 1
        seq = next_seq[key]
        next_seq[key] += 1
        ticket = Ticket(
            outlet=row["outlet"],
            business_date=day,
            number=f"I{seq:07d}",
            seq=seq,
            service=row["service"],
            channel=Ticket.Channel.IMPORT,
            status=OUTCOMES[row["outcome"]],
            customer_tier=row["tier"],
            counter=row["counter"],
            staff=row["staff"],
            issued_at=row["issued_at"],
            called_at=row["called_at"],
            last_called_at=row["called_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            diverted_channel="imported" if row["outcome"] == "diverted" else "",
            external_id=row["ticket_id"],
            import_batch=batch,
        )
        tickets.append(ticket)
        steps = [
            (TicketEvent.Kind.ISSUED, row["issued_at"]),
            (TicketEvent.Kind.CALLED, row["called_at"]),
            (TicketEvent.Kind.STARTED, row["started_at"]),
        ]
        end_at = row["finished_at"] or row["started_at"] or row["called_at"] or row["issued_at"]
        steps.append((END_EVENT[row["outcome"]], end_at))
        events.extend(
            TicketEvent(
                ticket=ticket,
                kind=kind,
                at=at,
                counter=row["counter"],
                actor_label="import",
                data={"source": "import"},
                import_batch=batch,
            )
            for kind, at in steps
            if at is not None
        )
        if row["rating"]:
            evaluations.append(
                Evaluation(
                    ticket=ticket,
                    outlet=row["outlet"],
                    counter=row["counter"],
                    staff=row["staff"],
                    rating=row["rating"],
                    at=row["finished_at"],
                    source="import",
                    import_batch=batch,
                )
            )
    with transaction.atomic():
        Ticket.objects.bulk_create(tickets)
        TicketEvent.objects.bulk_create(events)
        Evaluation.objects.bulk_create(evaluations)


IMPORTERS = {"events": import_events}
