"""What each role (and the evaluation pad) may do with evaluations, feedback, surveys and follow-ups."""

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
_PAD = ["feedback.view_padconfig", "feedback.change_padconfig"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.OUTLET_HEAD: [*_READ, *_WORK, *_PAD],
    roles.SUPERVISOR: [
        *_READ,
        *_WORK,
        *_PAD,
        "feedback.add_surveybatch",
        "feedback.change_surveytarget",
    ],
    roles.HQ_MANAGER: [
        *_READ,
        *_WORK,
        *_PAD,
        "feedback.add_surveybatch",
        "feedback.change_surveytarget",
    ],
    roles.AUDITOR: _READ,
}

# The evaluation pad at a counter rates the tickets that counter finished, and reads nothing else: no
# feedback messages, no follow-ups, no figures. (The public feedback box acts as the system principal.)
DEVICE_PERMISSIONS: dict[str, list[str]] = {
    "pad": ["feedback.add_evaluation"],
}
