"""One schema per complaint action: the API's body and the HTML form's parser (core.inputs.parse).

Field names are the form's input names; references to other objects travel as codes (outlet code, staff
code, customer number, case reference, handler username) and are resolved by `fuwu.complaints.actions`, the
one place both the API and the pages call — so an unknown staff member is the same error in both.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from fuwu.complaints.models import MajorBasis, Severity, Source, Status, Tag
from fuwu.core.inputs import one_of, trimmed
from fuwu.core.listing import ListQueryIn

CASE_SORTS = ("urgent", "due", "new", "old")  # the keys of worklist.CASE_LIST's sorts


class ComplaintListIn(ListQueryIn):
    """The case list's query, on the page (`?…`) and in `GET /api/v1/complaints`."""

    # Listed in the schema as the list accepts them (#18); test_case_list checks they match the list's own.
    state: str = one_of(["", *Status.values], default="")
    sort: str = one_of(["", *CASE_SORTS], default="")
    overdue: bool = False  # only cases past their statutory deadline (open, or handled late)


class ComplaintIn(Schema):
    # Documented as the service enforces them (#18); the codes are the regulator's tables in the database.
    outlet_code: str = Field(max_length=32)
    source: str = one_of(Source.values)
    content: str = trimmed(1, 20_000)
    complainant_name: str = trimmed(1, 50)
    channel_code: str = Field(max_length=16)
    category_code: str = Field(max_length=16)
    reason_code: str = Field(max_length=16)
    severity: str = one_of(Severity.values, default="normal")
    major_basis: str = one_of(MajorBasis.values, default="")
    tags: list[str] = Field(default=[], json_schema_extra={"items": {"enum": list(Tag.values)}})
    customer_id: int | None = None
    customer_no: str = ""
    phone: str = ""
    staff_code: str = ""
    product: str = Field(default="", max_length=100)
    demand: str = Field(default="", max_length=20_000)
    representatives: int = Field(default=1, json_schema_extra={"minimum": 1, "maximum": 5})
    complainants_in_person: int = Field(default=1, json_schema_extra={"minimum": 1})
    regulator_due_date: dt.date | None = None
    resubmission_of: str = ""  # the open case's reference (or id)
    new_facts: bool = False


class SuggestIn(Schema):
    text: str


class AssignIn(Schema):
    handler_username: str


class InvestigateIn(Schema):
    root_cause: str


class ExtensionRequestIn(Schema):
    reason: str


class ExtensionDecideIn(Schema):
    approve: bool
    customer_notified: bool = False


class PauseIn(Schema):
    reason: str
    customer_notified: bool = False
    kind: str = "appraisal"  # appraisal (办法 第十八条) | mediation (办法 第二十三条)
    on: dt.date | None = None  # the day the pause began; default today


class ResumeIn(Schema):
    on: dt.date | None = None  # the day the appraisal result was received / mediation ended


class WithdrawIn(Schema):
    reason: str = ""
    on: dt.date | None = None  # the day the withdrawal request was received (办法 第十五条)


class DecideIn(Schema):
    facts: str
    basis: str
    remedy: str = ""
    upheld: bool = False


class ReplyIn(Schema):
    method: str
    text: str


class RevisitIn(Schema):
    satisfaction: str
    note: str = ""
    reopen: bool = False


class ReviewRequestIn(Schema):
    reason: str
    received_on: dt.date | None = None  # the day the superior unit received the request


class ReclassifyIn(Schema):
    # The model's lengths, declared (#18): an over-long value is a 422 here, not a DataError on PostgreSQL.
    channel_code: str = Field(max_length=16)
    category_code: str = Field(max_length=16)
    reason_code: str = Field(max_length=16)
    severity: str
    major_basis: str = ""


class RemediationIn(Schema):
    action: str
    owner_username: str
    due_date: dt.date
    accountable_staff_code: str = ""
    accountability_note: str = ""


class TypicalCaseIn(Schema):
    polarity: str
    title: str = Field(max_length=100)  # TypicalCase.title (#18)
    lesson: str = ""


class AttachmentIn(Schema):
    """A case document's note; the file itself travels as the multipart part `file`."""

    note: str = Field(default="", max_length=200)  # Attachment.note (#18)
