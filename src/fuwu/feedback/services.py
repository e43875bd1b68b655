"""Writes for evaluations, the feedback box, surveys and the closed loop (F1, F3–F5).

Every permission check is `core.access.require`; every state change of a follow-up or a feedback message is
`states.FOLLOW_UP.apply` / `states.FEEDBACK_ITEM.apply` (row lock, access, state, audit in one transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fuwu.core import audit, batches, clock, defects, pii
from fuwu.core.access import require
from fuwu.core.errors import Conflict, Forbidden, NotFound, Throttled, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.feedback import rules, states
from fuwu.feedback.models import (
    BoxSender,
    Evaluation,
    FeedbackItem,
    FollowUp,
    PadConfig,
    SurveyBatch,
    SurveyResponse,
    SurveyTarget,
)
from fuwu.floor.models import Counter, ServiceType, Ticket

RATE = "feedback.add_evaluation"


@transaction.atomic
def pad_config_set(
    *, actor: Principal, outlet: OrgUnit | None, window_seconds: int, reasons: Iterable[str]
) -> PadConfig:
    """Set the rating window and reason list for one outlet (or, with outlet=None, the whole bank)."""
    require(actor, "feedback.change_padconfig", unit=outlet)
    if outlet is None:
        # The bank-wide row is head office's: only a principal who sees every unit may set it.
        require(actor, "core.view_all_orgs", message=_("Only head office sets the bank-wide pad settings."))
    cleaned = [r.strip() for r in reasons if r.strip()]
    problems = []
    if not 30 <= window_seconds <= 3600:
        problems.append(
            {"field": "window_seconds", "reason": _("Enter a value between 30 and 3600 seconds.")}
        )
    if not cleaned:
        problems.append({"field": "reasons", "reason": _("Give at least one reason.")})
    if problems:
        raise ValidationFailed(_("Please correct the marked fields."), details=problems)
    config = PadConfig.objects.filter(outlet=outlet).first() or PadConfig(outlet=outlet)
    before = {"window_seconds": config.window_seconds, "reasons": list(config.reasons or [])}
    config.window_seconds = window_seconds
    config.reasons = cleaned
    by(config, actor).save()
    audit.record(
        actor=actor,
        action="pad_config.set",
        target=config,
        org_unit=outlet,
        data={"before": before, "window_seconds": window_seconds, "reasons": cleaned},
    )
    return config


@transaction.atomic
def evaluation_record(
    *, actor: Principal, ticket: Ticket, rating: str, reasons: Iterable[str] = (), comment: str = ""
) -> Evaluation:
    """Record the customer's rating of one finished ticket from the pad of the counter that served it."""
    require(
        actor,
        RATE,
        unit=ticket.outlet,
        message=_("Only the evaluation pad at the counter may record a rating."),
    )
    # Locks the ticket so two taps of the pad at once are checked one after the other (one evaluation).
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("counter", "outlet").get(pk=ticket.pk)
    )
    if isinstance(actor, DevicePrincipal) and (
        ticket.counter is None or ticket.counter.code != actor.counter_code
    ):
        raise Forbidden(
            _("This ticket was served at another counter; only that counter's pad may rate it."),
            code="wrong_counter",
            details={"counter": ticket.counter.code if ticket.counter else None},
        )
    if ticket.status != Ticket.Status.FINISHED or ticket.finished_at is None:
        raise Conflict(
            _("Only a finished ticket can be rated."), code="not_finished", details={"status": ticket.status}
        )
    if Evaluation.objects.filter(ticket=ticket).exists():
        raise Conflict(
            _("This ticket has already been rated."), code="already_rated", details={"status": "rated"}
        )
    settings = rules.pad_settings_in_force(ticket.outlet)
    now = clock.now()
    if now - ticket.finished_at > settings.window:
        raise Conflict(
            _("The time to rate this ticket has passed."),
            code="window_closed",
            details={
                "finished_at": ticket.finished_at.isoformat(),
                "window_seconds": int(settings.window.total_seconds()),
            },
        )
    if rating not in Evaluation.Rating.values:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "rating", "reason": _("Choose one of the offered values.")}],
        )
    reason_list = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    if rating == Evaluation.Rating.SATISFIED and reason_list:
        raise ValidationFailed(
            _("Reasons are asked only when the customer is not satisfied."),
            details=[{"field": "reasons", "reason": _("Not asked when the customer is satisfied.")}],
        )
    unknown = [r for r in reason_list if r not in settings.reasons]
    if unknown:
        raise ValidationFailed(
            _("Unknown reason."),
            details=[
                {"field": "reasons", "reason": _("Unknown reason: %(reason)s") % {"reason": r}}
                for r in unknown
            ],
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
            _("This ticket has already been rated."), code="already_rated", details={"status": "rated"}
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
            actor=actor,
            source=FollowUp.Source.EVALUATION,
            outlet=ticket.outlet,
            staff=ticket.staff,
            summary=summary,
            evaluation=evaluation,
        )
    return evaluation


def _follow_up_open(
    *,
    actor: Principal,
    source: str,
    outlet: OrgUnit,
    staff: User | None,
    summary: str,
    evaluation: Evaluation | None = None,
    feedback: FeedbackItem | None = None,
    survey_response: SurveyResponse | None = None,
) -> FollowUp:
    now = clock.now()
    follow_up = FollowUp(
        outlet=outlet,
        source=source,
        staff=staff,
        summary=summary[:200],
        owner=rules.outlet_head(outlet),
        opened_at=now,
        due_at=rules.end_of_business_day_after(now, rules.FOLLOW_UP_BUSINESS_DAYS),
        evaluation=evaluation,
        feedback=feedback,
        survey_response=survey_response,
    )
    by(follow_up, actor).save()
    return follow_up


def _client_key(address: str | None) -> str:
    """A keyed hash of the client address: enough to throttle, useless to identify anyone."""
    return pii.keyed_hash("client", address or "unknown")


def _access_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _throttle(key: str, now: dt.datetime) -> None:
    """Refuse a sixth message within an hour from one address; atomic under simultaneous posts.

    The sender's row is created once (a savepoint absorbs the race of two first posts) and then locked
    FOR UPDATE: simultaneous posts from one address count their last hour one after another, each seeing
    the messages the ones before it committed, so exactly FEEDBACK_PER_HOUR get through.
    """
    try:
        with transaction.atomic():
            BoxSender.objects.get_or_create(client_key=key, defaults={"first_seen_at": now})
    except IntegrityError:
        pass  # a simultaneous first post created it
    senders = BoxSender.objects.filter(client_key=key)
    if connection.features.has_select_for_update:
        senders = senders.select_for_update()
    senders.get()
    recent = FeedbackItem.objects.filter(
        client_key=key, submitted_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= rules.FEEDBACK_PER_HOUR:
        raise Throttled(_("Too many messages from this device; please try again in an hour."))


@transaction.atomic
def feedback_submit(
    *,
    actor: Principal,
    outlet: OrgUnit,
    text: str,
    client: str | None,
    channel: str = FeedbackItem.Channel.ONLINE,
    subject: str = FeedbackItem.Subject.OUTLET,
    staff: User | None = None,
    staff_code: str = "",
    service: ServiceType | None = None,
    contact_name: str = "",
    phone: str = "",
    compliment: bool = False,
    counter_number: int | None = None,
) -> tuple[FeedbackItem, str]:
    """Take one message from the feedback box; returns the item and the raw private-link token (shown once).

    `client` is the sender's address from `core.net.client_ip`; the public box acts as a system principal.
    A compliment names a staff member (badge number) or a counter (window number); a counter's compliment
    goes to whoever served there last that day.
    """
    require(actor, "feedback.add_feedbackitem", unit=outlet)
    now = clock.now()
    key = _client_key(client)
    _throttle(key, now)
    text = text.strip()
    problems = []
    if not 5 <= len(text) <= 2000:
        problems.append(
            {
                "field": "text",
                "reason": _("Write between %(min)s and %(max)s characters.") % {"min": 5, "max": 2000},
            }
        )
    if outlet.kind != "outlet":
        problems.append({"field": "outlet", "reason": _("Choose an outlet.")})
    if channel not in FeedbackItem.Channel.values:
        problems.append({"field": "channel", "reason": _("Choose one of the offered values.")})
    if subject not in FeedbackItem.Subject.values:
        problems.append({"field": "subject", "reason": _("Choose one of the offered values.")})
    if staff_code.strip() and staff is None:
        # The customer types the number on the staff badge; it must name someone at this outlet.
        staff = User.objects.filter(staff_code__iexact=staff_code.strip(), org_unit=outlet).first()
        if staff is None:
            problems.append(
                {"field": "staff_code", "reason": _("No staff member with this number works here.")}
            )
    if staff is not None and staff.org_unit_id != outlet.pk:
        problems.append({"field": "staff", "reason": _("Not a member of this outlet.")})
    if service is not None and service.outlet_id != outlet.pk:
        problems.append({"field": "service", "reason": _("Not offered by this outlet.")})
    counter = None
    if counter_number is not None:
        counter = Counter.objects.filter(outlet=outlet, number=counter_number).first()
        if counter is None:
            problems.append({"field": "counter_number", "reason": _("This outlet has no such window.")})
        elif staff is None and compliment:
            staff = rules.staff_at_counter(counter, now)
    protected = None
    if phone.strip():
        if len(pii.normalize_phone(phone)) < 7:
            problems.append({"field": "phone", "reason": _("Enter a phone number.")})
        else:
            protected = pii.protect_phone(phone)
    if problems:
        raise ValidationFailed(_("The message could not be sent."), details=problems)
    from fuwu.feedback.text import analysis  # jieba and the model load on the first message, not at startup

    raw = secrets.token_urlsafe(24)
    masked_text = pii.scrub(text)
    found = analysis.analyze(masked_text)
    item = FeedbackItem(
        outlet=outlet,
        channel=channel,
        subject=subject,
        staff=staff,
        service=service,
        is_compliment=compliment,
        counter=counter,
        text=masked_text,
        is_anonymous=not (contact_name.strip() or protected),
        contact_name=pii.scrub(contact_name.strip())[:40],
        phone_hash=protected.hash if protected else "",
        phone_masked=protected.masked if protected else "",
        phone_cipher=protected.cipher if protected else "",
        client_key=key,
        access_hash=_access_hash(raw),
        submitted_at=now,
        owner=rules.outlet_head(outlet),
        reply_due_at=rules.end_of_business_day_after(now, rules.FEEDBACK_REPLY_BUSINESS_DAYS),
        sentiment=found.sentiment,
        topics=found.topics,
        terms=found.terms,
    )
    by(item, actor).save()
    audit.record(
        actor=actor,
        action="feedback.submit",
        target=item,
        org_unit=outlet,
        data={"channel": channel, "compliment": compliment},
    )
    if item.sentiment == FeedbackItem.Sentiment.NEGATIVE:
        _follow_up_open(
            actor=actor,
            source=FollowUp.Source.FEEDBACK,
            outlet=outlet,
            staff=staff,
            summary=item.text[:80],
            feedback=item,
        )
    return item, raw


@transaction.atomic
def feedback_reply(*, actor: Principal, item: FeedbackItem, text: str) -> FeedbackItem:
    """Answer a feedback item; the customer reads it through the private link."""
    text = pii.scrub(text.strip())  # a reply often repeats the number the message gave (#18)

    def write(locked: FeedbackItem) -> FeedbackItem:
        if len(text) < 5:
            raise ValidationFailed(
                _("Please correct the marked fields."),
                details=[{"field": "reply", "reason": _("Write at least 5 characters.")}],
            )
        locked.reply, locked.replied_at = text, clock.now()
        locked.replied_by = actor if isinstance(actor, User) else None
        return locked

    return states.FEEDBACK_ITEM.apply(item, "reply", actor=actor, effect=write)


@transaction.atomic
def feedback_compliment_set(
    *,
    actor: Principal,
    item: FeedbackItem,
    is_compliment: bool,
    staff: User | None = None,
    counter: Counter | None = None,
) -> FeedbackItem:
    """Triage: mark a message as a compliment (or not) and name the staff member or counter it praises.

    A counter without a staff member named credits whoever served there last on the day it was written.
    """
    require(actor, states.ANSWER_FEEDBACK, unit=item.outlet)
    locked = FeedbackItem.objects.select_for_update().select_related("outlet").get(pk=item.pk)
    problems = []
    if staff is not None and staff.org_unit_id != locked.outlet_id:
        problems.append({"field": "staff", "reason": _("Not a member of this outlet.")})
    if counter is not None and counter.outlet_id != locked.outlet_id:
        problems.append({"field": "counter", "reason": _("This outlet has no such window.")})
    if problems:
        raise ValidationFailed(_("Please correct the marked fields."), details=problems)
    before = {
        "is_compliment": locked.is_compliment,
        "staff": locked.staff_id,
        "counter": locked.counter_id,
    }
    if staff is None and counter is not None and is_compliment:
        staff = rules.staff_at_counter(counter, locked.submitted_at)
    locked.is_compliment = is_compliment
    locked.staff = staff
    locked.counter = counter
    by(locked, actor).save(update_fields=["is_compliment", "staff", "counter"])
    audit.record(
        actor=actor,
        action="feedback.compliment_set",
        target=locked,
        org_unit=locked.outlet,
        data={
            "before": before,
            "is_compliment": is_compliment,
            "staff": locked.staff_id,
            "counter": locked.counter_id,
        },
    )
    return locked


def follow_up_start(*, actor: Principal, follow_up: FollowUp) -> FollowUp:
    """Take a follow-up in hand (it counts as touched)."""

    def write(locked: FollowUp) -> FollowUp:
        locked.touched_at = clock.now()
        if locked.owner_id is None and isinstance(actor, User):
            locked.owner = actor
        return locked

    return states.FOLLOW_UP.apply(follow_up, "start", actor=actor, effect=write)


def follow_up_close(*, actor: Principal, follow_up: FollowUp, outcome: str, note: str) -> FollowUp:
    """Record what was done and close the follow-up; a fault found goes to the rectification ledger."""
    note = pii.scrub(note.strip())  # masked like the message it follows up (#18)

    def write(locked: FollowUp) -> FollowUp:
        problems = []
        if outcome not in FollowUp.Outcome.values:
            problems.append({"field": "outcome", "reason": _("Choose one of the offered values.")})
        if len(note) < 5:
            problems.append({"field": "note", "reason": _("Say what was done (at least 5 characters).")})
        if problems:
            raise ValidationFailed(_("The outcome is incomplete."), details=problems)
        now = clock.now()
        locked.outcome, locked.outcome_note = outcome, note
        locked.closed_at = now
        locked.touched_at = locked.touched_at or now
        if outcome == FollowUp.Outcome.FAULT_FOUND:
            _report_fault(actor, locked)
        return locked

    return states.FOLLOW_UP.apply(follow_up, "close", actor=actor, effect=write, data={"outcome": outcome})


def _report_fault(actor: Principal, follow_up: FollowUp) -> None:
    """Hand the fault to the rectification ledger in the closing transaction (S3, DESIGN: the spine)."""
    reasons = ""
    if follow_up.evaluation_id is not None:
        evaluation = Evaluation.objects.get(pk=follow_up.evaluation_id)
        reasons = "、".join(evaluation.reasons)
    defects.report(
        actor=actor,
        defect=defects.Defect(
            source_kind=defects.SourceKind.EVALUATION,
            source_id=str(follow_up.pk),
            label=_("Follow-up #%(id)s") % {"id": follow_up.pk},
            unit=follow_up.outlet,
            description=pii.scrub(f"{follow_up.summary}\n{follow_up.outcome_note}"),
            severity="normal",
            staff=follow_up.staff,
            reason_code=reasons,
            url=f"/feedback/follow-ups/{follow_up.pk}/",
        ),
    )


def follow_ups_escalate(*, actor: Principal) -> int:
    """Escalate every follow-up nobody has touched by its deadline one level up; each commits on its own."""
    require(actor, states.WORK_FOLLOW_UP)
    now = clock.now()
    overdue = list(
        FollowUp.objects.filter(status=FollowUp.Status.OPEN, touched_at__isnull=True, due_at__lt=now)
        .select_related("outlet", "escalated_to")
        .order_by("due_at", "pk")
    )
    count = 0
    for follow_up in overdue:
        current = follow_up.escalated_to or follow_up.outlet
        parent = current.get_parent()
        if parent is None:
            continue  # already at head office: stays overdue and visible there

        def write(locked: FollowUp, parent: OrgUnit = parent) -> FollowUp:
            locked.escalation_level += 1
            locked.escalated_at = now
            locked.escalated_to = parent
            locked.owner = rules.owner_in(parent) or locked.owner
            locked.due_at = rules.end_of_business_day_after(now, rules.FOLLOW_UP_BUSINESS_DAYS)
            return locked

        try:
            # One transaction per follow-up: a refusal or a failure leaves the others escalated.
            states.FOLLOW_UP.apply(follow_up, "escalate", actor=actor, effect=write, data={"to": parent.code})
        except (Conflict, NotFound):
            continue  # touched, closed or escalated by someone else since the list was read
        count += 1
    return count


def feedback_escalate_overdue(*, actor: Principal) -> int:
    """Hand every message still unanswered at its reply deadline to the supervisor one level up (once)."""
    require(actor, states.ANSWER_FEEDBACK)
    now = clock.now()
    overdue = list(
        FeedbackItem.objects.filter(
            status=FeedbackItem.Status.OPEN, reply_due_at__lt=now, escalated_at__isnull=True
        )
        .select_related("outlet")
        .order_by("reply_due_at", "pk")
    )
    count = 0
    for item in overdue:
        parent = item.outlet.get_parent()

        def write(locked: FeedbackItem, parent: OrgUnit | None = parent) -> FeedbackItem:
            locked.escalated_at = now
            locked.owner = (rules.owner_in(parent) if parent is not None else None) or locked.owner
            return locked

        try:
            # One transaction per message, as for follow-ups.
            states.FEEDBACK_ITEM.apply(item, "escalate", actor=actor, effect=write)
        except (Conflict, NotFound):
            continue
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


def survey_batch_import(
    *, actor: Principal, org_unit: OrgUnit, file_name: str, provider: str, rows: list[SurveyRow]
) -> SurveyBatch:
    """Store validated survey rows as one batch; detractors open follow-ups.

    Written in short transactions as one import batch (core.batches, #18): the responses and their follow-ups
    stay hidden until one short closing transaction publishes them, so the floor keeps its turn at the
    database meanwhile; a failed or interrupted run deletes what it wrote. A response id already stored
    (or being written by a running import) refuses the whole file.
    """
    require(actor, "feedback.add_surveybatch", unit=org_unit)
    for row in rows:
        if not row.outlet.path.startswith(org_unit.path):
            raise NotFound()
    batches.import_batches_discard_stale(actor=actor, kind=SURVEY_KIND, tables=SURVEY_TABLES)
    taken = survey_responses_taken([r.external_id for r in rows])
    if taken:
        raise ValidationFailed(
            _("Some survey responses were imported before."),
            details=[
                {"field": "response_id", "reason": _("Already imported: %(id)s") % {"id": rid}}
                for rid in taken
            ],
        )
    owners = {outlet.pk: rules.outlet_head(outlet) for outlet in {r.outlet for r in rows}}
    batch = batches.import_batch_start(actor=actor, kind=SURVEY_KIND, file_name=file_name)
    try:
        with transaction.atomic():
            survey = SurveyBatch.objects.create(
                org_unit=org_unit,
                # The uploader's file name and the provider are typed text: a number in them stays masked (#18).
                file_name=pii.scrub(file_name)[:200],
                provider=pii.scrub(provider)[:60],
                imported_at=clock.now(),
                imported_by=actor if isinstance(actor, User) else None,
                rows=len(rows),
                import_batch=batch,
            )
        for part in batches.chunks(rows):
            _survey_write(part, actor=actor, survey=survey, batch=batch, owners=owners)
        with transaction.atomic():
            batches.import_batch_publish(actor=actor, batch=batch)
            audit.record(
                actor=actor,
                action="survey.import",
                target=survey,
                org_unit=org_unit,
                data={"rows": len(rows), "file": file_name},
            )
    except BaseException:
        # Interrupted too (Ctrl-C): what was written stays invisible, and goes.
        batches.import_batch_discard(actor=actor, batch=batch, tables=SURVEY_TABLES)
        raise
    return survey


SURVEY_KIND = "survey"
# Children first: the order a failed batch is deleted in (a deleted follow-up's own history row is tagged
# with the batch too, so its history goes after it).
SURVEY_TABLES = (FollowUp, FollowUp.history.model, SurveyResponse, SurveyBatch)


def survey_responses_taken(response_ids: list[str]) -> list[str]:
    """The response ids stored before, including those a running (unpublished) import is writing."""
    return batches.stored(SurveyResponse, "external_id", response_ids)


def _survey_write(
    rows: Sequence[SurveyRow],
    *,
    actor: Principal,
    survey: SurveyBatch,
    batch: ImportBatch,
    owners: dict[int, User | None],
) -> None:
    # Built before the transaction opens, so the write lock is held for the inserts alone.
    responses = [
        SurveyResponse(
            batch=survey,
            outlet=r.outlet,
            external_id=r.external_id,
            responded_on=r.responded_on,
            nps=r.nps,
            service_csat=r.service_csat,
            overall_csat=r.overall_csat,
            comment=pii.scrub(r.comment),
            import_batch=batch,
        )
        for r in rows
    ]
    now = clock.now()
    due = rules.end_of_business_day_after(now, rules.FOLLOW_UP_BUSINESS_DAYS)
    with transaction.atomic():
        SurveyResponse.objects.bulk_create(responses)
        bulk_create_with_history(
            [
                FollowUp(
                    outlet=response.outlet,
                    source=FollowUp.Source.SURVEY,
                    summary=f"NPS {response.nps} {response.comment[:60]}"[:200],
                    owner=owners[response.outlet.pk],
                    opened_at=now,
                    due_at=due,
                    survey_response=response,
                    import_batch=batch,
                )
                for response in responses
                if response.is_detractor
            ],
            FollowUp,
            default_user=actor if isinstance(actor, User) else None,
        )


@transaction.atomic
def survey_target_set(*, actor: Principal, org_unit: OrgUnit, measure: str, target: Decimal) -> SurveyTarget:
    """Set (or change) a target such as service satisfaction ≥ 90 % for one org unit."""
    require(actor, "feedback.change_surveytarget", unit=org_unit)
    if measure not in SurveyTarget.Measure.values:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "measure", "reason": _("Choose one of the offered values.")}],
        )
    low = Decimal(-100) if measure == SurveyTarget.Measure.NPS else Decimal(0)
    if not low <= target <= 100:
        raise ValidationFailed(
            _("A target is a percentage."),
            details=[
                {"field": "target", "reason": _("Enter a value between %(low)s and 100.") % {"low": low}}
            ],
        )
    row = SurveyTarget.objects.filter(org_unit=org_unit, measure=measure).first() or SurveyTarget(
        org_unit=org_unit, measure=measure
    )
    before = str(row.target) if row.pk else None
    row.target = target
    by(row, actor).save()
    audit.record(
        actor=actor,
        action="survey_target.set",
        target=row,
        org_unit=org_unit,
        data={"measure": measure, "before": before, "target": str(target)},
    )
    return row
