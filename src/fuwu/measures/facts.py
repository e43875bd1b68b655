"""The raw facts every measure reads, as plain rows and as columnar (Arrow/Parquet) tables.

The columnar schema is the contract between the app database and any engine (DuckDB, Spark…): the Ibis
definitions in `definitions.py` read only these tables and columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from fuwu.complaints.models import Complaint
from fuwu.core import calendar, clock
from fuwu.core.facts import fact_table, fact_tables
from fuwu.core.models import OrgUnit
from fuwu.feedback.models import FeedbackItem
from fuwu.floor import policy as floor_policy
from fuwu.floor.models import Ticket

# The columnar schemas are built on first use: pyarrow is heavy, and this module is imported by pages that
# never write a table (the rollup builder reads the plain rows below).
if TYPE_CHECKING:
    import pyarrow as pa

    SCHEMAS: dict[str, pa.Schema]
    TS: pa.DataType

TABLES = (
    "units",
    "tickets",
    "evaluations",
    "complaints",
    "feedback",
    "calls",
    "inspections",
    "rectifications",
    "training",
    "language",
    "approval_steps",
    "suggestions",
    "compliments",
    "calendar",
)


# Timestamps are UTC without a zone attached: every engine then reads plain instants (no per-row time-zone
# arithmetic when taking epoch seconds), and business dates are already resolved in Asia/Shanghai.
def _build_schemas() -> dict[str, pa.Schema]:
    import pyarrow as pa

    ts = pa.timestamp("us")
    return {
        "units": pa.schema(
            [
                ("unit_id", pa.int64()),
                ("code", pa.string()),
                ("name", pa.string()),
                ("kind", pa.string()),
                ("path", pa.string()),
            ]
        ),
        "tickets": pa.schema(
            [
                ("ticket_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("business_date", pa.date32()),
                ("service_code", pa.string()),
                ("counter_code", pa.string()),
                ("staff_id", pa.string()),
                ("customer_tier", pa.string()),
                ("hour", pa.int32()),
                ("status", pa.string()),
                ("issued_at", ts),
                ("called_at", ts),
                ("started_at", ts),
                ("finished_at", ts),
                ("target_wait_seconds", pa.int64()),
            ]
        ),
        "evaluations": pa.schema([("ticket_id", pa.int64()), ("rating", pa.string())]),
        "complaints": pa.schema(
            [
                ("complaint_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("status", pa.string()),
                ("received_date", pa.date32()),
                ("closed_date", pa.date32()),
                ("received_at", ts),
                ("closed_at", ts),
                ("due_at", ts),
            ]
        ),
        "feedback": pa.schema(
            [
                ("feedback_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("replied_date", pa.date32()),
                ("replied_at", ts),
                ("reply_due_at", ts),
            ]
        ),
        # Contact-centre calls (declared by staffing's fact_tables); unit_id is the centre, hour the hour offered.
        "calls": pa.schema(
            [
                ("call_id", pa.string()),
                ("unit_id", pa.int64()),
                ("business_date", pa.date32()),
                ("line", pa.string()),
                ("hour", pa.int32()),
                ("offered_at", ts),
                ("answered_at", ts),
                ("ended_at", ts),
                ("abandoned_at", ts),
            ]
        ),
        # Submitted inspections (declared by inspections' fact_tables): score as it stands now, live findings.
        "inspections": pa.schema(
            [
                ("inspection_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("visit_date", pa.date32()),
                ("kind", pa.string()),
                ("score", pa.float64()),
                ("findings", pa.int64()),
            ]
        ),
        # Rectification-ledger tasks of every source, with the business dates of their events.
        "rectifications": pa.schema(
            [
                ("task_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("opened_date", pa.date32()),
                ("due", pa.date32()),
                ("submitted_date", pa.date32()),
                ("closed_date", pa.date32()),
                ("verified_date", pa.date32()),
                ("on_time", pa.bool_()),
            ]
        ),
        # Training assignments not cancelled (declared by training's fact_tables), at the unit when assigned.
        "training": pa.schema(
            [
                ("assignment_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("course", pa.string()),
                ("due", pa.date32()),
                ("completed_date", pa.date32()),
            ]
        ),
        # Texts checked for service language (declared by knowledge's fact_tables), on their business date.
        "language": pa.schema(
            [
                ("check_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("business_date", pa.date32()),
                ("agent", pa.string()),
                ("is_call", pa.bool_()),
                ("forbidden_hits", pa.int64()),
                ("required_missing", pa.int64()),
            ]
        ),
        # Approval case steps (declared by approvals' fact_tables); seconds are business seconds on its calendar.
        "approval_steps": pa.schema(
            [
                ("step_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("key", pa.string()),
                ("started_date", pa.date32()),
                ("ended_date", pa.date32()),
                ("decided_date", pa.date32()),
                ("elapsed_seconds", pa.float64()),
                ("paused_seconds", pa.float64()),
                ("started_at", ts),
                ("finished_at", ts),
                ("due_at", ts),
            ]
        ),
        # Next-product suggestions (declared by customers' fact_tables), on the business date shown; staff_id is
        # the referrer credited, else whom it was shown to ("-" for neither), status the reaction as it stands.
        "suggestions": pa.schema(
            [
                ("suggestion_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("business_date", pa.date32()),
                ("product", pa.string()),
                ("staff_id", pa.string()),
                ("status", pa.string()),
            ]
        ),
        # Compliments in feedback (declared by feedback's fact_tables), on the business date written; staff_id
        # is the staff member named ("-" for none).
        "compliments": pa.schema(
            [
                ("feedback_id", pa.int64()),
                ("unit_id", pa.int64()),
                ("business_date", pa.date32()),
                ("staff_id", pa.string()),
            ]
        ),
        # day_index counts calendar days, business_index counts business days up to and including the date,
        # so differences of either give calendar or business days between two dates on any engine.
        "calendar": pa.schema(
            [("date", pa.date32()), ("day_index", pa.int64()), ("business_index", pa.int64())]
        ),
    }


@cache
def _schemas() -> dict[str, pa.Schema]:
    return _build_schemas()


def __getattr__(name: str) -> object:
    if name == "SCHEMAS":
        return _schemas()
    if name == "TS":
        import pyarrow as pa

        return pa.timestamp("us")
    raise AttributeError(name)


# Tables an older export may lack (written before those facts were added); readers treat them as empty.
OPTIONAL = frozenset(
    {
        "calls",
        "inspections",
        "rectifications",
        "training",
        "language",
        "approval_steps",
        "suggestions",
        "compliments",
    }
)
NONE_KEY = "-"  # the key of a cut whose value is missing (ticket never reached a counter, no tier…)
MERGED, WITHDRAWN = "merged", "withdrawn"
MYSTERY = "mystery"  # the kind of a mystery-shopper (神秘人) inspection
ACCEPTED, REFERRED = "accepted", "referred"  # the reactions to a suggestion that count as converted


def _units_filter(units: Iterable[OrgUnit] | None, field: str) -> dict[str, Any]:
    if units is None:
        return {}
    return {f"{field}__in": [u.pk for u in units]}


def ticket_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Tickets of business dates start..end (inclusive), with their evaluation rating if any.

    The real floor's only (floor.policy.real): the demo's live simulated day is in no measure or rollup.
    """
    qs = (
        Ticket.objects.filter(
            floor_policy.real(), business_date__range=(start, end), **_units_filter(units, "outlet")
        )
        .values(
            "id",
            "outlet_id",
            "business_date",
            "service__code",
            "counter__code",
            "staff_id",
            "customer_tier",
            "status",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "service__target_wait_seconds",
            "evaluation__rating",
        )
        .order_by()
    )
    for row in qs.iterator(chunk_size=5000):
        yield {
            "ticket_id": row["id"],
            "unit_id": row["outlet_id"],
            "business_date": row["business_date"],
            "service_code": row["service__code"],
            "counter_code": row["counter__code"] or NONE_KEY,
            "staff_id": str(row["staff_id"]) if row["staff_id"] else NONE_KEY,
            "customer_tier": row["customer_tier"] or NONE_KEY,
            "hour": row["issued_at"].astimezone(clock.SHANGHAI).hour,
            "status": row["status"],
            "issued_at": row["issued_at"],
            "called_at": row["called_at"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "target_wait_seconds": row["service__target_wait_seconds"],
            "rating": row["evaluation__rating"],
        }


def complaint_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Complaints received or closed on business dates start..end."""
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)
    qs = Complaint.objects.filter(
        Q(received_at__gte=lo, received_at__lt=hi) | Q(closed_at__gte=lo, closed_at__lt=hi),
        **_units_filter(units, "outlet"),
    )
    for row in (
        qs.values("id", "outlet_id", "status", "received_at", "closed_at", "due_at").order_by().iterator()
    ):
        closed_at = row["closed_at"]
        yield {
            "complaint_id": row["id"],
            "unit_id": row["outlet_id"],
            "status": row["status"],
            "received_date": clock.business_date(row["received_at"]),
            "closed_date": clock.business_date(closed_at) if closed_at else None,
            "received_at": row["received_at"],
            "closed_at": closed_at,
            "due_at": row["due_at"],
        }


def feedback_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Feedback-box messages replied on business dates start..end."""
    lo = dt.datetime.combine(start, dt.time(), clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)
    qs = FeedbackItem.objects.filter(replied_at__gte=lo, replied_at__lt=hi, **_units_filter(units, "outlet"))
    for row in qs.values("id", "outlet_id", "replied_at", "reply_due_at").order_by().iterator():
        replied_at = row["replied_at"]
        if replied_at is None:  # excluded by the filter; keeps the type checker informed
            continue
        yield {
            "feedback_id": row["id"],
            "unit_id": row["outlet_id"],
            "replied_date": clock.business_date(replied_at),
            "replied_at": replied_at,
            "reply_due_at": row["reply_due_at"],
        }


def call_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Contact-centre calls offered on business dates start..end, from the app that declares the "calls"
    fact table (staffing's `fact_tables.py`); none when no app does."""
    table = fact_table("calls")
    if table is None:
        return iter(())
    return table.rows(start, end, units)


def hooked_rows(
    name: str, start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of fact table `name` for business dates start..end from the app that declares it (none
    when no app does): inspections and rectifications (inspections' `fact_tables.py`), training."""
    table = fact_table(name)
    if table is None:
        return iter(())
    return table.rows(start, end, units)


def _staff_key(staff_id: Any) -> str:
    return str(staff_id) if staff_id else NONE_KEY


def suggestion_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Suggestions shown on business dates start..end (customers' "suggestions" table), keyed for the cuts."""
    for row in hooked_rows("suggestions", start, end, units):
        yield {
            "suggestion_id": row["suggestion_id"],
            "unit_id": row["unit_id"],
            "business_date": row["business_date"],
            "product": str(row["product"]),
            "staff_id": _staff_key(row["staff_id"]),
            "status": str(row["status"]),
        }


def compliment_rows(
    start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None
) -> Iterator[dict[str, Any]]:
    """Compliments written on business dates start..end (feedback's "compliments" table), keyed for the cuts."""
    for row in hooked_rows("compliments", start, end, units):
        yield {
            "feedback_id": row["feedback_id"],
            "unit_id": row["unit_id"],
            "business_date": row["business_date"],
            "staff_id": _staff_key(row["staff_id"]),
        }


def calendar_rows(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = []
    business = 0
    day = start
    while day <= end:
        business += calendar.is_business_day(day)
        rows.append({"date": day, "day_index": (day - start).days, "business_index": business})
        day += dt.timedelta(days=1)
    return rows


def unit_rows() -> list[dict[str, Any]]:
    return [
        {"unit_id": u.pk, "code": u.code, "name": u.name, "kind": u.kind, "path": u.path}
        for u in OrgUnit.objects.all()
    ]


def _table(name: str, rows: Iterable[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    schema = _schemas()[name]
    columns: dict[str, list[Any]] = {f.name: [] for f in schema}
    for row in rows:
        for column, values in columns.items():
            values.append(row[column])
    return pa.Table.from_pydict(columns, schema=schema)


def arrow_tables(start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None) -> dict[str, pa.Table]:
    """Every fact table for business dates start..end, read from the app database (SQLite or PostgreSQL)."""
    unit_list = list(units) if units is not None else None
    tickets = list(ticket_rows(start, end, unit_list))
    complaints = list(complaint_rows(start, end, unit_list))
    earliest = min([start, *(c["received_date"] for c in complaints)])
    return {
        "units": _table("units", unit_rows()),
        "tickets": _table("tickets", tickets),
        "evaluations": _table(
            "evaluations",
            ({"ticket_id": t["ticket_id"], "rating": t["rating"]} for t in tickets if t["rating"]),
        ),
        "complaints": _table("complaints", complaints),
        "feedback": _table("feedback", feedback_rows(start, end, unit_list)),
        "calls": _table("calls", call_rows(start, end, unit_list)),
        "inspections": _table("inspections", hooked_rows("inspections", start, end, unit_list)),
        "rectifications": _table("rectifications", hooked_rows("rectifications", start, end, unit_list)),
        "training": _table("training", hooked_rows("training", start, end, unit_list)),
        "language": _table("language", hooked_rows("language", start, end, unit_list)),
        "approval_steps": _table("approval_steps", hooked_rows("approval_steps", start, end, unit_list)),
        "suggestions": _table("suggestions", suggestion_rows(start, end, unit_list)),
        "compliments": _table("compliments", compliment_rows(start, end, unit_list)),
        "calendar": _table("calendar", calendar_rows(earliest, end)),
    }


def export_parquet(directory: Path, start: dt.date, end: dt.date) -> dict[str, int]:
    """Write one Parquet file per fact table into `directory`; returns rows written per table."""
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in arrow_tables(start, end).items():
        pq.write_table(table, directory / f"{name}.parquet")
        written[name] = table.num_rows
    return written


def parquet_paths(directory: Path) -> dict[str, Path]:
    missing = [n for n in TABLES if n not in OPTIONAL and not (directory / f"{n}.parquet").exists()]
    if missing:
        from fuwu.core.errors import ValidationFailed

        raise ValidationFailed(
            _("Not a facts export."),
            details=[{"field": m, "reason": _("Missing file.")} for m in missing],
        )
    return {
        name: directory / f"{name}.parquet" for name in TABLES if (directory / f"{name}.parquet").exists()
    }


def fact_dates() -> tuple[dt.date, dt.date] | None:
    """The first and last business dates any fact falls on (None when there are no facts)."""
    real = Ticket.objects.filter(floor_policy.real())
    days = [
        d
        for d in (
            real.order_by("business_date").values_list("business_date", flat=True).first(),
            real.order_by("-business_date").values_list("business_date", flat=True).first(),
        )
        if d is not None
    ]
    for table in fact_tables().values():
        days.extend(table.span())
    for field in ("received_at", "closed_at"):
        for order in (field, f"-{field}"):
            moment = (
                Complaint.objects.exclude(**{field: None})
                .order_by(order)
                .values_list(field, flat=True)
                .first()
            )
            if moment is not None:
                days.append(clock.business_date(moment))
    return (min(days), max(days)) if days else None
