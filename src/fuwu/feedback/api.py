"""Evaluation pad, F2 figures, feedback answers and follow-ups over HTTP (thin: services and selectors do the work)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fuwu.core import selectors as core_selectors
from fuwu.core import transitions
from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.openapi import raises
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.feedback import selectors, services
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp
from fuwu.feedback.schemas import (
    ComplimentIn,
    EvaluationFiguresIn,
    EvaluationIn,
    FeedbackReplyIn,
    FollowUpCloseIn,
)

router = Router(tags=["feedback"])


class PadTicketOut(Schema):
    id: int
    number: str
    service: str
    staff: str
    finished_at: dt.datetime
    expires_at: dt.datetime


class PadStateOut(Schema):
    counter_code: str
    outlet: str
    window_seconds: int
    reasons: list[str]
    ticket: PadTicketOut | None


class EvaluationOut(Schema):
    id: int
    ticket_id: int
    rating: str
    reasons: list[str]
    at: dt.datetime
    follow_up_id: int | None


class EvaluationRowOut(Schema):
    key: str
    label: str
    period: dt.date
    finished: int
    evaluated: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    evaluation_rate: float | None
    satisfaction: float | None
    satisfaction_broad: float | None


class FollowUpOut(Schema):
    id: int
    outlet: str
    source: str
    summary: str
    status: str
    owner: str | None
    due_at: dt.datetime
    escalation_level: int
    outcome: str
    actions: list[dict[str, str]]


class FeedbackOut(Schema):
    id: int
    outlet: str
    text: str
    status: str
    sentiment: str
    topics: list[str]
    is_compliment: bool
    reply_due_at: dt.datetime
    reply: str
    actions: list[dict[str, str]]


@router.get("/pad/current", response=PadStateOut)
def pad_current(request: HttpRequest) -> PadStateOut:
    """What the pad should show now: the ticket its counter just finished, if still open for a rating."""
    pad = request_principal(request)
    ticket, settings = selectors.pad_pending_ticket(fetched_by=pad)
    out = None
    if ticket is not None and ticket.finished_at is not None:
        staff = ticket.staff
        out = PadTicketOut(
            id=ticket.pk,
            number=ticket.number,
            service=ticket.service.name,
            staff=(staff.display_name or staff.username) if staff else "",
            finished_at=ticket.finished_at,
            expires_at=ticket.finished_at + settings.window,
        )
    assert isinstance(pad, DevicePrincipal)  # pad_pending_ticket refuses every other principal
    return PadStateOut(
        counter_code=pad.counter_code,
        outlet=pad.org_unit.name,
        window_seconds=int(settings.window.total_seconds()),
        reasons=settings.reasons,
        ticket=out,
    )


def _evaluation_out(evaluation: Evaluation) -> EvaluationOut:
    follow_up = FollowUp.objects.filter(evaluation=evaluation).first()
    return EvaluationOut(
        id=evaluation.pk,
        ticket_id=evaluation.ticket_id,
        rating=evaluation.rating,
        reasons=evaluation.reasons,
        at=evaluation.at,
        follow_up_id=follow_up.pk if follow_up else None,
    )


@router.post("/tickets/{ticket_id}/evaluation", response={201: EvaluationOut})
@raises(Conflict)
def evaluation_create(request: HttpRequest, ticket_id: int, payload: EvaluationIn) -> Status[EvaluationOut]:
    """Record the customer's rating from the pad of the counter that served the ticket."""
    principal = request_principal(request)
    ticket = selectors.rating_ticket(fetched_by=principal, ticket_id=ticket_id)
    evaluation = services.evaluation_record(
        actor=principal,
        ticket=ticket,
        rating=payload.rating,
        reasons=payload.reasons,
        comment=payload.comment,
    )
    return Status(201, _evaluation_out(evaluation))


@router.get("/feedback/evaluation-figures", response=list[EvaluationRowOut])
def evaluation_figures(request: HttpRequest, q: Query[EvaluationFiguresIn]) -> list[EvaluationRowOut]:
    """评价率 and 满意度 per counter/staff/outlet/org level and day/week/month."""
    rows = selectors.evaluation_table(
        fetched_by=request_principal(request), start=q.start, end=q.end, group=q.group, period=q.period
    )
    return [
        EvaluationRowOut(
            key=r.key,
            label=r.label,
            period=r.period,
            finished=r.counts.finished,
            evaluated=r.counts.evaluated,
            satisfied=r.counts.satisfied,
            basically_satisfied=r.counts.basically_satisfied,
            dissatisfied=r.counts.dissatisfied,
            evaluation_rate=r.evaluation_rate,
            satisfaction=r.satisfaction,
            satisfaction_broad=r.satisfaction_broad,
        )
        for r in rows
    ]


def _follow_up_out(f: FollowUp, principal: Principal) -> FollowUpOut:
    owner = f.owner
    return FollowUpOut(
        id=f.pk,
        outlet=f.outlet.name,
        source=f.source,
        summary=f.summary,
        status=f.status,
        owner=owner.username if owner else None,
        due_at=f.due_at,
        escalation_level=f.escalation_level,
        outcome=f.outcome,
        actions=transitions.actions_json(f, principal),
    )


@router.get("/feedback/follow-ups", response=list[FollowUpOut])
def follow_up_list(request: HttpRequest, open_only: bool = True) -> list[FollowUpOut]:
    principal = request_principal(request)
    rows = selectors.follow_ups(fetched_by=principal, open_only=open_only)[:500]
    return [_follow_up_out(f, principal) for f in rows]


@router.post("/feedback/follow-ups/{follow_up_id}/start", response=FollowUpOut)
@raises(Conflict)
def follow_up_start(request: HttpRequest, follow_up_id: int) -> FollowUpOut:
    """Take a follow-up in hand (409 with the current state if it is no longer open)."""
    principal = request_principal(request)
    found = selectors.follow_up(fetched_by=principal, pk=follow_up_id)
    return _follow_up_out(services.follow_up_start(actor=principal, follow_up=found), principal)


@router.post("/feedback/follow-ups/{follow_up_id}/close", response=FollowUpOut)
@raises(Conflict)
def follow_up_close(request: HttpRequest, follow_up_id: int, payload: FollowUpCloseIn) -> FollowUpOut:
    """Record the outcome and close (409 with the current state if it is already closed)."""
    principal = request_principal(request)
    found = selectors.follow_up(fetched_by=principal, pk=follow_up_id)
    closed = services.follow_up_close(
        actor=principal, follow_up=found, outcome=payload.outcome, note=payload.note
    )
    return _follow_up_out(closed, principal)


def _feedback_out(item: FeedbackItem, principal: Principal) -> FeedbackOut:
    return FeedbackOut(
        id=item.pk,
        outlet=item.outlet.name,
        text=item.text,
        status=item.status,
        sentiment=item.sentiment,
        topics=item.topics,
        is_compliment=item.is_compliment,
        reply_due_at=item.reply_due_at,
        reply=item.reply,
        actions=transitions.actions_json(item, principal),
    )


@router.get("/feedback/items", response=list[FeedbackOut])
def feedback_list(request: HttpRequest, status: str | None = None) -> list[FeedbackOut]:
    principal = request_principal(request)
    rows = selectors.feedback_items(fetched_by=principal, status=status)[:500]
    return [_feedback_out(i, principal) for i in rows]


@router.post("/feedback/items/{item_id}/reply", response=FeedbackOut)
@raises(Conflict)
def feedback_reply(request: HttpRequest, item_id: int, payload: FeedbackReplyIn) -> FeedbackOut:
    principal = request_principal(request)
    item = selectors.feedback_item(fetched_by=principal, pk=item_id)
    return _feedback_out(services.feedback_reply(actor=principal, item=item, text=payload.reply), principal)


@router.post("/feedback/items/{item_id}/compliment", response=FeedbackOut)
def feedback_compliment(request: HttpRequest, item_id: int, payload: ComplimentIn) -> FeedbackOut:
    principal = request_principal(request)
    item = selectors.feedback_item(fetched_by=principal, pk=item_id)
    staff, counter = selectors.compliment_targets(
        fetched_by=principal, item=item, staff_id=payload.staff, counter_id=payload.counter
    )
    done = services.feedback_compliment_set(
        actor=principal, item=item, is_compliment=payload.is_compliment, staff=staff, counter=counter
    )
    return _feedback_out(done, principal)


class TermOut(Schema):
    term: str
    count: int


class SurveyFiguresOut(Schema):
    unit: str
    responses: int
    nps: float | None
    service_csat: float | None
    overall_csat: float | None
    targets: dict[str, float]


@router.get("/feedback/trending-terms", response=list[TermOut])
@raises(NotFound)
def trending_terms(
    request: HttpRequest, unit: str, start: dt.date, end: dt.date, negative_only: bool = False
) -> list[TermOut]:
    """Most frequent terms in feedback and rating reasons of one unit's outlets and period (F6)."""
    principal = request_principal(request)
    found = core_selectors.org_unit(fetched_by=principal, code=unit)
    terms = selectors.trending_terms(
        fetched_by=principal, unit=found, start=start, end=end, negative_only=negative_only
    )
    return [TermOut(term=t, count=n) for t, n in terms]


@router.get("/feedback/survey-figures", response=SurveyFiguresOut)
@raises(NotFound)
def survey_figures(request: HttpRequest, unit: str, start: dt.date, end: dt.date) -> SurveyFiguresOut:
    """NPS and CSAT of one unit and period, with the targets that apply to it (F4)."""
    principal = request_principal(request)
    found = core_selectors.org_unit(fetched_by=principal, code=unit)
    figures = selectors.survey_figures(fetched_by=principal, unit=found, start=start, end=end)
    progress = selectors.target_progress(fetched_by=principal, unit=found, figures=figures)
    return SurveyFiguresOut(
        unit=found.code,
        responses=figures.responses,
        nps=figures.nps,
        service_csat=figures.service_csat,
        overall_csat=figures.overall_csat,
        targets={p.measure: p.target for p in progress},
    )
