from __future__ import annotations

from fuwu.core import roles

# Every staff member reads courses, checks in, takes exams and completes online courses.
_LEARNER = [
    "training.view_course",
    "training.add_attendance",
    "training.add_attempt",
]
_MANAGE = [
    *_LEARNER,
    "training.view_assignment",
    "training.view_attempt",
    "training.view_certificate",
    "training.assign_course",
]
_TRAINER = [
    *_MANAGE,
    "training.add_course",
    "training.change_course",
    "training.add_session",
    "training.add_exam",
    "training.manage_bank",
    "training.grade_attempt",
    "training.add_defectrule",
]

ROLE_PERMISSIONS = {
    roles.LOBBY: _LEARNER,
    roles.TELLER: _LEARNER,
    roles.RM: _LEARNER,
    roles.COMPLAINT_HANDLER: _LEARNER,
    roles.CC_MANAGER: _LEARNER,
    roles.OUTLET_HEAD: _MANAGE,
    roles.SUPERVISOR: _MANAGE,
    roles.TRAINER: _TRAINER,
    roles.HQ_MANAGER: _TRAINER,
    roles.AUDITOR: [
        *_LEARNER,
        "training.view_assignment",
        "training.view_attempt",
        "training.view_certificate",
    ],
}
