"""The service-star round's transitions (K5): the outlet head ranks, nominates and submits; the head of
the branch (service supervisor) or head office approves or sends it back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.appraisal.models import StarRound
from fuwu.core.transitions import Machine, action

S = StarRound.Status

STAR_ROUND = Machine(
    model=StarRound,
    actions=[
        action("rank", [S.DRAFT], None, "appraisal.nominate_star", _("Rank candidates")),
        action("nominate", [S.DRAFT], None, "appraisal.nominate_star", _("Nominate")),
        action(
            "submit",
            [S.DRAFT],
            S.SUBMITTED,
            "appraisal.nominate_star",
            _("Submit for approval"),
            primary=True,
        ),
        action("approve", [S.SUBMITTED], S.APPROVED, "appraisal.approve_star", _("Approve"), primary=True),
        action("send_back", [S.SUBMITTED], S.DRAFT, "appraisal.approve_star", _("Send back")),
    ],
    unit=lambda r: r.outlet,
    audit_prefix="appraisal.star_round",
    select_related=("outlet",),
)
