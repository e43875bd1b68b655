"""Exact definitions of the supervision measures, as plain data and functions, for the measures catalogue.

Facts are additive parts per (unit, business date) — the catalogue's own shape — so any rollup (outlet →
tier-2 → tier-1 → bank, day → month → quarter) is a sum of parts followed by the formula. The two stock
measures (open and overdue rectifications) are snapshots "as of the end of the date": they add across
units but not across days; a period's value is the snapshot of its last date.

Parts (all counts or sums over the rows of that unit and date):
  inspections_submitted     inspections (any kind) submitted, dated by visit_date
  inspection_score_sum      Σ current score of those inspections (after any upheld appeal)
  mystery_submitted         the same for kind = 神秘人 only
  mystery_score_sum         Σ current score of those mystery inspections
  findings                  findings of those inspections not removed on appeal
  rect_verified             rectification tasks verified on the date (any source), dated by verified_at
  rect_verified_on_time     of those, the ones whose last evidence was submitted on or before the due date
  rect_open                 tasks opened on or before the date and not closed by its end (closed = verified or
                            withdrawn on appeal; submitted-but-unverified tasks are still open)
  rect_overdue              of rect_open, those past their due date with no evidence submitted by the date's end
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fuwu.core import clock
from fuwu.core.models import OrgUnit
from fuwu.inspections.models import Finding, Inspection, RectificationTask

Parts = dict[str, float]

PARTS = (
    "inspections_submitted",
    "inspection_score_sum",
    "mystery_submitted",
    "mystery_score_sum",
    "findings",
    "rect_verified",
    "rect_verified_on_time",
    "rect_open",
    "rect_overdue",
)
STOCK_PARTS = frozenset({"rect_open", "rect_overdue"})  # snapshots: sum across units, last value across days


def _ratio(num: str, den: str, scale: float = 1.0) -> Callable[[Parts], float | None]:
    def formula(p: Parts) -> float | None:
        base = p.get(den, 0)
        return None if not base else p.get(num, 0) / base * scale

    return formula


def _count(name: str) -> Callable[[Parts], float | None]:
    return lambda p: p.get(name, 0)


@dataclass(frozen=True)
class Definition:
    id: str
    name: str  # English msgid-style name
    name_zh: str
    unit: str  # "points" | "%" | "count" | "per inspection"
    higher_is_better: bool
    definition: str
    parts: tuple[str, ...]
    formula: Callable[[Parts], float | None]
    decimals: int = 1
    stock: bool = False  # a snapshot: take the period's last date, do not sum days


MEASURES: tuple[Definition, ...] = (
    Definition(
        "inspection_score",
        "Inspection score",
        "检查平均得分",
        "points",
        True,
        "Mean of the 0–100 scores of inspections of every kind submitted in the period (by visit date), "
        "each score as it stands now (an upheld appeal restores it). Score: 100 × Σ weight × earned / Σ weight "
        "over applicable items; N/A items out of the denominator; a failed critical item caps it at 59.",
        ("inspection_score_sum", "inspections_submitted"),
        _ratio("inspection_score_sum", "inspections_submitted"),
        2,
    ),
    Definition(
        "mystery_score",
        "Mystery-shopper score",
        "神秘人检查得分",
        "points",
        True,
        "The inspection score over 神秘人 (mystery-shopper) inspections only. Seed 004 target: the average "
        "rises by 2 points or more (compare a quarter with the one before).",
        ("mystery_score_sum", "mystery_submitted"),
        _ratio("mystery_score_sum", "mystery_submitted"),
        2,
    ),
    Definition(
        "rectification_on_time_rate",
        "Rectification on-time rate",
        "整改按时完成率",
        "%",
        True,
        "Of the rectification tasks (every source) verified in the period, the share whose last evidence was "
        "submitted on or before the due date, × 100.",
        ("rect_verified_on_time", "rect_verified"),
        _ratio("rect_verified_on_time", "rect_verified", 100),
    ),
    Definition(
        "open_rectifications",
        "Open rectifications",
        "未完成整改数",
        "count",
        False,
        "Rectification tasks (every source) opened and not yet verified or withdrawn on appeal at the end of "
        "the period's last date, including those awaiting verification.",
        ("rect_open",),
        _count("rect_open"),
        0,
        stock=True,
    ),
    Definition(
        "overdue_rectifications",
        "Overdue rectifications",
        "逾期未整改数",
        "count",
        False,
        "Open rectification tasks past their due date with no evidence submitted, at the end of the period's "
        "last date.",
        ("rect_overdue",),
        _count("rect_overdue"),
        0,
        stock=True,
    ),
    Definition(
        "findings_per_inspection",
        "Findings per inspection",
        "每次检查发现问题数",
        "per inspection",
        False,
        "Findings (failed items, not removed on appeal) of the inspections submitted in the period, divided "
        "by those inspections.",
        ("findings", "inspections_submitted"),
        _ratio("findings", "inspections_submitted"),
        2,
    ),
)


def get(measure_id: str) -> Definition:
    for m in MEASURES:
        if m.id == measure_id:
            return m
    raise KeyError(measure_id)


def fact_rows(start: dt.date, end: dt.date, units: Iterable[OrgUnit] | None = None) -> list[dict[str, Any]]:
    """Parts per (unit_code, date) for start ≤ date ≤ end, for the units given (default: all).

    Flow parts sit on the date of their event; stock parts are computed for every date in the range (one
    row per unit with any task and per date), so a rollup reads the last date of its period.
    """
    unit_ids = {u.pk for u in units} if units is not None else None
    rows: dict[tuple[int, dt.date], Parts] = defaultdict(lambda: dict.fromkeys(PARTS, 0.0))

    inspections = Inspection.objects.filter(
        status=Inspection.Status.SUBMITTED, visit_date__gte=start, visit_date__lte=end, score__isnull=False
    )
    if unit_ids is not None:
        inspections = inspections.filter(outlet_id__in=unit_ids)
    for i in inspections.values("pk", "outlet_id", "visit_date", "kind", "score"):
        visit: dt.date = i["visit_date"] or start  # filtered to the range, never None
        r = rows[(i["outlet_id"], visit)]
        score = float(Decimal(str(i["score"])))
        r["inspections_submitted"] += 1
        r["inspection_score_sum"] += score
        if i["kind"] == Inspection.Kind.MYSTERY:
            r["mystery_submitted"] += 1
            r["mystery_score_sum"] += score
    findings = Finding.objects.filter(inspection__in=inspections, removed=False)
    for f in findings.values("inspection__outlet_id", "inspection__visit_date"):
        found_on: dt.date = f["inspection__visit_date"] or start
        rows[(f["inspection__outlet_id"], found_on)]["findings"] += 1

    tasks = RectificationTask.objects.all()
    if unit_ids is not None:
        tasks = tasks.filter(unit_id__in=unit_ids)
    for t in tasks.values(
        "unit_id", "opened_at", "closed_at", "verified_at", "submitted_at", "due", "on_time", "status"
    ):
        if t["verified_at"] is not None and t["status"] == RectificationTask.Status.VERIFIED:
            day = clock.business_date(t["verified_at"])
            if start <= day <= end:
                r = rows[(t["unit_id"], day)]
                r["rect_verified"] += 1
                r["rect_verified_on_time"] += 1 if t["on_time"] else 0
        opened = clock.business_date(t["opened_at"])
        closed = clock.business_date(t["closed_at"]) if t["closed_at"] else None
        submitted = clock.business_date(t["submitted_at"]) if t["submitted_at"] else None
        day = max(start, opened)
        while day <= end and (closed is None or day < closed):
            r = rows[(t["unit_id"], day)]
            r["rect_open"] += 1
            if t["due"] < day and (submitted is None or submitted > day):
                r["rect_overdue"] += 1
            day += dt.timedelta(days=1)

    codes = dict(OrgUnit.objects.filter(pk__in={k[0] for k in rows}).values_list("pk", "code"))
    return [
        {"unit_code": codes[unit_id], "date": day, **parts}
        for (unit_id, day), parts in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def evaluate(
    rows: Iterable[dict[str, Any]], measure_ids: Iterable[str] | None = None
) -> dict[str, float | None]:
    """Roll `rows` (any units, any dates) up and apply each formula: flows summed, stocks from the last date."""
    rows = list(rows)
    last = max((r["date"] for r in rows), default=None)
    parts: Parts = dict.fromkeys(PARTS, 0.0)
    for r in rows:
        for name in PARTS:
            if name in STOCK_PARTS and r["date"] != last:
                continue
            parts[name] += float(r.get(name, 0))
    wanted = [get(m) for m in measure_ids] if measure_ids is not None else list(MEASURES)
    return {m.id: m.formula(parts) for m in wanted}
