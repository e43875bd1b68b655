"""Writes for evaluations, the feedback box, surveys and the closed loop (F1, F3–F5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from fuwu.core import audit, calendar, clock, pii, roles
from fuwu.core.errors import Conflict, Forbidden, NotFound, Throttled, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.core.scoping import can_see_unit, sees_all
from fuwu.feedback.models import (
    DEFAULT_REASONS,
    Evaluation,
    FeedbackItem,
    FollowUp,
    PadConfig,
    SurveyBatch,
    SurveyResponse,
    SurveyTarget,
)
from fuwu.feedback.text import analysis
from fuwu.floor.models import Ticket

FEEDBACK_PER_HOUR = 5  # per client address; enough for a family, too few for a flood
FEEDBACK_REPLY_BUSINESS_DAYS = 2
FOLLOW_UP_BUSINESS_DAYS = 1
DAY_END = dt.time(18, 0)


@dataclass(frozen=True)
class PadSettings:
    window: dt.timedelta
    reasons: list[str]


def pad_settings(outlet: OrgUnit) -> PadSettings:
    """The outlet's pad settings, else the bank-wide row, else the built-in defaults."""
    config = (
        PadConfig.objects.filter(outlet=outlet).first()
        or PadConfig.objects.filter(outlet__isnull=True).first()
    )
    if config is None:
        return PadSettings(dt.timedelta(seconds=180), list(DEFAULT_REASONS))
    return PadSettings(dt.timedelta(seconds=config.window_seconds), list(config.reasons or DEFAULT_REASONS))


@transaction.atomic
def pad_config_set(
    *, actor: Any, outlet: OrgUnit | None, window_seconds: int, reasons: Iterable[str]
) -> PadConfig:
    """Set the rating window and reason list for one outlet (or, with outlet=None, the whole bank)."""
    cleaned = [r.strip() for r in reasons if r.strip()]
    problems = []
    if not 30 <= window_seconds <= 3600:
        problems.append({"field": "window_seconds", "reason": "between 30 and 3600 seconds"})
    if not cleaned:
        problems.append({"field": "reasons", "reason": "at least one reason"})
    if problems:
        raise ValidationFailed("Pad settings are not valid.", details=problems)
    if outlet is not None and actor is not None and not can_see_unit(actor, outlet):
        raise NotFound()
    if outlet is None and actor is not None and not sees_all(actor):
        raise Forbidden("Only head office sets the bank-wide pad settings.")
    config = PadConfig.objects.filter(outlet=outlet).first() or PadConfig(outlet=outlet)
    config.window_seconds = window_seconds
    config.reasons = cleaned
    by(config, actor).save()
    return config


def _end_of_business_day_after(moment: dt.datetime, days: int) -> dt.datetime:
    day = calendar.add_business_days(clock.business_date(moment), days)
    return dt.datetime.combine(day, DAY_END, tzinfo=clock.SHANGHAI).astimezone(dt.UTC)


def outlet_head(outlet: OrgUnit) -> User | None:
    """The outlet's head (the owner of its feedback and follow-ups), if one is on file."""
    return (
        User.objects.filter(org_unit=outlet, is_active=True, groups__name=roles.OUTLET_HEAD)
        .order_by("pk")
        .first()
    )


def _owner_in(unit: OrgUnit) -> User | None:
    wanted = [roles.OUTLET_HEAD] if unit.kind == "outlet" else [roles.SUPERVISOR, roles.HQ_MANAGER]
    return User.objects.filter(org_unit=unit, is_active=True, groups__name__in=wanted).order_by("pk").first()


@transaction.atomic
def evaluation_record(
    *, actor: Any, ticket: Ticket, rating: str, reasons: Iterable[str] = (), comment: str = ""
) -> Evaluation:
    """Record the customer's rating of one finished ticket from the pad of the counter that served it."""
    if not isinstance(actor, DevicePrincipal) or actor.kind != "pad":
        raise Forbidden("Only the evaluation pad at the counter may record a rating.", code="not_a_pad")
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("counter").get(pk=ticket.pk)
    if ticket.outlet_id != actor.org_unit.pk:
        raise NotFound()
    if ticket.counter is None or ticket.counter.code != actor.counter_code:
        raise Forbidden(
            "This ticket was served at another counter; only that counter's pad may rate it.",
            code="wrong_counter",
            details={"counter": ticket.counter.code if ticket.counter else None},
        )
    if ticket.status != Ticket.Status.FINISHED or ticket.finished_at is None:
        raise Conflict(
            "Only a finished ticket can be rated.", code="not_finished", details={"status": ticket.status}
        )
    if Evaluation.objects.filter(ticket=ticket).exists():
        raise Conflict(
            "This ticket has already been rated.", code="already_rated", details={"status": "rated"}
        )
    settings = pad_settings(ticket.outlet)
    now = clock.now()
    if now - ticket.finished_at > settings.window:
        raise Conflict(
            "The time to rate this ticket has passed.",
            code="window_closed",
            details={
                "finished_at": ticket.finished_at.isoformat(),
                "window_seconds": int(settings.window.total_seconds()),
            },
        )
    if rating not in Evaluation.Rating.values:
        raise ValidationFailed("Unknown rating.", details=[{"field": "rating", "reason": rating}])
    reason_list = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    if rating == Evaluation.Rating.SATISFIED and reason_list:
        raise ValidationFailed(
            "Reasons are asked only when the customer is not satisfied.",
            details=[{"field": "reasons", "reason": "not allowed for satisfied"}],
        )
    unknown = [r for r in reason_list if r not in settings.reasons]
    if unknown:
        raise ValidationFailed(
            "Unknown reason.", details=[{"field": "reasons", "reason": r} for r in unknown]
        )
    try:
        # A savepoint: on SQLite a simultaneous second tap reaches the unique ticket key, not the lock above.
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                ticket=ticket,
                outlet=ticket.outlet,
                counter=ticket.counter,
                staff=ticket.staff,
                rating=rating,
                reasons=reason_list,
                comment=pii.scrub(comment.strip())[:500],
                at=now,
                source="pad",
            )
    except IntegrityError as exc:
        raise Conflict(
            "This ticket has already been rated.", code="already_rated", details={"status": "rated"}
        ) from exc
    audit.record(
        actor=actor,
        action="evaluation.record",
        target=evaluation,
        org_unit=ticket.outlet,
        data={"ticket": ticket.pk, "rating": rating},
    )
    if rating == Evaluation.Rating.DISSATISFIED:
        summary = f"{ticket.number} " + ("、".join(reason_list) or "不满意")
        _follow_up_open(
            source=FollowUp.Source.EVALUATION,
            outlet=ticket.outlet,
            staff=ticket.staff,
            summary=summary,
            evaluation=evaluation,
        )
    return evaluation


def _follow_up_open(
    *, source: str, outlet: OrgUnit, staff: User | None, summary: str, **link: Any
) -> FollowUp:
    now = clock.now()
    follow_up = FollowUp(
        outlet=outlet,
        source=source,
        staff=staff,
        summary=summary[:200],
        owner=outlet_head(outlet),
        opened_at=now,
        due_at=_end_of_business_day_after(now, FOLLOW_UP_BUSINESS_DAYS),
        **link,
    )
    follow_up.save()
    return follow_up


def client_key(address: str) -> str:
    """A keyed hash of the client address: enough to throttle, useless to identify anyone."""
    return pii.keyed_hash("client", address or "unknown")


def _access_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def feedback_submit(
    *,
    actor: Any,
    outlet: OrgUnit,
    text: str,
    client: str,
    channel: str = FeedbackItem.Channel.ONLINE,
    subject: str = FeedbackItem.Subject.OUTLET,
    staff: User | None = None,
    staff_code: str = "",
    service: Any = None,
    contact_name: str = "",
    phone: str = "",
) -> tuple[FeedbackItem, str]:
    """Take one message from the feedback box; returns the item and the raw private-link token (shown once)."""
    now = clock.now()
    key = client_key(client)
    recent = FeedbackItem.objects.filter(
        client_key=key, submitted_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= FEEDBACK_PER_HOUR:
        raise Throttled("Too many messages from this device; please try again in an hour.")
    text = text.strip()
    problems = []
    if not 5 <= len(text) <= 2000:
        problems.append({"field": "text", "reason": "between 5 and 2000 characters"})
    if outlet.kind != "outlet":
        problems.append({"field": "outlet", "reason": "choose an outlet"})
    if channel not in FeedbackItem.Channel.values:
        problems.append({"field": "channel", "reason": channel})
    if subject not in FeedbackItem.Subject.values:
        problems.append({"field": "subject", "reason": subject})
    if staff_code.strip() and staff is None:
        # The customer types the number on the staff badge; it must name someone at this outlet.
        staff = User.objects.filter(staff_code__iexact=staff_code.strip(), org_unit=outlet).first()
        if staff is None:
            problems.append({"field": "staff_code", "reason": "no such staff member here"})
    if staff is not None and staff.org_unit_id != outlet.pk:
        problems.append({"field": "staff", "reason": "not a member of this outlet"})
    if service is not None and service.outlet_id != outlet.pk:
        problems.append({"field": "service", "reason": "not offered by this outlet"})
    protected = None
    if phone.strip():
        if len(pii.normalize_phone(phone)) < 7:
            problems.append({"field": "phone", "reason": "not a phone number"})
        else:
            protected = pii.protect_phone(phone)
    if problems:
        raise ValidationFailed("The message could not be sent.", details=problems)
    raw = secrets.token_urlsafe(24)
    found = analysis.analyze(text)
    item = FeedbackItem(
        outlet=outlet,
        channel=channel,
        subject=subject,
        staff=staff,
        service=service,
        text=pii.scrub(text),
        is_anonymous=not (contact_name.strip() or protected),
        contact_name=contact_name.strip()[:40],
        phone_hash=protected.hash if protected else "",
        phone_masked=protected.masked if protected else "",
        phone_cipher=protected.cipher if protected else "",
        client_key=key,
        access_hash=_access_hash(raw),
        submitted_at=now,
        owner=outlet_head(outlet),
        reply_due_at=_end_of_business_day_after(now, FEEDBACK_REPLY_BUSINESS_DAYS),
        sentiment=found.sentiment,
        topics=found.topics,
        terms=found.terms,
    )
    by(item, actor).save()
    if item.sentiment == FeedbackItem.Sentiment.NEGATIVE:
        _follow_up_open(
            source=FollowUp.Source.FEEDBACK, outlet=outlet, staff=staff, summary=item.text[:80], feedback=item
        )
    return item, raw


def feedback_by_access_token(raw: str) -> FeedbackItem:
    """The item behind a private reply link (the link is the only credential)."""
    item = FeedbackItem.objects.select_related("outlet").filter(access_hash=_access_hash(raw)).first()
    if item is None:
        raise NotFound()
    return item


@transaction.atomic
def feedback_reply(*, actor: User, item: FeedbackItem, text: str) -> FeedbackItem:
    """Answer a feedback item; the customer reads it through the private link."""
    if not actor.has_perm("feedback.change_feedbackitem"):
        raise Forbidden("Your role may not answer feedback.")
    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    if item.status == FeedbackItem.Status.REPLIED:
        raise Conflict("This message has already been answered.", details={"status": item.status})
    text = text.strip()
    if len(text) < 5:
        raise ValidationFailed(
            "Write a reply.", details=[{"field": "reply", "reason": "at least 5 characters"}]
        )
    item.reply, item.replied_at, item.replied_by = text, clock.now(), actor
    item.status = FeedbackItem.Status.REPLIED
    by(item, actor).save()
    return item


def _check_follow_up_actor(actor: User) -> None:
    if not actor.has_perm("feedback.change_followup"):
        raise Forbidden("Your role may not work on follow-ups.")


@transaction.atomic
def follow_up_start(*, actor: User, follow_up: FollowUp) -> FollowUp:
    """Take a follow-up in hand (it counts as touched)."""
    _check_follow_up_actor(actor)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUp.Status.OPEN:
        raise Conflict("Only an open follow-up can be started.", details={"status": follow_up.status})
    follow_up.status = FollowUp.Status.IN_PROGRESS
    follow_up.touched_at = clock.now()
    if follow_up.owner_id is None:
        follow_up.owner = actor
    by(follow_up, actor).save()
    return follow_up


@transaction.atomic
def follow_up_close(*, actor: User, follow_up: FollowUp, outcome: str, note: str) -> FollowUp:
    """Record what was done and close the follow-up."""
    _check_follow_up_actor(actor)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUp.Status.CLOSED:
        raise Conflict("This follow-up is already closed.", details={"status": follow_up.status})
    problems = []
    if outcome not in FollowUp.Outcome.values:
        problems.append({"field": "outcome", "reason": "choose an outcome"})
    if len(note.strip()) < 5:
        problems.append({"field": "note", "reason": "say what was done"})
    if problems:
        raise ValidationFailed("The outcome is incomplete.", details=problems)
    now = clock.now()
    follow_up.outcome, follow_up.outcome_note = outcome, note.strip()
    follow_up.status, follow_up.closed_at = FollowUp.Status.CLOSED, now
    follow_up.touched_at = follow_up.touched_at or now
    by(follow_up, actor).save()
    return follow_up


@transaction.atomic
def follow_ups_escalate(*, actor: Principal) -> int:
    """Escalate every follow-up nobody has touched by its deadline one level up; a new deadline starts."""
    now = clock.now()
    overdue = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("outlet", "escalated_to")
        .filter(status=FollowUp.Status.OPEN, touched_at__isnull=True, due_at__lt=now)
    )
    count = 0
    for follow_up in overdue:
        current = follow_up.escalated_to or follow_up.outlet
        parent = current.get_parent()
        if parent is None:
            continue  # already at head office: stays overdue and visible there
        follow_up.escalation_level += 1
        follow_up.escalated_at = now
        follow_up.escalated_to = parent
        follow_up.owner = _owner_in(parent) or follow_up.owner
        follow_up.due_at = _end_of_business_day_after(now, FOLLOW_UP_BUSINESS_DAYS)
        by(follow_up, actor).save()
        audit.record(
            actor=actor,
            action="follow_up.escalate",
            target=follow_up,
            org_unit=parent,
            data={"level": follow_up.escalation_level},
        )
        count += 1
    return count


@transaction.atomic
def feedback_escalate_overdue(*, actor: Principal) -> int:
    """Hand every message still unanswered at its reply deadline to the supervisor one level up (once)."""
    now = clock.now()
    overdue = (
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("outlet")
        .filter(status=FeedbackItem.Status.OPEN, reply_due_at__lt=now, escalated_at__isnull=True)
    )
    count = 0
    for item in overdue:
        parent = item.outlet.get_parent()
        item.escalated_at = now
        item.owner = (_owner_in(parent) if parent is not None else None) or item.owner
        by(item, actor).save()
        audit.record(actor=actor, action="feedback.escalate", target=item, org_unit=parent or item.outlet)
        count += 1
    return count


@dataclass(frozen=True)
class SurveyRow:
    external_id: str
    outlet: OrgUnit
    responded_on: dt.date
    nps: int | None
    service_csat: int | None
    overall_csat: int | None
    comment: str


@transaction.atomic
def survey_batch_import(
    *, actor: Any, org_unit: OrgUnit, file_name: str, provider: str, rows: list[SurveyRow]
) -> SurveyBatch:
    """Store validated survey rows as one batch; detractors open follow-ups."""
    batch = SurveyBatch.objects.create(
        org_unit=org_unit,
        file_name=file_name[:200],
        provider=provider[:60],
        imported_at=clock.now(),
        imported_by=actor if isinstance(actor, User) else None,
        rows=len(rows),
    )
    created = SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                batch=batch,
                outlet=r.outlet,
                external_id=r.external_id,
                responded_on=r.responded_on,
                nps=r.nps,
                service_csat=r.service_csat,
                overall_csat=r.overall_csat,
                comment=pii.scrub(r.comment),
            )
            for r in rows
        ]
    )
    for response in created:
        if response.is_detractor:
            _follow_up_open(
                source=FollowUp.Source.SURVEY,
                outlet=response.outlet,
                staff=None,
                summary=f"NPS {response.nps} {response.comment[:60]}",
                survey_response=response,
            )
    audit.record(
        actor=actor,
        action="survey.import",
        target=batch,
        org_unit=org_unit,
        data={"rows": len(rows), "file": file_name},
    )
    return batch


@transaction.atomic
def survey_target_set(*, actor: Any, org_unit: OrgUnit, measure: str, target: Decimal) -> SurveyTarget:
    """Set (or change) a target such as service satisfaction ≥ 90 % for one org unit."""
    if measure not in SurveyTarget.Measure.values:
        raise ValidationFailed("Unknown measure.", details=[{"field": "measure", "reason": measure}])
    low = Decimal(-100) if measure == SurveyTarget.Measure.NPS else Decimal(0)
    if not low <= target <= 100:
        raise ValidationFailed(
            "A target is a percentage.", details=[{"field": "target", "reason": "out of range"}]
        )
    if actor is not None and not can_see_unit(actor, org_unit):
        raise NotFound()
    row = SurveyTarget.objects.filter(org_unit=org_unit, measure=measure).first() or SurveyTarget(
        org_unit=org_unit, measure=measure
    )
    row.target = target
    by(row, actor).save()
    return row
