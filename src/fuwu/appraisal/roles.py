from __future__ import annotations

from fuwu.core import roles

_READ = ["appraisal.view_scorecard", "appraisal.view_starround", "appraisal.view_peerfigure"]
_LEAD = [
    *_READ,
    "appraisal.view_staff_scores",
    "appraisal.view_briefingjob",
    "appraisal.add_briefingjob",
    "appraisal.view_starpolicy",
]
_HQ = [
    *_LEAD,
    "appraisal.add_scorecard",
    "appraisal.change_scorecard",
    "appraisal.change_starpolicy",
    "appraisal.approve_star",
    "appraisal.add_peerfigure",
    "appraisal.change_peerfigure",
    "appraisal.delete_peerfigure",
]
_FRONT = ["appraisal.view_scorecard", "appraisal.view_starround"]  # own score and the wall of stars

ROLE_PERMISSIONS = {
    roles.HQ_MANAGER: _HQ,
    # The head of a branch (tier-1/tier-2 service supervisor) approves the outlets' stars.
    roles.SUPERVISOR: [*_LEAD, "appraisal.approve_star"],
    roles.OUTLET_HEAD: [*_LEAD, "appraisal.nominate_star"],
    roles.AUDITOR: [*_LEAD],
    roles.CC_MANAGER: _READ,
    roles.TELLER: _FRONT,
    roles.LOBBY: _FRONT,
    roles.RM: _FRONT,
    roles.COMPLAINT_HANDLER: _FRONT,
    roles.TRAINER: _FRONT,
}
