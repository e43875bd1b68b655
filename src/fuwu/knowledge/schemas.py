"""One schema per action: the API body and the parsed HTML form are the same thing."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, model_validator


class AskIn(Schema):
    question: str = Field(default="", max_length=500)
    conversation: str = Field(default="", max_length=64)
    outlet_code: str = Field(default="", max_length=32)
    channel: str = Field(default="web", pattern="^(web|kiosk|api)$")
    # A clarifying option the customer picked ("您是想问…"): answer that entry.
    entry_id: int | None = None
    # The validator below, in the schema (#18): a question with some text, or a picked entry.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["question"], "properties": {"question": {"pattern": r"\S"}}},
                {"required": ["entry_id"], "properties": {"entry_id": {"type": "integer"}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _something_asked(self) -> AskIn:
        if not self.question.strip() and self.entry_id is None:
            raise ValueError(_("Type a question."))
        return self


class EntryIn(Schema):
    kind: str = Field(default="faq", pattern="^(faq|product|guide|policy)$")
    question: str = Field(min_length=1, max_length=300)
    answer_html: str = Field(min_length=1, max_length=20000)
    category: str = Field(default="", max_length=100)
    visibility: str = Field(default="draft", pattern="^(draft|staff|public)$")
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    risk_level: str = Field(default="", pattern="^(|R1|R2|R3|R4|R5)$")
    # One fee per line: 项目|价格|说明 (价格公示).
    fees_text: str = Field(default="", max_length=5000)
    # One document per line.
    documents_text: str = Field(default="", max_length=5000)
    service_code: str = Field(default="", max_length=32)
    # One paraphrase per line.
    paraphrases_text: str = Field(default="", max_length=50000)
    note: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _dates_in_order(self) -> EntryIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(_("The end of validity is before its start."))
        return self


class KnowledgeReplyIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class ParaphraseFromMessageIn(Schema):
    message_id: int
    entry_id: int


class PhraseIn(Schema):
    kind: str = Field(pattern="^(forbidden|required)$")
    text: str = Field(min_length=1, max_length=100)
    variants: str = Field(default="", max_length=2000)
    moment: str = Field(default="", pattern="^(|greeting|farewell)$")
    severity: str = Field(default="normal", pattern="^(minor|normal|major|critical)$")
    note: str = Field(default="", max_length=200)
    is_active: bool = False


class SentimentLabelIn(Schema):
    label: str = Field(pattern="^(positive|neutral|negative)$")
