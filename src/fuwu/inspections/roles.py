"""Supervisors inspect and verify; outlet heads rectify and appeal; the branch (supervisors above the outlet,
head office) decides appeals; head office edits templates and plans."""

from __future__ import annotations

from fuwu.core import roles

_READ = ["inspections.view_template", "inspections.view_inspection", "inspections.view_rectificationtask"]

ROLE_PERMISSIONS = {
    roles.SUPERVISOR: [
        *_READ,
        "inspections.conduct_inspection",
        "inspections.view_unannounced",
        "inspections.plan_inspection",
        "inspections.verify_task",
        "inspections.decide_appeal",
        "inspections.view_supervision",
    ],
    roles.OUTLET_HEAD: [*_READ, "inspections.rectify_task"],
    roles.HQ_MANAGER: [
        *_READ,
        "inspections.change_template",
        "inspections.plan_inspection",
        "inspections.view_unannounced",
        "inspections.verify_task",
        "inspections.decide_appeal",
        "inspections.view_supervision",
    ],
    roles.AUDITOR: [*_READ, "inspections.view_unannounced", "inspections.view_supervision"],
    # Complaint handlers see the ledger line their upheld case opened.
    roles.COMPLAINT_HANDLER: ["inspections.view_rectificationtask"],
}
