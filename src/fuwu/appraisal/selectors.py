"""Reads of the appraisal app. Scores are computed here from the measure catalogue (through `figures`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import F, QuerySet

from fuwu.appraisal import figures, scoring
from fuwu.appraisal.models import (
    BriefingJob,
    Candidate,
    Level,
    PeerFigure,
    Scorecard,
    ScorecardItem,
    StarPolicy,
    StarRound,
)
from fuwu.core import access
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal, system
from fuwu.core.scoping import get_visible, visible


def scorecards(fetched_by: Principal) -> QuerySet[Scorecard]:
    """Every scorecard (bank-wide configuration: head office sets it, every unit reads it)."""
    access.require(fetched_by, "appraisal.view_scorecard")
    return Scorecard.objects.prefetch_related("items__weights")


def scorecard(fetched_by: Principal, pk: Any) -> Scorecard:
    try:
        return scorecards(fetched_by).get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def scorecard_item(fetched_by: Principal, pk: Any) -> ScorecardItem:
    access.require(fetched_by, "appraisal.view_scorecard")
    try:
        return ScorecardItem.objects.select_related("scorecard").get(pk=pk)
    except (ScorecardItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def scorecard_for_level(fetched_by: Principal, level: str, staff_role: str = "") -> Scorecard | None:
    return scorecards(fetched_by).filter(level=level, staff_role=staff_role).first()


def specs(card: Scorecard, p: figures.Period) -> list[scoring.Spec]:
    """The scorecard's lines as they are scored in period `p` (weights in force at its start)."""
    out = []
    items: list[ScorecardItem] = list(card.items.all())
    for item in items:
        steps = [scoring.WeightStep(w.effective_from, w.weight) for w in item.weights.all()]
        out.append(
            scoring.Spec(
                measure_id=item.measure,
                rule=item.rule,
                weight=scoring.weight_on(steps, p.start),
                higher_is_better=figures.measure(item.measure).higher_is_better,
                target=item.target,
                baseline=item.baseline,
                capped=item.measure in figures.SATISFACTION,
            )
        )
    return out


@dataclass
class ShownLine:
    line: scoring.Line
    measure: figures.Measure
    href: str  # drill-down to the measures dashboard

    @property
    def source(self) -> str:
        return str(self.measure.definition)


@dataclass
class Row:
    key: int
    label: str
    code: str
    unit: OrgUnit | None
    staff: User | None
    result: scoring.Result
    rank: int | None
    previous_rank: int | None
    lines: list[ShownLine] = field(default_factory=list)
    level_rank: int | None = None  # among every unit (or staff member of the role) of the level, bank-wide
    level_count: int = 0  # how many of them have a score

    @property
    def total(self) -> float | None:
        return self.result.total

    @property
    def movement(self) -> int | None:
        return scoring.movement(self.rank, self.previous_rank)


@dataclass
class Ranking:
    scorecard: Scorecard
    period: figures.Period
    previous: figures.Period
    within: OrgUnit | None
    specs: list[scoring.Spec]
    rows: list[Row]


def _root(fetched_by: Principal, within: OrgUnit | None) -> OrgUnit:
    if within is not None:
        return within
    home = access.home_unit(fetched_by)
    if home is not None:
        return home
    root = OrgUnit.objects.get_root_nodes().first()
    if root is None:
        raise NotFound()
    return root


def _subjects(
    fetched_by: Principal, card: Scorecard, p: figures.Period, ids: list[str], within: OrgUnit | None
) -> tuple[dict[int, figures.Values], dict[int, tuple[str, str, OrgUnit | None, User | None]]]:
    if card.level != Level.STAFF:
        rows = figures.level_values(fetched_by, card.level, p, ids, within=within)
        return (
            {u.pk: v for u, v in rows},
            {u.pk: (u.name, u.code, u, None) for u, _v in rows},
        )
    root = _root(fetched_by, within)
    staff = visible(
        User.objects.filter(
            is_active=True, groups__name=card.staff_role, org_unit__path__startswith=root.path
        ).select_related("org_unit"),
        fetched_by,
    ).distinct()
    # Ranking a teller among colleagues needs the colleagues' figures, but `ranking` shows a member of
    # staff only their own row: without the right to read staff figures, they are read on the platform's
    # behalf, inside the unit the reader may see (`root`), and never returned beyond the reader's row.
    reader: Principal = (
        fetched_by
        if access.has(fetched_by, "measures.view_staff_figures", unit=root)
        else system("appraisal.ranking")
    )
    found = figures.staff_values(reader, root, p, ids)
    values: dict[int, figures.Values] = {}
    labels: dict[int, tuple[str, str, OrgUnit | None, User | None]] = {}
    for u in staff:
        values[u.pk] = found.get(u.pk) or dict.fromkeys(ids)
        labels[u.pk] = (str(u), u.staff_code or u.username, u.org_unit, u)
    return values, labels


def _peers(card: Scorecard, p: figures.Period, ids: list[str]) -> dict[int, figures.Values]:
    """Every subject of the scorecard's level bank-wide with its figures, read on the platform's behalf.

    A unit's rank-rule points and its place at its level compare it with all its peers, not only with the
    units the reader sees; only those numbers leave this module, never another unit's figures.
    """
    reader = system("appraisal.peers")
    if card.level != Level.STAFF:
        return {u.pk: v for u, v in figures.level_values(reader, card.level, p, ids)}
    root = OrgUnit.objects.get_root_nodes().first()
    if root is None:
        return {}
    members = set(
        User.objects.filter(is_active=True, groups__name=card.staff_role).values_list("pk", flat=True)
    )
    return {k: v for k, v in figures.staff_values(reader, root, p, ids).items() if k in members}


@dataclass
class _Scored:
    specs: list[scoring.Spec]
    results: dict[int, scoring.Result]
    labels: dict[int, Any]
    ranks: dict[int, int | None]  # among the subjects listed
    level_ranks: dict[int, int | None]  # among all peers of the level
    level_count: int


def _scored(fetched_by: Principal, card: Scorecard, p: figures.Period, within: OrgUnit | None) -> _Scored:
    chosen = specs(card, p)
    ids = [s.measure_id for s in chosen]
    if ids and card.level != Level.STAFF and access.sees_all(fetched_by):
        # Whoever sees every unit reads the level once: the peers are the whole of it.
        rows = figures.level_values(fetched_by, card.level, p, ids)
        pool = {u.pk: v for u, v in rows}
        under = [(u, v) for u, v in rows if within is None or u.path.startswith(within.path)]
        values = {u.pk: v for u, v in under}
        labels: dict[int, Any] = {u.pk: (u.name, u.code, u, None) for u, _v in under}
    else:
        values, labels = _subjects(fetched_by, card, p, ids, within) if ids else ({}, {})
        pool = {**_peers(card, p, ids), **values} if ids else {}
    everyone = scoring.score_all(chosen, pool, cap=card.satisfaction_cap)
    results = {k: everyone[k] for k in values}
    ranks = scoring.competition_ranks({k: r.total for k, r in results.items()}, True)
    level_ranks = scoring.competition_ranks({k: r.total for k, r in everyone.items()}, True)
    count = sum(1 for r in everyone.values() if r.total is not None)
    return _Scored(chosen, results, labels, ranks, level_ranks, count)


def ranking(
    fetched_by: Principal, *, scorecard: Scorecard, period_label: str, within: OrgUnit | None = None
) -> Ranking:
    """Scores of every unit (or staff member) of the scorecard's level under `within`, ranked, with movement."""
    access.require(fetched_by, "appraisal.view_scorecard", unit=within)
    p = figures.period(period_label)
    before = figures.previous(p)
    now = _scored(fetched_by, scorecard, p, within)
    previous_ranks = _scored(fetched_by, scorecard, before, within).ranks
    chosen, results, labels, ranks = now.specs, now.results, now.labels, now.ranks
    all_staff = scorecard.level != Level.STAFF or access.has(fetched_by, "appraisal.view_staff_scores")
    me = getattr(fetched_by, "pk", None)
    rows = []
    for key, result in results.items():
        if not all_staff and key != me:
            continue  # a member of staff sees their own score only (the ranking is among all of them)
        label, code, unit, staff = labels[key]
        shown = [
            ShownLine(
                line,
                figures.measure(line.measure_id),
                figures.dashboard_url(
                    period_label=p.label,
                    measure_id=line.measure_id,
                    unit=unit if staff is None else None,
                    staff=staff,
                ),
            )
            for line in result.lines
        ]
        rows.append(
            Row(
                key,
                label,
                code,
                unit,
                staff,
                result,
                ranks[key],
                previous_ranks.get(key),
                shown,
                now.level_ranks.get(key),
                now.level_count,
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.code))
    return Ranking(scorecard, p, before, within, chosen, rows)


# --- briefings (K6) --------------------------------------------------------------------------------


def briefing_jobs(fetched_by: Principal) -> QuerySet[BriefingJob]:
    """The briefings of the units the principal sees, newest first."""
    access.require(fetched_by, "appraisal.view_briefingjob")
    return visible(BriefingJob.objects.select_related("unit", "requested_by"), fetched_by)


def briefing_job(fetched_by: Principal, pk: Any) -> BriefingJob:
    job: BriefingJob = get_visible(BriefingJob.objects.select_related("unit"), fetched_by, pk=pk)
    access.require(fetched_by, "appraisal.view_briefingjob", unit=job.unit)
    return job


def briefing_file(fetched_by: Principal, *, job_id: Any, name: str) -> Path:
    """The path of one file of a finished briefing the principal may see (NotFound for any other name)."""
    from fuwu.appraisal.services import briefing_folder

    job = briefing_job(fetched_by, job_id)
    if name not in job.files:
        raise NotFound()
    path = briefing_folder(job) / name
    if not path.is_file():
        raise NotFound()
    return path


def briefing_units(fetched_by: Principal) -> list[OrgUnit]:
    """The units a briefing can be built for: head office and the branches the principal sees."""
    access.require(fetched_by, "appraisal.view_briefingjob")
    return list(
        visible(OrgUnit.objects.filter(kind__in=["head_office", "tier1", "tier2"]), fetched_by).order_by(
            "path"
        )
    )


# --- service stars (K5) ----------------------------------------------------------------------------


def star_rounds(
    fetched_by: Principal, *, month: str | None = None, status: str | None = None
) -> QuerySet[StarRound]:
    """The service-star rounds of the outlets the principal sees."""
    access.require(fetched_by, "appraisal.view_starround")
    qs = visible(StarRound.objects.select_related("outlet", "approved_by"), fetched_by)
    if month:
        qs = qs.filter(month=month)
    if status:
        qs = qs.filter(status=status)
    return qs


def star_round(fetched_by: Principal, pk: Any) -> StarRound:
    found: StarRound = get_visible(StarRound.objects.select_related("outlet"), fetched_by, pk=pk)
    access.require(fetched_by, "appraisal.view_starround", unit=found.outlet)
    return found


def star_candidates(fetched_by: Principal, round: StarRound) -> list[Candidate]:
    """A round's candidates, best first, each with the reasons for the score (what the outlet sees)."""
    access.require(fetched_by, "appraisal.view_starround", unit=round.outlet)
    # Unranked candidates (too few evaluations) after the ranked ones, on every database.
    return list(
        round.candidates.select_related("staff").order_by(
            "disqualified", F("rank").asc(nulls_last=True), "pk"
        )
    )


def star_wall(fetched_by: Principal, *, outlet: OrgUnit | None = None, months: int = 12) -> list[Candidate]:
    """The approved stars of the outlets the principal sees (one outlet when given), latest months first."""
    access.require(fetched_by, "appraisal.view_starround", unit=outlet)
    rounds = star_rounds(fetched_by, status=StarRound.Status.APPROVED)
    if outlet is not None:
        rounds = rounds.filter(outlet=outlet)
    recent = list(rounds.order_by("-month").values_list("month", flat=True).distinct()[:months])
    return list(
        Candidate.objects.filter(round__in=rounds.filter(month__in=recent), is_star=True)
        .select_related("round__outlet", "staff")
        .order_by("-round__month", "round__outlet__path", "rank")
    )


def star_policy(fetched_by: Principal, *, month: str) -> StarPolicy:
    """The service-star rule a month's rounds are ranked under (what every round page states)."""
    access.require(fetched_by, "appraisal.view_starround")
    return StarPolicy.in_force(figures.period(month).start)


@dataclass
class PolicyRow:
    policy: StarPolicy
    in_force: bool  # the rule of the current month
    changed_by: str
    changed_at: Any  # datetime of the last change (the audit trail has every one)


def star_policies(fetched_by: Principal) -> list[PolicyRow]:
    """The dated schedule of service-star rules, latest first, each with its last change (who, when)."""
    access.require(fetched_by, "appraisal.view_starpolicy")
    policies = list(StarPolicy.objects.order_by("-effective_from"))
    last: dict[int, Any] = {}
    for h in StarPolicy.history.filter(id__in=[p.pk for p in policies]).select_related("history_user"):
        if h.id not in last or h.history_date > last[h.id].history_date:
            last[h.id] = h
    current = StarPolicy.in_force(figures.period(figures.current_month()).start)
    return [
        PolicyRow(
            p,
            p.pk == current.pk,
            str(last[p.pk].history_user or "") if p.pk in last else "",
            last[p.pk].history_date if p.pk in last else None,
        )
        for p in policies
    ]


# --- benchmarking (K7) -----------------------------------------------------------------------------


@dataclass
class PeerCell:
    figure: PeerFigure
    gap: float | None  # ours − theirs; None when the definitions differ (marked, not compared)
    rank: int | None


@dataclass
class BenchRow:
    measure: figures.PeerMeasure
    year: int
    ours: float | None
    our_rank: int | None
    ranked: int  # banks compared (us included)
    peers: list[PeerCell]


def peer_figures(fetched_by: Principal) -> QuerySet[PeerFigure]:
    access.require(fetched_by, "appraisal.view_peerfigure")
    return PeerFigure.objects.all()


def benchmark(fetched_by: Principal, *, year: int | None = None) -> list[BenchRow]:
    """Each peer measure beside our own figure of the same definition, with the gap and the rank.

    A peer figure marked as counted differently is listed but left out of the gap and the ranking.
    """
    rows = peer_figures(fetched_by)
    if year is not None:
        rows = rows.filter(year=year)
    groups: dict[tuple[str, int], list[PeerFigure]] = {}
    for f in rows.order_by("measure", "year", "bank"):
        groups.setdefault((f.measure, f.year), []).append(f)
    out = []
    for (measure_id, y), found in groups.items():
        m = figures.peer_measure(measure_id)
        ours = figures.our_figure(fetched_by, measure_id, y)
        ours = None if ours is None else round(ours, m.decimals)
        comparable: dict[int, float | None] = {-1: ours}
        comparable.update({f.pk: f.value for f in found if f.same_definition})
        ranks = scoring.competition_ranks(comparable, m.higher_is_better)
        cells = [
            PeerCell(
                f,
                None if not f.same_definition or ours is None else round(ours - f.value, m.decimals),
                ranks.get(f.pk) if f.same_definition else None,
            )
            for f in found
        ]
        out.append(
            BenchRow(m, y, ours, ranks[-1], sum(1 for v in comparable.values() if v is not None), cells)
        )
    return out
