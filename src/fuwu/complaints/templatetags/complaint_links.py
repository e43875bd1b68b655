"""`{% feedback_complaint item request.user as link %}`: the complaint opened from a feedback message, and
whether this reader may open one (the feedback page shows the link or the one-step button, #19)."""

from __future__ import annotations

from typing import Any

from django import template

from fuwu.complaints import selectors
from fuwu.complaints.models import Complaint
from fuwu.complaints.states import REGISTER, VIEW
from fuwu.core.access import has
from fuwu.core.principals import Principal

register = template.Library()


@register.simple_tag
def feedback_complaint(item: Any, principal: Principal) -> dict[str, Any]:
    found = Complaint.objects.filter(feedback_item_id=item.pk).only("pk").first()
    readable = None
    if found is not None and has(principal, VIEW):
        readable = selectors.readable(Complaint.objects.filter(pk=found.pk), principal).first()
    return {
        "exists": found is not None,
        "complaint": readable,
        "may_open": found is None and has(principal, REGISTER, unit=item.outlet),
    }
