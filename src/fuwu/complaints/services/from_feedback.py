"""A feedback-box message becomes a complaint in one step (#19), the way a Salesforce case is made from an
e-mail: the text, the outlet, the staff member and the contact carry over, the codes are the classifier's
first suggestion (the handler reclassifies if need be), and the statutory clock runs from the day the
message was received. The message and the case link both ways (`FeedbackItem.complaint`).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext as _

from fuwu.complaints.codes import current_codes
from fuwu.complaints.models import ClassificationCode, Complaint, Source
from fuwu.complaints.services._common import audit_case
from fuwu.complaints.services.intake import complaint_register
from fuwu.complaints.states import REGISTER
from fuwu.core.access import require
from fuwu.core.errors import Conflict
from fuwu.core.history import by
from fuwu.core.principals import Principal
from fuwu.feedback.models import FeedbackItem

ANONYMOUS = "匿名客户"  # the complainant's name on a case from an anonymous message


def _codes(text: str) -> dict[str, str]:
    """The classifier's best code per dimension, else the first leaf (the handler confirms or reclassifies)."""
    from fuwu.complaints import classifier

    current = current_codes()
    leaves = {
        dim: [
            c.code
            for c in ClassificationCode.objects.filter(dimension=dim, is_active=True).order_by("code")
            if not c.children.filter(is_active=True).exists()
        ]
        for dim in ("channel", "category", "reason")
    }
    chosen: dict[str, str] = {}
    for s in classifier.suggest(text, top=3):
        code = current.get((s.dimension, s.code))
        if s.dimension in leaves and s.dimension not in chosen and code in leaves[s.dimension]:
            chosen[s.dimension] = code
    for dim, codes in leaves.items():
        if dim not in chosen and codes:
            chosen[dim] = codes[0]
    return chosen


@transaction.atomic
def complaint_from_feedback(*, actor: Principal, item: FeedbackItem) -> Complaint:
    """Open the complaint of a feedback message (or return the one already opened: idempotent)."""
    require(actor, REGISTER, unit=item.outlet, message=_("Your role may not register complaints."))
    # Two clicks (or two colleagues) at once: the message's row lock makes the second find the first's case.
    locked = (
        FeedbackItem.objects.select_for_update().get(pk=item.pk)
        if connection.features.has_select_for_update
        else FeedbackItem.objects.get(pk=item.pk)
    )
    existing = Complaint.objects.filter(feedback_item=locked).first()
    if existing is not None:
        return existing
    codes = _codes(locked.text)
    if len(codes) < 3:
        raise Conflict(_("The complaint code table is empty."), code="no_codes")
    complaint = complaint_register(
        actor=actor,
        outlet=locked.outlet,
        source=Source.ONLINE,
        content=locked.text,
        complainant_name=(locked.contact_name.strip() if not locked.is_anonymous else "") or ANONYMOUS,
        channel_code=codes["channel"],
        category_code=codes["category"],
        reason_code=codes["reason"],
        staff=locked.staff,
        received_at=locked.submitted_at,
    )
    # The contact number as the box stored it (hash, mask, cipher): never decrypted on the way.
    complaint.phone_hash, complaint.phone_masked = locked.phone_hash, locked.phone_masked
    complaint.phone_cipher = locked.phone_cipher
    complaint.feedback_item = locked
    by(complaint, actor).save(update_fields=["phone_hash", "phone_masked", "phone_cipher", "feedback_item"])
    audit_case(actor, "from_feedback", complaint, feedback=locked.pk)
    return complaint
