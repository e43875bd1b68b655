"""Inputs of the training actions: one schema each, for the API body and the HTML form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from fuwu.core.clock import SHANGHAI


class AnswerIn(Schema):
    position: int = Field(ge=1)
    choice: list[int] = Field(default_factory=list)
    text: str = Field(default="", max_length=2000)

    def value(self) -> Any:
        """The answer as the service takes it: {"text": …} for a written answer, else the chosen options."""
        return {"text": self.text} if self.text else self.choice


class SubmitIn(Schema):
    """Submit a paper, optionally with the answers not yet saved one by one."""

    answers: list[AnswerIn] = Field(default_factory=list, max_length=500)


class CheckinIn(Schema):
    secret: str = Field(min_length=8, max_length=64)


class AssignByRoleIn(Schema):
    course_id: int
    unit_code: str = Field(min_length=1, max_length=32)
    role: str = Field(min_length=1, max_length=32)
    due_date: dt.date


class GradeIn(Schema):
    position: int = Field(ge=1)
    awarded: int = Field(ge=0)
    feedback: str = Field(default="", max_length=1000)


class SessionIn(Schema):
    course_id: int
    unit_code: str = Field(min_length=1, max_length=32)
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = Field(default="", max_length=200)
    online_url: str = Field(default="", max_length=200)
    capacity: int = Field(default=30, ge=1, le=1000)

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _shanghai(cls, value: dt.datetime) -> dt.datetime:
        # A form's datetime-local carries no zone: it is the bank's local time.
        return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


class MaterialIn(Schema):
    """A link or a knowledge base entry (its current version is what learners read) added to a course."""

    title: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=200)
    knowledge_entry_id: int | None = Field(default=None, ge=1)
