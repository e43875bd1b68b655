"""The quarterly service briefing (季度服务通报, K6) as data: one `Briefing` of sections, rendered by
`pdf.py` and `xlsx.py` from the very same rows, so the two files (and `fuwu measures`) cannot disagree.

Sections (seed 004 §三.4): the appraisal ranking of the units below with movement; the unit's measures
against their targets; major complaints and public-opinion (舆情) events; hotline complaint hotspots;
positive and negative typical cases (de-identified, from the case library); sections other apps contribute
through a `briefing.py` hook (mystery-shopper results from an inspections app); the service stars.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fuwu.appraisal import figures
from fuwu.appraisal.templatetags.appraisal import unit_name
from fuwu.core import access, clock
from fuwu.core.discovery import app_modules
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal

# Column kinds: how a cell is typeset in the PDF and which number format it gets in Excel.
TEXT, INT, DEC0, DEC1, DEC2, MOVE = "text", "int", "dec0", "dec1", "dec2", "move"
DECIMALS_KIND = {0: DEC0, 1: DEC1, 2: DEC2}
CHILD_LEVEL = {"head_office": "tier1", "tier1": "tier2", "tier2": "outlet"}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    width: int = 12  # Excel column width (characters)


@dataclass(frozen=True)
class Chart:
    title: str
    category: tuple[int, ...]  # column indexes of the labels (two: a two-level label, e.g. category · reason)
    value: int  # column index of the values
    max_points: int = 30


@dataclass
class Section:
    key: str  # sheet name (Excel sheet names are at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    chart: Chart | None = None
    empty: str = ""
    # (row, column) → kind, where one column mixes measures of different decimals.
    cell_kinds: dict[tuple[int, int], str] = field(default_factory=dict)

    def kind(self, row: int, column: int) -> str:
        return self.cell_kinds.get((row, column), self.columns[column].kind)


@dataclass
class Briefing:
    unit: OrgUnit
    quarter: str
    period: figures.Period
    generated_at: dt.datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return _("%(unit)s quarterly service briefing, %(quarter)s") % {
            "unit": self.unit.name,
            "quarter": quarter_label(self.quarter),
        }

    @property
    def file_stem(self) -> str:
        return f"briefing-{self.unit.code}-{self.quarter}"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def quarter_label(quarter: str) -> str:
    year, q = quarter.split("-Q")
    return _("%(year)s Q%(q)s") % {"year": year, "q": q}


def figure(measure_id: str, value: float | None) -> float | None:
    """A figure as the briefing shows it: the catalogue's value rounded to the measure's decimals."""
    return None if value is None else round(value, figures.measure(measure_id).decimals)


def measure_column(measure_id: str, label: str | None = None) -> Column:
    m = figures.measure(measure_id)
    return Column(label or f"{m.name_zh}({unit_name(m.unit)})", DECIMALS_KIND.get(m.decimals, DEC2), 14)


def _ranking(principal: Principal, unit: OrgUnit, quarter: str) -> Section:
    from fuwu.appraisal import selectors

    level = CHILD_LEVEL.get(unit.kind)
    columns = [
        Column(_("Rank"), INT, 6),
        Column(_("Unit code"), TEXT, 10),
        Column(_("Unit"), TEXT, 22),
        Column(_("Score"), DEC2, 10),
        Column(_("Rank last quarter"), INT, 10),
        Column(_("Movement"), MOVE, 8),
    ]
    section = Section("ranking", _("Appraisal ranking of the units below"), columns)
    if level:
        card = selectors.scorecard_for_level(principal, level)
    else:  # an outlet ranks its staff, on the first staff-role scorecard (tellers in the demo)
        card = selectors.scorecards(principal).filter(level="staff").first()
    if card is None:
        section.empty = _("No scorecard for the level below this unit.")
        return section
    ranked = selectors.ranking(principal, scorecard=card, period_label=quarter, within=unit)
    for spec in ranked.specs:
        if spec.weight > 0:
            section.columns.append(
                measure_column(spec.measure_id, f"{figures.measure(spec.measure_id).name_zh}")
            )
    active = [s for s in ranked.specs if s.weight > 0]
    for row in ranked.rows:
        values = {line.line.measure_id: line.line.value for line in row.lines}
        section.rows.append(
            [
                row.rank,
                row.code,
                row.label,
                row.total,
                row.previous_rank,
                row.movement,
                *(figure(s.measure_id, values.get(s.measure_id)) for s in active),
            ]
        )
    weights = "、".join(f"{figures.measure(s.measure_id).name_zh} {s.weight:g}%" for s in active)
    section.note = _("Scorecard “%(name)s”; weights this quarter: %(weights)s.") % {
        "name": card.name,
        "weights": weights,
    }
    section.chart = Chart(_("Score"), (2,), 3)
    return section


def _measures(principal: Principal, unit: OrgUnit, period: figures.Period) -> Section:
    ids = list(figures.KEY_MEASURES)
    now = figures.unit_values(principal, unit, period, ids)
    before = figures.unit_values(principal, unit, figures.previous(period), ids)
    goals = figures.targets(principal, unit)
    section = Section(
        "measures",
        _("Measures against their targets"),
        [
            Column(_("Measure"), TEXT, 22),
            Column(_("Unit of measure"), TEXT, 8),
            Column(_("This quarter"), DEC2, 12),
            Column(_("Last quarter"), DEC2, 12),
            Column(_("Target"), DEC2, 10),
            Column(_("Due"), TEXT, 12),
            Column(_("Met"), TEXT, 8),
        ],
    )
    for measure_id in ids:
        m = figures.measure(measure_id)
        value = figure(measure_id, now[measure_id])
        goal = goals.get(measure_id)
        met = ""
        if goal is not None and value is not None:
            ok = value >= goal.value if m.higher_is_better else value <= goal.value
            met = _("Yes") if ok else _("No")
        kind = DECIMALS_KIND.get(m.decimals, DEC2)
        for column in (2, 3, 4):
            section.cell_kinds[(len(section.rows), column)] = kind
        section.rows.append(
            [
                m.name_zh,
                unit_name(m.unit),
                value,
                figure(measure_id, before[measure_id]),
                goal.value if goal else None,
                goal.due.isoformat() if goal else "",
                met,
            ]
        )
    section.note = _(
        "Figures from the measure catalogue, exactly as `fuwu measures` and the dashboards show them."
    )
    return section


def _in_quarter(moment: dt.datetime | None, period: figures.Period) -> bool:
    return moment is not None and period.start <= clock.business_date(moment) <= period.end


def _complaints(principal: Principal, unit: OrgUnit, period: figures.Period) -> tuple[Section, Section]:
    from fuwu.complaints import selectors as complaint_selectors

    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    rows = list(
        complaint_selectors.complaints(fetched_by=principal)
        .filter(outlet__path__startswith=unit.path, received_at__gte=start, received_at__lt=end)
        .exclude(status="merged")
        .order_by("received_at")
    )
    names = complaint_selectors.code_names(fetched_by=principal)
    major = Section(
        "major",
        _("Major complaints and public-opinion events"),
        [
            Column(_("Reference"), TEXT, 18),
            Column(_("Date received"), TEXT, 12),
            Column(_("Outlet"), TEXT, 20),
            Column(_("Source"), TEXT, 12),
            Column(_("Business category"), TEXT, 16),
            Column(_("Severity"), TEXT, 8),
            Column(_("Public opinion"), TEXT, 8),
            Column(_("Status"), TEXT, 12),
        ],
        empty=_("No major complaint or public-opinion event this quarter."),
    )
    for c in rows:
        opinion = "public_opinion" in (c.tags or []) or c.source == "media"
        if c.severity != "major" and not opinion:
            continue
        major.rows.append(
            [
                c.reference,
                clock.business_date(c.received_at).isoformat(),
                c.outlet.name,
                str(c.get_source_display()),
                names.get(("category", c.category_code), c.category_code),
                str(c.get_severity_display()),
                _("Yes") if opinion else "",
                str(c.get_status_display()),
            ]
        )
    hot = Counter((c.category_code, c.reason_code) for c in rows if c.source == "hotline")
    total = sum(hot.values())
    hotspots = Section(
        "hotspots",
        _("Hotline complaint hotspots"),
        [
            Column(_("Business category"), TEXT, 18),
            Column(_("Reason"), TEXT, 18),
            Column(_("Complaints received"), INT, 10),
            Column(_("Share (%)"), DEC1, 10),
        ],
        empty=_("No hotline complaint this quarter."),
    )
    for (category, reason), count in hot.most_common(15):
        hotspots.rows.append(
            [
                names.get(("category", category), category),
                names.get(("reason", reason), reason),
                count,
                round(count / total * 100, 1),
            ]
        )
    hotspots.note = _("%(n)s hotline complaints received this quarter.") % {"n": total}
    hotspots.chart = Chart(_("Complaints received"), (0, 1), 2, 15)
    return major, hotspots


def _cases(principal: Principal, unit: OrgUnit, period: figures.Period) -> Section:
    from fuwu.complaints import selectors as complaint_selectors

    section = Section(
        "cases",
        _("Positive and negative typical cases"),
        [
            Column(_("Kind"), TEXT, 10),
            Column(_("Title"), TEXT, 24),
            Column(_("Outlet"), TEXT, 18),
            Column(_("Case (de-identified)"), TEXT, 60),
            Column(_("Lesson"), TEXT, 40),
        ],
        empty=_("No typical case this quarter."),
    )
    cases = complaint_selectors.typical_cases(fetched_by=principal).filter(outlet__path__startswith=unit.path)
    for case in cases.order_by("polarity", "-created_at"):
        if not (_in_quarter(case.created_at, period) or _in_quarter(case.complaint.received_at, period)):
            continue
        section.rows.append(
            [str(case.get_polarity_display()), case.title, case.outlet.name, case.text, case.lesson]
        )
    return section


def _stars(principal: Principal, unit: OrgUnit, period: figures.Period) -> Section:
    from fuwu.appraisal.models import Candidate, StarRound

    months = [f"{period.start.year}-{m:02d}" for m in range(period.start.month, period.end.month + 1)]
    section = Section(
        "stars",
        _("Service stars"),
        [
            Column(_("Month"), TEXT, 10),
            Column(_("Outlet"), TEXT, 20),
            Column(_("Service star"), TEXT, 14),
            Column(_("Score"), DEC1, 8),
            Column(_("Reasons"), TEXT, 60),
        ],
        empty=_("No approved service star this quarter."),
    )
    if not access.has(principal, "appraisal.view_starround", unit=unit):
        return section
    stars = Candidate.objects.filter(
        is_star=True,
        round__status=StarRound.Status.APPROVED,
        round__month__in=months,
        round__outlet__path__startswith=unit.path,
    ).select_related("round__outlet", "staff")
    for c in stars.order_by("round__month", "round__outlet__path", "rank"):
        reasons = "；".join(str(r.get("text", "")) for r in c.reasons)
        section.rows.append([c.round.month, c.round.outlet.name, str(c.staff), c.score, reasons])
    return section


# Other apps add sections with `<app>/briefing.py`: SECTIONS = [callable(principal, unit, period) → section],
# where a section is a `Section` or, so the other app need not import this one, a plain mapping:
# {"key", "title", "columns": [(label, kind)], "rows": [[…]], "note"?, "empty"?} (kinds: text, int, dec0–dec2).
SectionHook = Callable[[Principal, OrgUnit, figures.Period], Any]


def _as_section(found: Any) -> Section:
    if isinstance(found, Section):
        return found
    return Section(
        str(found["key"]),
        str(found["title"]),
        [Column(str(label), str(kind)) for label, kind in found["columns"]],
        rows=[list(row) for row in found.get("rows", [])],
        note=str(found.get("note", "")),
        empty=str(found.get("empty", "")),
    )


def _hooked(principal: Principal, unit: OrgUnit, period: figures.Period) -> list[Section]:
    out = []
    for _app, module in app_modules("briefing", exclude=("fuwu.appraisal",)):
        hooks: Sequence[SectionHook] = getattr(module, "SECTIONS", ())
        for hook in hooks:
            found = hook(principal, unit, period)
            if found is not None:
                out.append(_as_section(found))
    return out


def build(principal: Principal, *, unit: OrgUnit, quarter: str) -> Briefing:
    """Everything one unit's briefing shows for one quarter, read as `principal` (scoped to its units)."""
    access.require(principal, "appraisal.view_briefingjob", unit=unit)
    period = figures.period(quarter)
    if "Q" not in period.label:
        from fuwu.core.errors import ValidationFailed

        raise ValidationFailed(
            _("Enter a quarter such as 2026-Q3."),
            details=[{"field": "quarter", "reason": _("Enter a quarter such as 2026-Q3.")}],
        )
    major, hotspots = _complaints(principal, unit, period)
    sections = [
        _ranking(principal, unit, period.label),
        _measures(principal, unit, period),
        major,
        hotspots,
        _cases(principal, unit, period),
        *_hooked(principal, unit, period),
        _stars(principal, unit, period),
    ]
    return Briefing(unit, period.label, period, clock.now(), sections)


def cell_text(kind: str, value: Any) -> str:
    """A cell as the PDF prints it (and as a reader compares it with the Excel number)."""
    if value is None:
        return "—"
    if kind == INT:
        return str(int(value))
    if kind == MOVE:
        return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "—"
    if kind in (DEC0, DEC1, DEC2):
        return f"{value:.{ {DEC0: 0, DEC1: 1, DEC2: 2}[kind] }f}"
    return str(value)


def write(principal: Principal, *, unit: OrgUnit, quarter: str, out: Any) -> list[Any]:
    """Build one unit's briefing and write briefing-<unit>-<quarter>.pdf and .xlsx into folder `out`."""
    from pathlib import Path

    from fuwu.appraisal import pdf, xlsx

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    briefing = build(principal, unit=unit, quarter=quarter)
    pdf_path = folder / f"{briefing.file_stem}.pdf"
    xlsx_path = folder / f"{briefing.file_stem}.xlsx"
    pdf_path.write_bytes(pdf.render(briefing))
    xlsx_path.write_bytes(xlsx.render(briefing))
    return [pdf_path, xlsx_path]


def bank_units(principal: Principal, unit: OrgUnit) -> list[OrgUnit]:
    """The units of a whole-bank briefing: the unit itself and, below head office, each tier-1 branch."""
    from fuwu.core.scoping import visible

    if unit.kind != "head_office":
        return [unit]
    tier1 = visible(OrgUnit.objects.filter(kind="tier1", path__startswith=unit.path), principal)
    return [unit, *tier1.order_by("path")]
