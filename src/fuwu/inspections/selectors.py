"""Reads of templates, inspections, the one ledger, the supervisor roster and trends; each checks access first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from fuwu.core import access, clock, figures, roles, scoping
from fuwu.core.defects import FollowUpView, follow_ups_for
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.inspections import scoring
from fuwu.inspections.models import (
    Finding,
    Inspection,
    Item,
    Photo,
    RectificationTask,
    Response,
    Template,
    TemplateVersion,
)

# The seed's minimum corps of supervisors (004 §三.1): ≥5 per tier-1 branch, ≥3 per tier-2 branch.
ROSTER_MINIMUM = {OrgUnit.Kind.TIER1: 5, OrgUnit.Kind.TIER2: 3}
# The trends page and API: this quarter and the three before; league and worst items over the last year.
TREND_QUARTERS = 4
WORST_ITEMS_DAYS = 365
# 计件奖励 per verified finding (seed 004 §三.1: paid outside the regular performance pay).
PIECE_RATE_YUAN = 20
# Seed 004 §三: the 神秘人 score must rise by 2 points or more.
MYSTERY_TARGET_GAIN = Decimal("2")
# The ledger filter's value for every state of RectificationTask.OPEN_STATES at once ("not yet fixed").
OPEN_ALL = "open_all"
UNANNOUNCED_HIDDEN = (Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS)


# --- templates -----------------------------------------------------------------------------------


def templates_list(*, fetched_by: Principal) -> list[tuple[Template, TemplateVersion | None]]:
    """Every template with its current version."""
    access.require(fetched_by, "inspections.view_template")
    out = []
    for t in Template.objects.order_by("code"):
        out.append((t, t.versions.order_by("-number").first()))
    return out


def template_version(*, fetched_by: Principal, code: str, number: int | None = None) -> TemplateVersion:
    """One version of a template (the current one by default), with its sections and items."""
    access.require(fetched_by, "inspections.view_template")
    qs = TemplateVersion.objects.filter(template__code=code).select_related("template")
    version = qs.filter(number=number).first() if number is not None else qs.order_by("-number").first()
    if version is None:
        raise NotFound(_("No such template."))
    return version


def template_items(*, fetched_by: Principal, version: TemplateVersion) -> list[Item]:
    """A template version's items in checklist order (with their sections)."""
    access.require(fetched_by, "inspections.view_template")
    return _version_items(version)


def _version_items(version: TemplateVersion) -> list[Item]:
    return list(
        Item.objects.filter(version=version).select_related("section").order_by("section__order", "order")
    )


# --- inspections ---------------------------------------------------------------------------------


def _inspections(principal: Principal) -> QuerySet[Inspection]:
    qs = scoping.visible(
        Inspection.objects.select_related("outlet", "supervisor", "version__template"), principal
    )
    if not access.has(principal, "inspections.view_unannounced"):
        # The outlet must not learn of a mystery visit before it is over.
        qs = qs.exclude(kind=Inspection.Kind.MYSTERY, status__in=UNANNOUNCED_HIDDEN)
    return qs


def inspections_list(
    *, fetched_by: Principal, status: str = "", kind: str = "", outlet_code: str = "", limit: int = 200
) -> list[Inspection]:
    """Visible inspections, newest first; planned mystery visits only for those who may see them."""
    rows = inspection_rows(fetched_by=fetched_by, status=status, kind=kind, outlet_code=outlet_code)
    return list(rows.order_by("-created_at")[:limit])


def inspection_rows(
    *, fetched_by: Principal, status: str = "", kind: str = "", outlet_code: str = ""
) -> QuerySet[Inspection]:
    """The same inspections as a query, for the paged list (#19)."""
    access.require(fetched_by, "inspections.view_inspection")
    qs = _inspections(fetched_by)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if outlet_code:
        qs = qs.filter(outlet__code=outlet_code)
    return qs


def inspection(*, fetched_by: Principal, pk: int) -> Inspection:
    """One inspection; NotFound when missing, not visible, or an unannounced visit the reader may not see."""
    access.require(fetched_by, "inspections.view_inspection")
    return scoping.get_visible(_inspections(fetched_by), fetched_by, pk=pk)


@dataclass
class Line:
    item: Item
    response: Response | None
    photos: list[Photo]
    finding: Finding | None
    error: str = ""

    @property
    def point_choices(self) -> range:
        return range(self.item.max_points + 1)


def inspection_lines(*, fetched_by: Principal, inspection_obj: Inspection) -> list[Line]:
    """The inspection's items with their answers, photos and findings, in checklist order."""
    found = inspection(fetched_by=fetched_by, pk=inspection_obj.pk)
    responses = {r.item_id: r for r in Response.objects.filter(inspection=found).select_related("staff")}
    photos: dict[int, list[Photo]] = defaultdict(list)
    for p in Photo.objects.filter(inspection=found).order_by("pk"):
        if p.item_id is not None:
            photos[p.item_id].append(p)
    findings = {f.item_id: f for f in Finding.objects.filter(inspection=found)}
    return [
        Line(item=i, response=responses.get(i.pk), photos=photos[i.pk], finding=findings.get(i.pk))
        for i in _version_items(found.version)
    ]


def inspection_tasks(*, fetched_by: Principal, inspection_obj: Inspection) -> dict[int, RectificationTask]:
    """The rectification tasks opened from this inspection's findings that the reader may see, by finding id."""
    found = inspection(fetched_by=fetched_by, pk=inspection_obj.pk)
    tasks = scoping.visible(RectificationTask.objects.filter(finding__inspection=found), fetched_by)
    return {t.finding_id: t for t in tasks if t.finding_id is not None}


def running_score(*, fetched_by: Principal, inspection_obj: Inspection) -> scoring.Score:
    """The score of the answers saved so far (a draft's running score)."""
    found = inspection(fetched_by=fetched_by, pk=inspection_obj.pk)
    return scoring.score(scoring.answers(Response.objects.filter(inspection=found).select_related("item")))


def supervisors_for(*, fetched_by: Principal, unit: OrgUnit) -> list[User]:
    """Active supervisors above or within `unit` (those who may be sent to its outlets), for planning."""
    access.require(fetched_by, "inspections.plan_inspection", unit=unit)
    ancestors = [unit.path[:i] for i in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    return list(
        User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR)
        .filter(Q(org_unit__path__in=ancestors) | Q(org_unit__path__startswith=unit.path))
        .select_related("org_unit")
        .order_by("pk")
        .distinct()
    )


def outlet_staff(*, fetched_by: Principal, outlet: OrgUnit) -> list[User]:
    """The outlet's staff, to name whom an inspection observed."""
    access.require(fetched_by, "inspections.conduct_inspection", unit=outlet)
    return list(User.objects.filter(org_unit=outlet, is_active=True).order_by("display_name", "pk"))


def outlets(*, fetched_by: Principal) -> list[OrgUnit]:
    """The outlets `fetched_by` may inspect or read."""
    access.require(fetched_by, "inspections.view_inspection")
    return list(scoping.visible_units(fetched_by).filter(kind=OrgUnit.Kind.OUTLET).order_by("code"))


def photo(*, fetched_by: Principal, pk: int) -> Photo:
    """One evidence photo, if its inspection or task is visible to the reader."""
    found = scoping.get_visible(Photo.objects.select_related("inspection", "task"), fetched_by, pk=pk)
    if found.inspection is not None:
        inspection(fetched_by=fetched_by, pk=found.inspection.pk)
    else:
        access.require(fetched_by, "inspections.view_rectificationtask", unit=found.unit)
    return found


def recheck_items(*, fetched_by: Principal, outlet: OrgUnit) -> list[RectificationTask]:
    """Open items of the outlet the inspector should look at: deferred verifications and still-open tasks."""
    access.require(fetched_by, "inspections.conduct_inspection", unit=outlet)
    return list(
        RectificationTask.objects.filter(unit=outlet)
        .filter(
            Q(recheck_at_next_inspection=True, status=RectificationTask.Status.SUBMITTED)
            | Q(status__in=RectificationTask.OPEN_STATES)
        )
        .order_by("due")
    )


# --- the ledger ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    source_kind: str = ""
    status: str = ""
    unit_code: str = ""  # the unit and everything below it
    overdue: bool = False
    mine: bool = False
    q: str = ""


def ledger(
    *, fetched_by: Principal, filt: LedgerFilter | None = None, limit: int = 500
) -> list[RectificationTask]:
    """The one rectification ledger: tasks from every source side by side, narrowed by one filter."""
    return list(ledger_rows(fetched_by=fetched_by, filt=filt).order_by("due", "pk")[:limit])


def ledger_rows(*, fetched_by: Principal, filt: LedgerFilter | None = None) -> QuerySet[RectificationTask]:
    """The same ledger as a query, for the paged list and the home worklists (#19)."""
    access.require(fetched_by, "inspections.view_rectificationtask")
    f = filt or LedgerFilter()
    qs = scoping.visible(
        RectificationTask.objects.select_related("unit", "owner", "escalated_to"), fetched_by
    )
    if f.source_kind:
        qs = qs.filter(source_kind=f.source_kind)
    if f.status == OPEN_ALL:
        qs = qs.filter(status__in=RectificationTask.OPEN_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.unit_code:
        unit = OrgUnit.objects.filter(code=f.unit_code).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit is not None else qs.none()
    if f.overdue:
        qs = qs.filter(RectificationTask.overdue_on(clock.today()))
    if f.mine and isinstance(fetched_by, User):
        qs = qs.filter(owner=fetched_by)
    if f.q:
        qs = qs.filter(Q(label__icontains=f.q) | Q(description__icontains=f.q) | Q(reason_code__iexact=f.q))
    return qs


def task(*, fetched_by: Principal, pk: int) -> RectificationTask:
    """One rectification task."""
    access.require(fetched_by, "inspections.view_rectificationtask")
    return scoping.get_visible(
        RectificationTask.objects.select_related("unit", "owner", "finding__inspection", "escalated_to"),
        fetched_by,
        pk=pk,
    )


# --- supervisors (S4) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    branch: OrgUnit
    supervisors: list[User]
    minimum: int

    @property
    def gap(self) -> int:
        return max(0, self.minimum - len(self.supervisors))


def roster(*, fetched_by: Principal) -> list[RosterRow]:
    """Each visible tier-1/tier-2 branch's own supervisors against the seed's minimum (≥5 / ≥3), with the gap."""
    access.require(fetched_by, "inspections.view_supervision")
    branches = scoping.visible_units(fetched_by).filter(kind__in=list(ROSTER_MINIMUM)).order_by("path")
    sups: dict[int, list[User]] = defaultdict(list)
    for u in (
        User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).distinct().order_by("display_name")
    ):
        if u.org_unit_id is not None:
            sups[u.org_unit_id].append(u)
    return [RosterRow(b, sups[b.pk], ROSTER_MINIMUM[OrgUnit.Kind(b.kind)]) for b in branches]


@dataclass(frozen=True)
class TallyRow:
    supervisor: User
    inspections: int
    findings_verified: int
    findings_open: int
    findings_removed: int


def piece_rate(*, fetched_by: Principal, month: dt.date) -> list[TallyRow]:
    """Per supervisor, for the month the findings' inspections were submitted: verified findings (paid),
    still-open ones (not yet paid) and those removed on appeal (never paid)."""
    access.require(fetched_by, "inspections.view_supervision")
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    visible = scoping.visible(Inspection.objects.all(), fetched_by).filter(
        status=Inspection.Status.SUBMITTED, visit_date__gte=start, visit_date__lt=end
    )
    per_sup = {row["supervisor"]: row["n"] for row in visible.values("supervisor").annotate(n=Count("pk"))}
    findings = (
        Finding.objects.filter(inspection__in=visible)
        .values("supervisor")
        .annotate(
            verified=Count("pk", filter=Q(removed=False, task__status=RectificationTask.Status.VERIFIED)),
            removed=Count("pk", filter=Q(removed=True)),
            total=Count("pk"),
        )
    )
    counts = {r["supervisor"]: r for r in findings}
    users = {u.pk: u for u in User.objects.filter(pk__in=set(per_sup) | set(counts))}
    rows = []
    for pk, user in sorted(users.items(), key=lambda kv: kv[1].display_name or kv[1].username):
        c = counts.get(pk, {"verified": 0, "removed": 0, "total": 0})
        rows.append(
            TallyRow(
                supervisor=user,
                inspections=per_sup.get(pk, 0),
                findings_verified=c["verified"],
                findings_open=c["total"] - c["verified"] - c["removed"],
                findings_removed=c["removed"],
            )
        )
    return rows


# --- trends (S5) ---------------------------------------------------------------------------------


def last_quarters(n: int) -> list[str]:
    """The `n` quarters up to and including today's, oldest first ('2026Q1' …)."""
    today = clock.today()
    y, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _i in range(n):
        out.append(f"{y}Q{q}")
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    return list(reversed(out))


def critical_failures(
    *, fetched_by: Principal, outlet: OrgUnit, start: dt.date, end: dt.date
) -> list[tuple[int, str]]:
    """(staff id, item text) of each failed critical item observed at `outlet` in visits start..end.

    Findings removed on appeal do not count; only submitted inspections, dated by their visit.
    """
    access.require(fetched_by, "inspections.view_inspection", unit=outlet)
    found = (
        scoping.visible(Finding.objects.all(), fetched_by)
        .filter(
            inspection__outlet=outlet,
            inspection__status=Inspection.Status.SUBMITTED,
            inspection__visit_date__range=(start, end),
            item__critical=True,
            removed=False,
        )
        .exclude(response__staff__isnull=True)
        .values_list("response__staff_id", "item__text")
    )
    return [(int(staff), str(text)) for staff, text in found]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass
class TrendRow:
    outlet: OrgUnit
    scores: dict[str, Decimal | None]  # quarter → average mystery score
    latest_gain: Decimal | None  # last quarter minus the one before
    meets_target: bool | None
    satisfaction: dict[str, float | None] = field(
        default_factory=dict
    )  # quarter → 满意度 % (the catalogue's satisfaction)

    @property
    def cells(self) -> list[tuple[str, Decimal | None, float | None]]:
        return [(q, s, self.satisfaction.get(q)) for q, s in self.scores.items()]


def _quarter_dates(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def _two(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def mystery_trend(*, fetched_by: Principal, quarters: list[str]) -> list[TrendRow]:
    """神秘人 score and satisfaction per visible outlet per quarter, and whether the last quarter gained ≥ 2.

    Both figures are the measure catalogue's (`mystery_score`, `satisfaction`), read through `core.figures`
    from the same rollups as the dashboards and appraisal: one definition, one computation (K1, #14).
    """
    access.require(fetched_by, "inspections.view_inspection")
    shown = outlets(fetched_by=fetched_by)
    per_quarter = {
        q: figures.unit_figures(
            fetched_by=fetched_by,
            units=shown,
            start=_quarter_dates(q)[0],
            end=_quarter_dates(q)[1],
            measure_ids=["mystery_score", "satisfaction"],
        )
        for q in quarters
    }
    rows = []
    for outlet in shown:
        scores = {q: _two(per_quarter[q][outlet.pk]["mystery_score"]) for q in quarters}
        if all(v is None for v in scores.values()):
            continue
        gain = None
        if len(quarters) >= 2:
            last, prev = scores[quarters[-1]], scores[quarters[-2]]
            if last is not None and prev is not None:
                gain = last - prev
        rows.append(
            TrendRow(
                outlet,
                scores,
                gain,
                None if gain is None else gain >= MYSTERY_TARGET_GAIN,
                {q: per_quarter[q][outlet.pk]["satisfaction"] for q in quarters},
            )
        )
    rows.sort(key=lambda r: (-(r.scores.get(quarters[-1]) or Decimal(-1)), r.outlet.code))
    return rows


@dataclass(frozen=True)
class WorstItem:
    code: str
    text: str
    template: str
    failed: int
    answered: int

    @property
    def fail_rate(self) -> float:
        return self.failed / self.answered if self.answered else 0.0


def worst_items(*, fetched_by: Principal, since: dt.date, limit: int = 10) -> list[WorstItem]:
    """The checklist items failed most often (by rate, among items answered at least 3 times) since `since`."""
    access.require(fetched_by, "inspections.view_inspection")
    visible = _inspections(fetched_by).filter(status=Inspection.Status.SUBMITTED, visit_date__gte=since)
    rows = (
        Response.objects.filter(inspection__in=visible)
        .exclude(result=Response.Result.NA)
        .values("item__code", "item__text", "item__version__template__name")
        .annotate(
            answered=Count("pk"),
            failed=Count("pk", filter=Q(finding__isnull=False, finding__removed=False)),
        )
    )
    items = [
        WorstItem(
            r["item__code"], r["item__text"], r["item__version__template__name"], r["failed"], r["answered"]
        )
        for r in rows
        if r["answered"] >= 3
    ]
    items.sort(key=lambda w: (-w.fail_rate, -w.failed, w.code))
    return items[:limit]


def league(*, fetched_by: Principal, since: dt.date) -> list[dict[str, Any]]:
    """Branches above the visible outlets ranked by the catalogue's inspection score since `since` (#14).

    A branch takes a place only with the measure's minimum volume of inspections behind its score.
    """
    access.require(fetched_by, "inspections.view_inspection")
    shown = outlets(fetched_by=fetched_by)
    parent_paths = {u.path[: -OrgUnit.steplen] for u in shown if u.depth > 1}
    parents = list(OrgUnit.objects.filter(path__in=parent_paths).order_by("path"))
    found = figures.unit_figures(
        fetched_by=fetched_by,
        units=parents,
        start=since,
        end=clock.today(),
        measure_ids=["inspection_score", "inspections"],
    )
    out = [
        {
            "unit": unit,
            "score": _two(found[unit.pk]["inspection_score"]),
            "inspections": int(found[unit.pk]["inspections"] or 0),
        }
        for unit in parents
        if found[unit.pk]["inspection_score"] is not None
    ]
    out.sort(key=lambda r: -(r["score"] or 0))
    return out


def task_follow_ups(*, fetched_by: Principal, task: RectificationTask) -> list[FollowUpView]:
    """What the task's defect also set going (training assigned from it, T3), as the viewer may see it."""
    access.require(fetched_by, "inspections.view_rectificationtask")
    found = scoping.get_visible(RectificationTask.objects.all(), fetched_by, pk=task.pk)
    return follow_ups_for(fetched_by=fetched_by, source_kind=found.source_kind, source_id=found.source_id)
