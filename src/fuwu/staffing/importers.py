"""`fuwu import calls FILE.csv|FILE.xlsx`: contact-centre call records (W5), validated whole outside any
transaction, then written in short transactions as one import batch published at once (core.batches, #18).

Columns: call_id, line (95599 | credit_card, or 信用卡), offered_at, answered_at, ended_at, abandoned_at, agent,
and optionally centre (org-unit code; the head office when absent), customer_no and phone (the caller: linked
to the customer by their number, else by the keyed hash of the calling number, which is never stored). Times
are ISO 8601; a time without an offset is Beijing time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _

from fuwu.core import clock, pii
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM
from fuwu.core.tabular import read_table
from fuwu.customers.models import Customer
from fuwu.staffing import services
from fuwu.staffing.models import CallLine

REQUIRED = ("call_id", "line", "offered_at")
COLUMNS = (
    "call_id",
    "line",
    "offered_at",
    "answered_at",
    "ended_at",
    "abandoned_at",
    "agent",
    "centre",
    "customer_no",
    "phone",
)
LINE_ALIASES = {
    "95599": CallLine.HOTLINE,
    "credit_card": CallLine.CREDIT_CARD,
    "信用卡": CallLine.CREDIT_CARD,
    "creditcard": CallLine.CREDIT_CARD,
}


def _time(value: Any) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return moment.replace(tzinfo=clock.SHANGHAI) if moment.tzinfo is None else moment


def parse_calls(path: Path) -> tuple[dict[str, list[services.CallRow]], list[dict[str, Any]]]:
    """Rows grouped by centre code, and every problem found (row numbers as in the file)."""
    problems: list[dict[str, Any]] = []
    grouped: dict[str, list[services.CallRow]] = {}
    pending: list[tuple[str, services.CallRow]] = []
    callers: list[tuple[int, str, str]] = []  # (line, customer number, phone's keyed hash) per good row
    seen: set[str] = set()
    table = read_table(path, required=REQUIRED)
    for line_no, record in table.rows:
        row_problems: list[dict[str, Any]] = []

        def bad(
            field: str, reason: str, row_problems: list[dict[str, Any]] = row_problems, line_no: int = line_no
        ) -> None:
            row_problems.append({"row": line_no, "field": field, "reason": reason})

        call_id = str(record.get("call_id") or "").strip()
        if not call_id:
            bad("call_id", _("Missing."))
        elif call_id in seen:
            bad("call_id", _("%(call)s appears twice.") % {"call": call_id})
        seen.add(call_id)
        line = LINE_ALIASES.get(str(record.get("line") or "").strip().lower())
        if line is None:
            bad("line", _("Must be 95599 or credit_card, not “%(value)s”.") % {"value": record.get("line")})
        times: dict[str, dt.datetime | None] = {}
        for field in ("offered_at", "answered_at", "ended_at", "abandoned_at"):
            try:
                times[field] = _time(record.get(field))
            except (TypeError, ValueError):
                bad(field, _("Not a date and time: “%(value)s”.") % {"value": record.get(field)})
                times[field] = None
        offered, answered, ended, abandoned = (
            times[f] for f in ("offered_at", "answered_at", "ended_at", "abandoned_at")
        )
        if offered is None and not any(p["field"] == "offered_at" for p in row_problems):
            bad("offered_at", _("Missing."))
        if answered is not None and abandoned is not None:
            bad("abandoned_at", _("A call is either answered or abandoned."))
        if answered is None and abandoned is None and not row_problems:
            bad("answered_at", _("Give answered_at or abandoned_at."))
        if offered is not None and answered is not None and answered < offered:
            bad("answered_at", _("Before the call was offered."))
        if offered is not None and abandoned is not None and abandoned < offered:
            bad("abandoned_at", _("Before the call was offered."))
        if answered is not None and (ended is None or ended < answered):
            bad("ended_at", _("An answered call needs an end after its answer."))
        centre = str(record.get("centre") or "").strip()
        if row_problems:
            problems.extend(row_problems)
            continue
        assert offered is not None and line is not None
        phone = pii.normalize_phone(str(record.get("phone") or ""))
        callers.append(
            (
                line_no,
                str(record.get("customer_no") or "").strip(),
                pii.keyed_hash("phone", phone) if phone else "",
            )
        )
        pending.append(
            (
                centre,
                services.CallRow(
                    call_id=call_id,
                    line=line,
                    offered_at=offered,
                    answered_at=answered,
                    ended_at=ended,
                    abandoned_at=abandoned,
                    agent=str(record.get("agent") or "").strip(),
                ),
            )
        )
    if not seen:
        problems.append({"row": None, "field": "call_id", "reason": _("the file has no data rows")})
    links = _callers(callers, problems)
    for (centre, row), customer_id in zip(pending, links, strict=True):
        grouped.setdefault(centre, []).append(dataclasses.replace(row, customer_id=customer_id))
    return grouped, problems


def _callers(callers: list[tuple[int, str, str]], problems: list[dict[str, Any]]) -> list[int | None]:
    """Each row's customer: by customer number (an unknown one is a row problem), else by the phone's
    keyed hash (a caller who is not a customer stays unlinked). Two queries for the whole file."""
    numbers = {no for _line, no, _hash in callers if no}
    hashes = {h for _line, no, h in callers if h and not no}
    by_no = dict(Customer.objects.filter(customer_no__in=numbers).values_list("customer_no", "pk"))
    by_phone: dict[str, int] = {}
    for phone_hash, pk in (
        Customer.objects.filter(phone_hash__in=hashes).order_by("pk").values_list("phone_hash", "pk")
    ):
        by_phone.setdefault(phone_hash, pk)
    found: list[int | None] = []
    for line_no, no, phone_hash in callers:
        if no and no not in by_no:
            problems.append(
                {"row": line_no, "field": "customer_no", "reason": _("No customer %(no)s.") % {"no": no}}
            )
        found.append(by_no.get(no) if no else by_phone.get(phone_hash))
    return found


def import_calls(path: Path, out: TextIO | Any = None) -> str:
    """Import call records; any bad row rejects the whole file."""
    grouped, problems = parse_calls(path)
    centres: dict[str, OrgUnit] = {}
    for code in grouped:
        unit = OrgUnit.objects.filter(code=code).first() if code else OrgUnit.objects.get_first_root_node()
        if unit is None:
            problems.append(
                {"row": None, "field": "centre", "reason": _("Unknown org unit “%(code)s”.") % {"code": code}}
            )
        else:
            centres[code] = unit
    if problems:
        first = next((p["row"] for p in problems if p["row"]), None)
        raise ValidationFailed(
            _("%(count)s problem(s) in the call-record file, first on line %(line)s; nothing was imported.")
            % {"count": len(problems), "line": first or "-"},
            details=problems,
        )
    total = services.call_records_import_batch(
        actor=SYSTEM, grouped={centres[code]: rows for code, rows in grouped.items()}, file_name=path.name
    )
    return _("imported %(count)s call records") % {"count": total}


IMPORTERS = {"calls": import_calls}
