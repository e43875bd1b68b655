"""Review (核查, 办法 第二十条): the customer asks the superior unit within 30 days of receiving the decision;
the superior unit decides within 30 days of receiving the request."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fuwu.complaints import clock as statutory
from fuwu.complaints.models import Alert, Complaint, Decision, ReviewRequest
from fuwu.complaints.services._common import alert, problem, received_day, refuse_if
from fuwu.complaints.services.handling import decision_problems, save_decision
from fuwu.complaints.states import COMPLAINT
from fuwu.core import clock, pii
from fuwu.core.errors import Conflict, ValidationFailed
from fuwu.core.principals import Principal


def complaint_request_review(
    *, actor: Principal, complaint: Complaint, reason: str, received_on: dt.date | None = None
) -> ReviewRequest:
    """The customer asks for a review within 30 days of receiving the decision (the reply); the superior unit
    takes it and must decide within 30 days of receiving the request (办法 第二十条)."""

    def effect(c: Complaint) -> ReviewRequest:
        if not reason.strip():
            raise ValidationFailed(
                _("Give the reason."), details=[problem("reason", _("This field is required."))]
            )
        day = received_day(received_on, c, "received_on")
        assert c.replied_at is not None
        last = statutory.review_request_deadline(clock.business_date(c.replied_at))
        if day > last:
            raise Conflict(
                _(
                    "A review must be requested within 30 days of receiving the decision (办法 第二十条); the last day was %(last)s."
                )
                % {"last": last.isoformat()},
                code="review_window_closed",
                details={
                    "status": c.status,
                    "replied_at": c.replied_at.isoformat(),
                    "last_day": last.isoformat(),
                },
            )
        superior = c.outlet.get_parent()
        assert superior is not None  # the action's guard refuses a case of the head office
        review = ReviewRequest.objects.create(
            complaint=c,
            reason=pii.scrub(reason.strip()),
            requested_at=clock.now(),
            reviewing_unit=superior,
            due_at=statutory.end_of_day(statutory.review_decision_deadline(day)),
        )
        c.handling_unit = superior
        c.closed_at = None
        alert(c, superior, Alert.Kind.REVIEW, f"{c.reference}: {Alert.Kind.REVIEW.label}")
        return review

    return COMPLAINT.apply(complaint, "review_request", actor=actor, effect=effect)


def complaint_review_decide(
    *,
    actor: Principal,
    complaint: Complaint,
    facts: str,
    basis: str,
    remedy: str = "",
    upheld: bool = False,
) -> Decision:
    """The superior unit's review decision closes the case; an upheld one goes to the rectification ledger."""

    def effect(c: Complaint) -> Decision:
        review = c.reviews.get(decided_at__isnull=True)
        refuse_if(decision_problems(facts, basis, remedy, upheld), _("The decision is incomplete."))
        decision = save_decision(
            actor=actor, complaint=c, facts=facts, basis=basis, remedy=remedy, upheld=upheld, is_review=True
        )
        review.decided_at = decision.decided_at
        review.save(update_fields=["decided_at"])
        c.closed_at = decision.decided_at
        return decision

    return COMPLAINT.apply(complaint, "review_decide", actor=actor, effect=effect, data={"upheld": upheld})
