"""The decision notice (处理决定书) and the reply letter (答复函) of a case, typeset as A4 PDF by WeasyPrint.

Fields come from the case: the complainant, the reference, the receipt and decision dates, facts, basis,
remedy, the review route (办法 第二十条: 30 days to ask the superior unit for a review) and the outlet.
The font is named (Noto Sans CJK SC, Debian fonts-noto-cjk) so no other CJK font is picked by chance.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from fuwu.complaints.models import Complaint
from fuwu.core import clock
from fuwu.core.errors import Conflict

KINDS = ("decision", "reply")


def context(complaint: Complaint, kind: str) -> dict[str, Any]:
    """What the letter says: the case's fields, its last decision and reply."""
    if kind not in KINDS:
        raise Conflict(_("Unknown letter."), code="unknown_letter")
    decision = complaint.decisions.order_by("-decided_at").first()
    if decision is None:
        raise Conflict(
            _("A letter needs the decision: decide the case first."),
            code="no_decision",
            details={"status": complaint.status},
        )
    reply = complaint.replies.order_by("-replied_at").first()
    reviewing = complaint.outlet.get_parent()
    return {
        "kind": kind,
        "c": complaint,
        "decision": decision,
        "reply": reply,
        "received": clock.business_date(complaint.received_at),
        "decided": clock.business_date(decision.decided_at),
        "today": clock.today(),
        "reviewing_unit": reviewing.name if reviewing is not None else complaint.outlet.name,
    }


def render(complaint: Complaint, kind: str) -> bytes:
    from weasyprint import HTML

    # A letter to a Chinese customer is in Chinese whatever language the handler's screen is in.
    with translation.override("zh-hans"):
        html = render_to_string("complaints/letters/letter.html", context(complaint, kind))
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
