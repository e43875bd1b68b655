"""Regulator statistics (C8), the Excel export, and hotspots (C7): reads only, always scoped."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from fuwu.complaints.classifier import tokenize
from fuwu.complaints.models import Complaint, Dimension, Status
from fuwu.complaints.selectors import code_names, readable
from fuwu.complaints.states import ANALYSE
from fuwu.core import calendar, clock
from fuwu.core.access import require
from fuwu.core.clock import SHANGHAI
from fuwu.core.files import xlsx_append
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible
from fuwu.customers.models import Customer

HANDLED = (Status.REPLIED, Status.CLOSED, Status.WITHDRAWN, Status.UNDER_REVIEW)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar quarter in Shanghai time."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1–4")
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=SHANGHAI)
    end = dt.datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=SHANGHAI)
    return start, end


def _scoped(principal: Principal, unit: OrgUnit | None) -> QuerySet[Complaint]:
    require(principal, ANALYSE, message=_("Your role may not read the complaint statistics."))
    qs = readable(visible(Complaint.objects.all(), principal), principal)
    return qs.filter(outlet__path__startswith=unit.path) if unit is not None else qs


@dataclass
class RegulatorStats:
    start: dt.datetime
    end: dt.datetime
    unit_name: str
    received: int
    outlets: int
    customers: int
    per_thousand_outlets: float | None
    per_ten_million_customers: float | None
    closed: int
    on_time: int
    on_time_rate: float | None
    avg_cycle_days: float | None
    avg_cycle_business_days: float | None
    by_dimension: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    by_severity: list[tuple[str, int]] = field(default_factory=list)
    by_outlet: list[tuple[str, str, int]] = field(default_factory=list)
    rows: list[Complaint] = field(default_factory=list)


def regulator_stats(
    *, fetched_by: Principal, year: int, quarter: int, unit: OrgUnit | None = None
) -> RegulatorStats:
    """Counts by the three dimensions, rates per 1,000 outlets and 10 million customers, on-time, cycle time."""
    principal = fetched_by
    start, end = quarter_bounds(year, quarter)
    scoped = _scoped(principal, unit).exclude(status=Status.MERGED)
    received = scoped.filter(received_at__gte=start, received_at__lt=end)
    units = visible(OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET, is_active=True), principal)
    customers = visible(Customer.objects.all(), principal)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
        customers = customers.filter(home_outlet__path__startswith=unit.path)
    n_outlets, n_customers = units.count(), customers.count()
    n = received.count()
    names = code_names(fetched_by=principal)
    by_dimension = {}
    for dim in Dimension.values:
        column = f"{dim}_code"
        counts = received.values(column).annotate(n=Count("id")).order_by(column)
        by_dimension[dim] = [
            (row[column], names.get((dim, row[column]), row[column]), row["n"]) for row in counts
        ]
    closed = list(
        scoped.filter(closed_at__gte=start, closed_at__lt=end, status__in=HANDLED)
        .exclude(status=Status.WITHDRAWN)
        .only("received_at", "closed_at", "due_at")
    )
    on_time = sum(1 for c in closed if c.closed_at is not None and c.closed_at <= c.due_at)
    cycles = [(c.closed_at - c.received_at).total_seconds() / 86400 for c in closed if c.closed_at]
    business = [
        calendar.business_days_between(clock.business_date(c.received_at), clock.business_date(c.closed_at))
        for c in closed
        if c.closed_at
    ]
    by_outlet = [
        (row["outlet__code"], row["outlet__name"], row["n"])
        for row in received.values("outlet__code", "outlet__name")
        .annotate(n=Count("id"))
        .order_by("-n", "outlet__code")
    ]
    return RegulatorStats(
        start=start,
        end=end,
        unit_name=unit.name if unit else "",
        received=n,
        outlets=n_outlets,
        customers=n_customers,
        per_thousand_outlets=round(n / n_outlets * 1000, 1) if n_outlets else None,
        per_ten_million_customers=round(n / n_customers * 10_000_000, 1) if n_customers else None,
        closed=len(closed),
        on_time=on_time,
        on_time_rate=round(on_time / len(closed), 4) if closed else None,
        avg_cycle_days=round(sum(cycles) / len(cycles), 2) if cycles else None,
        avg_cycle_business_days=round(sum(business) / len(business), 2) if business else None,
        by_dimension=by_dimension,
        by_severity=[
            (row["severity"], row["n"])
            for row in received.values("severity").annotate(n=Count("id")).order_by("severity")
        ],
        by_outlet=by_outlet,
        rows=list(received.select_related("outlet").order_by("received_at")),
    )


DIMENSION_TITLES = {"channel": "投诉渠道", "category": "业务类别", "reason": "投诉原因"}
SEVERITY_NAMES = {"normal": "普通", "complex": "复杂", "major": "重大"}


def regulator_workbook(stats: RegulatorStats) -> bytes:
    """The quarterly statistics as an .xlsx file: summary, one sheet per dimension, per outlet, detail."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # Every row through xlsx_append: unit and code names are typed by administrators, and a name like
    # "=HYPERLINK(…)" must open as that text, not as a live formula.
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "汇总"
    bold = Font(bold=True)
    last_day = (stats.end - dt.timedelta(days=1)).date()
    xlsx_append(summary, ["消费投诉统计表", f"{stats.start.date()} 至 {last_day}", stats.unit_name])
    summary["A1"].font = bold
    for label, value in [
        ("投诉总量", stats.received),
        ("网点数", stats.outlets),
        ("客户数", stats.customers),
        ("每千家网点投诉量", stats.per_thousand_outlets),
        ("每千万客户投诉量", stats.per_ten_million_customers),
        ("办结量", stats.closed),
        ("按时办结量", stats.on_time),
        ("按时办结率", stats.on_time_rate),
        ("平均办理时长（自然日）", stats.avg_cycle_days),
        ("平均办理时长（工作日）", stats.avg_cycle_business_days),
    ]:
        xlsx_append(summary, [label, value])
    xlsx_append(summary, [])
    xlsx_append(summary, ["严重程度", "数量"])
    for severity, n in stats.by_severity:
        xlsx_append(summary, [SEVERITY_NAMES.get(severity, severity), n])
    for dim, title in DIMENSION_TITLES.items():
        sheet = wb.create_sheet(title)
        xlsx_append(sheet, ["代码", "名称", "数量", "占比"])
        for code, name, n in stats.by_dimension.get(dim, []):
            xlsx_append(sheet, [code, name, n, round(n / stats.received, 4) if stats.received else None])
        xlsx_append(sheet, ["合计", "", stats.received, 1 if stats.received else None])
    per_outlet = wb.create_sheet("网点")
    xlsx_append(per_outlet, ["网点代码", "网点", "投诉量"])
    for row in stats.by_outlet:
        xlsx_append(per_outlet, list(row))
    detail = wb.create_sheet("明细")
    xlsx_append(
        detail,
        [
            "编号",
            "网点",
            "受理时间",
            "渠道",
            "业务类别",
            "投诉原因",
            "严重程度",
            "状态",
            "处理时限",
            "办结时间",
        ],
    )
    for c in stats.rows:
        xlsx_append(
            detail,
            [
                c.reference,
                c.outlet.name,
                c.received_at.astimezone(SHANGHAI).replace(tzinfo=None),
                c.channel_code,
                c.category_code,
                c.reason_code,
                SEVERITY_NAMES.get(c.severity, c.severity),
                c.get_status_display(),
                c.due_at.astimezone(SHANGHAI).replace(tzinfo=None),
                c.closed_at.astimezone(SHANGHAI).replace(tzinfo=None) if c.closed_at else None,
            ],
        )
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Hotspot:
    key: str  # a category code or a term
    label: str
    recent: int
    baseline_per_window: float
    score: float  # Poisson-style: (recent − expected) / √(expected + 1)


STOP_TERMS = frozenset(
    {
        "客户",
        "银行",
        "反映",
        "要求",
        "本人",
        "问题",
        "时候",
        "工作人员",
        "办理",
        "我们",
        "一个",
        "没有",
        "已经",
        "希望",
        "什么",
        "这个",
        "就是",
        "因为",
        "但是",
        "还是",
        "不是",
        "可以",
    }
)


def _score(recent: int, expected: float) -> float:
    return round((recent - expected) / math.sqrt(expected + 1), 2)


def hotspots(
    *,
    fetched_by: Principal,
    as_of: dt.date,
    unit: OrgUnit | None = None,
    window_days: int = 30,
    history_windows: int = 3,
    limit: int = 10,
) -> dict[str, list[Hotspot]]:
    """Categories and terms whose count in the last window rose against their own preceding windows."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    recent_start = end - dt.timedelta(days=window_days)
    history_start = recent_start - dt.timedelta(days=window_days * history_windows)
    principal = fetched_by
    rows = list(
        _scoped(principal, unit)
        .exclude(status=Status.MERGED)
        .filter(received_at__gte=history_start, received_at__lt=end)
        .values_list("received_at", "category_code", "content")
    )
    names = code_names(fetched_by=principal)
    recent_cat: Counter[str] = Counter()
    past_cat: Counter[str] = Counter()
    recent_terms: Counter[str] = Counter()
    past_terms: Counter[str] = Counter()
    for received, category, content in rows:
        terms = {t for t in tokenize(content) if len(t) >= 2 and t not in STOP_TERMS and not t.isdigit()}
        if received >= recent_start:
            recent_cat[category] += 1
            recent_terms.update(terms)
        else:
            past_cat[category] += 1
            past_terms.update(terms)

    def rising(recent: Counter[str], past: Counter[str], label: Any, minimum: int) -> list[Hotspot]:
        spots = []
        for key, n in recent.items():
            expected = past.get(key, 0) / history_windows
            if n >= minimum and n > expected:
                spots.append(Hotspot(key, label(key), n, round(expected, 2), _score(n, expected)))
        return sorted(spots, key=lambda h: (-h.score, h.key))[:limit]

    return {
        "categories": rising(recent_cat, past_cat, lambda k: names.get(("category", k), k), 2),
        "terms": rising(recent_terms, past_terms, lambda k: k, 3),
    }
