"""Every write to a complaint, split by sub-domain; the public functions are importable from here.

- intake:   complaint_register (reference from the day's sequence row, merge of resubmissions), reclassify
- handling: assign (回避), investigate, extensions, pause/resume, withdraw, decide, reply, revisit
- review:   review request and review decision (办法 第二十条)
- library:  remediation tasks (in the rectification ledger) and the typical-case library
- sweep:    the deadline sweep (case by case) and alert acknowledgement
- codes:    loading the official JR/T 0169 tables (old → new codes, cases migrated)
- documents: case attachments (type read from the bytes) and the decision/reply letters as PDF, downloads audited
- from_feedback: a feedback-box message turned into a complaint in one step (idempotent)
"""

from fuwu.complaints.services.codes import code_table_replace
from fuwu.complaints.services.documents import attachment_add, attachment_download, letter_render
from fuwu.complaints.services.from_feedback import complaint_from_feedback
from fuwu.complaints.services.handling import (
    complaint_assign,
    complaint_decide,
    complaint_extension_decide,
    complaint_extension_request,
    complaint_investigate,
    complaint_pause,
    complaint_reply,
    complaint_resume,
    complaint_revisit,
    complaint_withdraw,
)
from fuwu.complaints.services.intake import complaint_reclassify, complaint_register
from fuwu.complaints.services.library import remediation_create, typical_case_create
from fuwu.complaints.services.review import complaint_request_review, complaint_review_decide
from fuwu.complaints.services.sweep import alert_acknowledge, deadlines_sweep

__all__ = [
    "alert_acknowledge",
    "attachment_add",
    "attachment_download",
    "code_table_replace",
    "complaint_assign",
    "complaint_decide",
    "complaint_extension_decide",
    "complaint_extension_request",
    "complaint_from_feedback",
    "complaint_investigate",
    "complaint_pause",
    "complaint_reclassify",
    "complaint_register",
    "complaint_reply",
    "complaint_request_review",
    "complaint_resume",
    "complaint_review_decide",
    "complaint_revisit",
    "complaint_withdraw",
    "deadlines_sweep",
    "letter_render",
    "remediation_create",
    "typical_case_create",
]
