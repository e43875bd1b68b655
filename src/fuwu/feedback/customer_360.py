"""Feedback in a customer's history (P1): their evaluations of the counter, and what they left in the box.

Found by `fuwu.customers.timeline` through `core.discovery`. Evaluations are the customer's own ratings of
their visits (read with the evaluation view right); a box message counts only when the customer left their
phone (matched by its keyed hash) and the reader may see the outlet it was left for (core.scoping).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible
from fuwu.customers.timeline import Cursor, Entry, after
from fuwu.feedback.models import Evaluation, FeedbackItem

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fuwu.customers.models import Customer

KINDS = {"evaluation": _("Evaluation"), "feedback": _("Feedback")}
VIEW_EVALUATION = "feedback.view_evaluation"
VIEW_FEEDBACK = "feedback.view_feedbackitem"


def _evaluations(customer: Customer) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(ticket__customer=customer)


def _items(customer: Customer, fetched_by: Principal) -> QuerySet[FeedbackItem]:
    if not customer.phone_hash:
        return FeedbackItem.objects.none()
    return visible(FeedbackItem.objects.filter(phone_hash=customer.phone_hash), fetched_by)


def entries(
    customer: Customer, *, fetched_by: Principal, kinds: frozenset[str], cursor: Cursor | None, limit: int
) -> list[Entry]:
    found: list[Entry] = []
    if "evaluation" in kinds and has(fetched_by, VIEW_EVALUATION):
        rows = (
            _evaluations(customer).filter(after(cursor, "evaluation", "at")).select_related("ticket", "staff")
        )
        for e in rows.order_by("-at", "-pk")[:limit]:
            found.append(
                Entry(
                    at=e.at,
                    kind="evaluation",
                    pk=e.pk,
                    title=f"{e.get_rating_display()} · {e.ticket.number}",
                    detail="、".join(e.reasons),
                    urgent=e.rating == Evaluation.Rating.DISSATISFIED,
                )
            )
    if "feedback" in kinds and has(fetched_by, VIEW_FEEDBACK):
        items = _items(customer, fetched_by).filter(after(cursor, "feedback", "submitted_at"))
        for f in items.order_by("-submitted_at", "-pk")[:limit]:
            found.append(
                Entry(
                    at=f.submitted_at,
                    kind="feedback",
                    pk=f.pk,
                    title=f"{f.get_status_display()} · {f.text[:40]}",
                    url=reverse("feedback:item", args=[f.pk]),
                )
            )
    return found


def count(customer: Customer, *, fetched_by: Principal, kinds: frozenset[str]) -> int:
    total = 0
    if "evaluation" in kinds and has(fetched_by, VIEW_EVALUATION):
        total += _evaluations(customer).count()
    if "feedback" in kinds and has(fetched_by, VIEW_FEEDBACK):
        total += _items(customer, fetched_by).count()
    return total
