"""Parts from raw fact rows (the per-call parts live in the catalogue, which staffing reads too), in plain Python: the rollup builder's half of the definitions.

`definitions.py` computes the same parts with Ibis on any engine; the tests hold the two to each other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from fuwu.core import calendar
from fuwu.measures.catalogue import (
    HIST_PARTS,
    STEP_HIST_PARTS,
    call_parts,
    empty_parts,
    seconds_between,
    step_bucket,
    wait_bucket,
)
from fuwu.measures.facts import ACCEPTED, MERGED, MYSTERY, REFERRED, WITHDRAWN

RowKey = tuple[int, dt.date, str, str]  # unit id, business date, cut, key
CALL_CUTS = (("line", "line"), ("hour", "hour"))
TICKET_CUTS = (
    ("service", "service_code"),
    ("counter", "counter_code"),
    ("staff", "staff_id"),
    ("tier", "customer_tier"),
    ("hour", "hour"),
)


def ticket_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one ticket contributes."""
    parts: dict[str, float] = {"issued": 1}
    if row["called_at"] is not None:
        wait = seconds_between(row["called_at"], row["issued_at"])
        parts.update(called=1, wait_sum=wait, within_target=int(wait <= row["target_wait_seconds"]))
        parts[HIST_PARTS[wait_bucket(wait)]] = 1
    status = row["status"]
    if status == "finished":
        parts["finished"] = 1
        if row["started_at"] is not None and row["finished_at"] is not None:
            parts.update(service_n=1, service_sum=seconds_between(row["finished_at"], row["started_at"]))
        rating = row.get("rating")
        if rating:
            parts["evaluated"] = 1
            if rating == "satisfied":
                parts["satisfied"] = 1
            elif rating == "basically_satisfied":
                parts["basically_satisfied"] = 1
    elif status == "no_show":
        parts["no_show"] = 1
    elif status == "diverted":
        parts["diverted"] = 1
    return parts


def accumulate(
    tickets: Iterable[dict[str, Any]],
    complaints: Iterable[dict[str, Any]],
    start: dt.date,
    end: dt.date,
    feedback: Iterable[dict[str, Any]] = (),
    calls: Iterable[dict[str, Any]] = (),
    inspections: Iterable[dict[str, Any]] = (),
    tasks: Iterable[dict[str, Any]] = (),
    training: Iterable[dict[str, Any]] = (),
    language: Iterable[dict[str, Any]] = (),
    steps: Iterable[dict[str, Any]] = (),
    suggestions: Iterable[dict[str, Any]] = (),
    compliments: Iterable[dict[str, Any]] = (),
) -> dict[RowKey, dict[str, float]]:
    """Parts per (unit, business date, cut, key) for dates start..end."""
    out: dict[RowKey, dict[str, float]] = defaultdict(empty_parts)

    def add(key: RowKey, parts: dict[str, float]) -> None:
        target = out[key]
        for name, value in parts.items():
            target[name] += value

    for row in tickets:
        parts = ticket_parts(row)
        unit, day = row["unit_id"], row["business_date"]
        add((unit, day, "", ""), parts)
        for cut, column in TICKET_CUTS:
            add((unit, day, cut, str(row[column])), parts)
    for row in complaints:
        if row["status"] == MERGED:
            continue
        received = row["received_date"]
        if start <= received <= end:
            add((row["unit_id"], received, "", ""), {"complaints": 1})
        closed = row["closed_date"]
        if closed is not None and row["status"] != WITHDRAWN and start <= closed <= end:
            add(
                (row["unit_id"], closed, "", ""),
                {
                    "complaints_closed": 1,
                    "complaints_on_time": int(row["closed_at"] <= row["due_at"]),
                    "cycle_days": (closed - received).days,
                    "cycle_business_days": calendar.business_days_between(received, closed),
                },
            )
    for row in feedback:
        day = row["replied_date"]
        if start <= day <= end:
            on_time = int(row["replied_at"] <= row["reply_due_at"])
            add((row["unit_id"], day, "", ""), {"feedback_replied": 1, "feedback_replied_on_time": on_time})
    for row in calls:
        parts = call_parts(row)
        unit, day = row["unit_id"], row["business_date"]
        add((unit, day, "", ""), parts)
        for cut, column in CALL_CUTS:
            add((unit, day, cut, str(row[column])), parts)
    for row in inspections:
        day = row["visit_date"]
        if start <= day <= end:
            add((row["unit_id"], day, "", ""), inspection_parts(row))
    for row in tasks:
        for day, parts in task_events(row):
            if start <= day <= end:
                add((row["unit_id"], day, "", ""), parts)
    for row in training:
        day = row["due"]
        if start <= day <= end:
            parts = training_parts(row)
            add((row["unit_id"], day, "", ""), parts)
            add((row["unit_id"], day, "course", str(row["course"])), parts)
    for row in language:
        day = row["business_date"]
        if start <= day <= end:
            parts = language_parts(row)
            add((row["unit_id"], day, "", ""), parts)
            add((row["unit_id"], day, "agent", str(row["agent"])), parts)
    for row in steps:
        for day, parts in step_events(row):
            if start <= day <= end:
                add((row["unit_id"], day, "", ""), parts)
                add((row["unit_id"], day, "step", str(row["key"])), parts)
    for row in suggestions:
        day = row["business_date"]
        if start <= day <= end:
            parts = suggestion_parts(row)
            add((row["unit_id"], day, "", ""), parts)
            add((row["unit_id"], day, "staff", row["staff_id"]), parts)
            add((row["unit_id"], day, "product", row["product"]), parts)
    for row in compliments:
        day = row["business_date"]
        if start <= day <= end:
            add((row["unit_id"], day, "", ""), {"compliments": 1})
            add((row["unit_id"], day, "staff", row["staff_id"]), {"compliments": 1})
    return out


def suggestion_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one suggestion contributes on the business date it was shown (its reaction as it stands)."""
    return {
        "sugg_shown": 1,
        "sugg_accepted": int(row["status"] == ACCEPTED),
        "sugg_referred": int(row["status"] == REFERRED),
    }


def step_events(row: dict[str, Any]) -> list[tuple[dt.date, dict[str, float]]]:
    """(business date, parts) of one approval step: active from its start to its end, and its decision."""
    events: list[tuple[dt.date, dict[str, float]]] = [(row["started_date"], {"appr_open": 1})]
    if row["ended_date"] is not None:
        events.append((row["ended_date"], {"appr_open": -1}))
    if row["decided_date"] is not None:
        elapsed = row["elapsed_seconds"]
        events.append(
            (
                row["decided_date"],
                {
                    "appr_decided": 1,
                    "appr_breached": int(row["finished_at"] > row["due_at"]),
                    "appr_elapsed_sum": elapsed,
                    "appr_paused_sum": row["paused_seconds"],
                    "appr_wall_sum": seconds_between(row["finished_at"], row["started_at"]),
                    STEP_HIST_PARTS[step_bucket(elapsed / 3600)]: 1,
                },
            )
        )
    return events


def language_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one checked text contributes on its business date."""
    call = bool(row["is_call"])
    return {
        "lang_checked": 1,
        "lang_hits": row["forbidden_hits"],
        "lang_with_hit": int(row["forbidden_hits"] > 0),
        "lang_calls": int(call),
        "lang_calls_complete": int(call and row["required_missing"] == 0),
    }


def training_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one training assignment contributes on its due date."""
    done = row["completed_date"]
    return {
        "training_due": 1,
        "training_completed": int(done is not None),
        "training_on_time": int(done is not None and done <= row["due"]),
    }


def inspection_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one submitted inspection contributes on its visit date."""
    parts = {"inspections_submitted": 1, "inspection_score_sum": row["score"], "findings": row["findings"]}
    if row["kind"] == MYSTERY:
        parts.update(mystery_submitted=1, mystery_score_sum=row["score"])
    return parts


def task_events(row: dict[str, Any]) -> list[tuple[dt.date, dict[str, float]]]:
    """(business date, parts) of each event of one ledger task: verification and the balances' changes."""
    events: list[tuple[dt.date, dict[str, float]]] = [(row["opened_date"], {"rect_open": 1})]
    closed = row["closed_date"]
    if closed is not None:
        events.append((closed, {"rect_open": -1}))
    if row["verified_date"] is not None:
        events.append(
            (row["verified_date"], {"rect_verified": 1, "rect_verified_on_time": int(row["on_time"])})
        )
    # Overdue from the day after the due date until evidence is submitted or the task closes.
    falls_due = row["due"] + dt.timedelta(days=1)
    leaves = min((d for d in (row["submitted_date"], closed) if d is not None), default=None)
    if leaves is None or falls_due < leaves:
        events.append((falls_due, {"rect_overdue": 1}))
        if leaves is not None:
            events.append((leaves, {"rect_overdue": -1}))
    return events
