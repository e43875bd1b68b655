"""Appraisal API: rankings that explain each score, briefing jobs, star rounds, peer benchmarks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from fuwu.appraisal import figures, selectors, services
from fuwu.appraisal.models import StarPolicy
from fuwu.appraisal.schemas import BriefingIn, PeerFigureIn, StarPolicyIn
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.openapi import raises
from fuwu.core.principals import Principal

router = Router(tags=["appraisal"])


class LineOut(Schema):
    measure: str
    rule: str
    value: float | None
    points: float | None
    weight: float
    effective_weight: float
    contribution: float
    source: str
    href: str


class RowOut(Schema):
    key: int
    code: str
    label: str
    score: float | None
    rank: int | None
    previous_rank: int | None
    level_rank: int | None
    level_count: int
    movement: int | None
    renormalised: bool
    lines: list[LineOut]


class RankingOut(Schema):
    scorecard: str
    level: str
    period: str
    previous: str
    rows: list[RowOut]


class JobOut(Schema):
    id: int
    unit_code: str
    quarter: str
    status: str
    progress: int
    files: list[str]


def _principal(request: HttpRequest) -> Principal:
    found: Principal = request.auth  # type: ignore[attr-defined]
    return found


@router.get("/appraisal/rankings/{card_id}", response=RankingOut)
def ranking(request: HttpRequest, card_id: int, period: str, unit: int | None = None) -> dict[str, Any]:
    from fuwu.core.models import OrgUnit
    from fuwu.core.scoping import get_visible

    principal = _principal(request)
    card = selectors.scorecard(principal, card_id)
    within = get_visible(OrgUnit.objects.all(), principal, pk=unit) if unit is not None else None
    ranked = selectors.ranking(principal, scorecard=card, period_label=period, within=within)
    return {
        "scorecard": card.name,
        "level": card.level,
        "period": ranked.period.label,
        "previous": ranked.previous.label,
        "rows": [
            {
                "key": r.key,
                "code": r.code,
                "label": r.label,
                "score": r.total,
                "rank": r.rank,
                "previous_rank": r.previous_rank,
                "level_rank": r.level_rank,
                "level_count": r.level_count,
                "movement": r.movement,
                "renormalised": r.result.renormalised,
                "lines": [
                    {
                        "measure": s.line.measure_id,
                        "rule": s.line.rule,
                        "value": s.line.value,
                        "points": s.line.points,
                        "weight": s.line.weight,
                        "effective_weight": s.line.effective_weight,
                        "contribution": s.line.contribution,
                        "source": s.source,
                        "href": s.href,
                    }
                    for s in r.lines
                ],
            }
            for r in ranked.rows
        ],
    }


def _job(job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "unit_code": job.unit.code,
        "quarter": job.quarter,
        "status": job.status,
        "progress": job.progress,
        "files": job.files,
    }


@router.post("/appraisal/briefings", response={201: JobOut})
def briefing_request(request: HttpRequest, body: BriefingIn) -> tuple[int, dict[str, Any]]:
    principal = _principal(request)
    unit = next((u for u in selectors.briefing_units(principal) if u.code == body.unit_code), None)
    if unit is None:
        message = _("Not a unit you may brief.")
        raise ValidationFailed(message, details=[{"field": "unit_code", "reason": message}])
    job = services.briefing_request(
        actor=principal, unit=unit, quarter=body.quarter.upper(), whole_bank=body.whole_bank
    )
    return 201, _job(job)


@router.get("/appraisal/briefings/{job_id}", response=JobOut)
def briefing_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _job(selectors.briefing_job(_principal(request), job_id))


@router.post("/appraisal/peers", response={201: dict[str, int]})
@raises(NotFound)
def peer_save(request: HttpRequest, body: PeerFigureIn) -> tuple[int, dict[str, int]]:
    figure = services.peer_figure_set(actor=_principal(request), **body.dict())
    return 201, {"id": figure.pk}


class StarPolicyOut(Schema):
    month: str  # in force from this month on
    in_force: bool
    upheld_action: str
    deduction: float
    critical_action: str
    critical_deduction: float
    min_evaluations: int
    nomination_bonus: float
    compliment_points: float
    max_compliments: int
    stars_per_outlet: int


def _policy(policy: Any, in_force: bool) -> dict[str, Any]:
    return {
        "month": policy.month,
        "in_force": in_force,
        **{name: getattr(policy, name) for name in StarPolicyIn.model_fields if name != "month"},
    }


@router.get("/appraisal/star-policies", response=list[StarPolicyOut])
def star_policies(request: HttpRequest) -> list[dict[str, Any]]:
    """The service-star rules by month, latest first (K5)."""
    return [_policy(row.policy, row.in_force) for row in selectors.star_policies(_principal(request))]


@router.post("/appraisal/star-policies", response={201: StarPolicyOut})
def star_policy_set(request: HttpRequest, body: StarPolicyIn) -> tuple[int, dict[str, Any]]:
    """Set the service-star rule from a month on (head office)."""
    policy = services.star_policy_set(actor=_principal(request), **body.rule())
    in_force = StarPolicy.in_force(figures.period(figures.current_month()).start)
    return 201, _policy(policy, policy.pk == in_force.pk)
