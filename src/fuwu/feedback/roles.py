"""What each role may do with evaluations, feedback, surveys and follow-ups."""

from __future__ import annotations

from fuwu.core import roles

_READ = [
    "feedback.view_evaluation",
    "feedback.view_feedbackitem",
    "feedback.view_followup",
    "feedback.view_surveyresponse",
    "feedback.view_surveytarget",
]
_WORK = ["feedback.change_feedbackitem", "feedback.change_followup"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.OUTLET_HEAD: [*_READ, *_WORK, "feedback.change_padconfig"],
    roles.SUPERVISOR: [
        *_READ,
        *_WORK,
        "feedback.add_surveybatch",
        "feedback.change_surveytarget",
        "feedback.change_padconfig",
    ],
    roles.HQ_MANAGER: [
        *_READ,
        *_WORK,
        "feedback.add_surveybatch",
        "feedback.change_surveytarget",
        "feedback.change_padconfig",
    ],
    roles.AUDITOR: _READ,
}
