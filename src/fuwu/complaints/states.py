"""The complaint's state machine and the extension's, declared once (issue 12).

Every change of `Complaint.status` (and of `Extension.state`) goes through `COMPLAINT.apply` /
`EXTENSION.apply`: row lock, access (`core.access.require` with the case's outlet), state check (409 with the
current state), the action's own guard (回避, paused clock, one review), then the effect, the audit row — one
transaction. Screens ask `{% allowed_actions c request.user %}`; nothing else compares status strings.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from fuwu.complaints.models import Complaint, Extension, Status
from fuwu.core.errors import Conflict, Forbidden
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal, SystemPrincipal
from fuwu.core.transitions import Machine, action

VIEW = "complaints.view_complaint"
REGISTER = "complaints.add_complaint"
HANDLE = "complaints.change_complaint"
APPROVE = "complaints.change_extension"
REMEDIATE = "complaints.open_remediation"
CURATE = "complaints.add_typicalcase"
# The regulator statistics and hotspots read decided outcomes across cases (roles.py says who holds it); the
# same permission guards their pages and menu items (nav.py) and these reads, pages and API alike (#19).
ANALYSE = "complaints.view_decision"

S = Status
HANDLING = (S.REGISTERED, S.IN_PROGRESS)
BEFORE_REPLY = (S.REGISTERED, S.IN_PROGRESS, S.DECIDED)
# A decision exists: remediation of the root cause may be opened (the API used to accept it in any state).
DECIDED_ONCE = (S.DECIDED, S.REPLIED, S.CLOSED, S.UNDER_REVIEW)
HANDLED = (S.REPLIED, S.CLOSED)


def recusal(c: Complaint, principal: Principal) -> None:
    """回避: the staff member complained about takes no step on the case (assign, decide, revisit, …)."""
    if c.staff_id is not None and getattr(principal, "pk", None) == c.staff_id:
        raise Conflict(
            _("The staff member complained about cannot act on this complaint (回避)."),
            code="conflict_of_interest",
            details={"status": c.status},
        )


def _running(c: Complaint, principal: Principal) -> None:
    recusal(c, principal)
    if c.paused_since is not None:
        raise Conflict(
            _("The clock is paused: resume it first."), details={"status": c.status, "paused": True}
        )


def _paused(c: Complaint, principal: Principal) -> None:
    recusal(c, principal)
    if c.paused_since is None:
        raise Conflict(_("The clock is not paused."), details={"status": c.status, "paused": False})


def _extension_left(c: Complaint, principal: Principal) -> None:
    recusal(c, principal)
    if c.extension_level >= 2:
        raise Conflict(
            _("Both extensions are used (15 → 30 → 60 days)."),
            details={"status": c.status, "extension_level": c.extension_level},
        )
    if c.extensions.filter(state=Extension.State.PENDING).exists():
        raise Conflict(_("An extension request is already pending."), details={"status": c.status})


def _reviewable(c: Complaint, principal: Principal) -> None:
    if c.reviews.exists():
        raise Conflict(_("This complaint was already reviewed once."), details={"status": c.status})
    if c.outlet.get_parent() is None:
        raise Conflict(_("The head office has no superior unit to review."), details={"status": c.status})


def _reviewer(c: Complaint, principal: Principal) -> None:
    """Only staff of the reviewing (superior) unit or above decide a review (办法 第二十条)."""
    recusal(c, principal)
    review = c.reviews.filter(decided_at__isnull=True).select_related("reviewing_unit").first()
    unit: OrgUnit | None = getattr(principal, "org_unit", None)
    if review is None:
        raise Conflict(_("No review is pending."), details={"status": c.status})
    if isinstance(principal, SystemPrincipal):
        return
    if unit is None or not review.reviewing_unit.path.startswith(unit.path):
        raise Forbidden(_("Only the superior unit decides a review (办法 第二十条)."))


def _not_in_library(c: Complaint, principal: Principal) -> None:
    if hasattr(c, "typical_case"):
        raise Conflict(_("This complaint is already in the library."), details={"status": c.status})


COMPLAINT: Machine[Complaint] = Machine(
    model=Complaint,
    unit=lambda c: c.outlet,
    audit_prefix="complaint",
    select_related=("outlet",),
    follow=Complaint.follow_status,
    actions=[
        action("assign", HANDLING, S.IN_PROGRESS, HANDLE, gettext_lazy("Assign"), guard=recusal),
        action("investigate", [S.IN_PROGRESS], None, HANDLE, gettext_lazy("Record findings"), guard=recusal),
        action(
            "extension_request",
            HANDLING,
            None,
            HANDLE,
            gettext_lazy("Request extension"),
            guard=_extension_left,
        ),
        action("pause", [S.IN_PROGRESS], None, HANDLE, gettext_lazy("Pause the clock"), guard=_running),
        action("resume", [S.IN_PROGRESS], None, HANDLE, gettext_lazy("Resume the clock"), guard=_paused),
        action(
            "decide",
            [S.IN_PROGRESS],
            S.DECIDED,
            HANDLE,
            gettext_lazy("Issue decision"),
            guard=_running,
            primary=True,
        ),
        action(
            "reply", [S.DECIDED], S.REPLIED, HANDLE, gettext_lazy("Record reply"), guard=recusal, primary=True
        ),
        # The revisit either closes the case or (a dissatisfied customer) reopens it: two targets, two actions.
        action("revisit", [S.REPLIED], S.CLOSED, HANDLE, gettext_lazy("Record revisit"), guard=recusal),
        action("reopen", [S.REPLIED], S.IN_PROGRESS, HANDLE, gettext_lazy("Reopen the case"), guard=recusal),
        action(
            "review_request",
            HANDLED,
            S.UNDER_REVIEW,
            REGISTER,
            gettext_lazy("Record review request"),
            guard=_reviewable,
        ),
        action(
            "review_decide",
            [S.UNDER_REVIEW],
            S.CLOSED,
            HANDLE,
            gettext_lazy("Decide review"),
            guard=_reviewer,
        ),
        action("reclassify", BEFORE_REPLY, None, HANDLE, gettext_lazy("Reclassify"), guard=recusal),
        action(
            "withdraw", BEFORE_REPLY, S.WITHDRAWN, HANDLE, gettext_lazy("Customer withdraws"), guard=recusal
        ),
        # A resubmission within the period is recorded on the open case (办法 第十八条).
        action("merge", (*BEFORE_REPLY, S.UNDER_REVIEW), None, REGISTER, gettext_lazy("Merge resubmission")),
        action(
            "remediation_create",
            DECIDED_ONCE,
            None,
            REMEDIATE,
            gettext_lazy("Open remediation task"),
            guard=recusal,
        ),
        action(
            "typical_case_create",
            HANDLED,
            None,
            CURATE,
            gettext_lazy("Add to case library"),
            guard=_not_in_library,
        ),
    ],
)


def _not_requester(e: Extension, principal: Principal) -> None:
    if getattr(principal, "pk", None) == e.requested_by_id:
        raise Forbidden(_("An extension must be approved by someone other than who asked for it."))
    if e.complaint.status not in HANDLING:
        raise Conflict(_("The complaint is no longer being handled."), details={"status": e.complaint.status})


SECOND_EXTENSION_APPROVER = gettext_noop(
    "A second extension needs the superior unit or a head-office senior manager (办法 第十八条)."
)


def may_approve_second_extension(approver: Principal, outlet: OrgUnit) -> bool:
    """办法 第十八条: an especially complex case's further 30 days need the approval of the superior unit or a
    senior manager of the head office. A unit above the case's unit qualifies; so does head office (where the
    bank's senior managers sit, and the only approver for a case handled at head office itself)."""
    if isinstance(approver, SystemPrincipal):
        return True
    unit: OrgUnit | None = getattr(approver, "org_unit", None)
    if unit is None:
        return False
    superior = outlet.path.startswith(unit.path) and unit.path != outlet.path
    return superior or unit.kind == OrgUnit.Kind.HEAD_OFFICE


def _approver(e: Extension, principal: Principal) -> None:
    _not_requester(e, principal)
    if e.level == 2 and not may_approve_second_extension(principal, e.complaint.outlet):
        raise Forbidden(_(SECOND_EXTENSION_APPROVER))


EXTENSION: Machine[Extension] = Machine(
    model=Extension,
    field="state",
    unit=lambda e: e.complaint.outlet,
    audit_prefix="complaint.extension",
    select_related=("complaint__outlet",),
    actions=[
        action(
            "approve",
            [Extension.State.PENDING],
            Extension.State.APPROVED,
            APPROVE,
            gettext_lazy("Approve"),
            guard=_approver,
        ),
        action(
            "reject",
            [Extension.State.PENDING],
            Extension.State.REJECTED,
            APPROVE,
            gettext_lazy("Reject"),
            guard=_not_requester,
        ),
    ],
)
