"""Inputs of the feedback actions: one schema each, the API body and the HTML form alike (core.inputs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from fuwu.core.inputs import one_of, trimmed
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp, SurveyTarget
from fuwu.feedback.selectors import GROUPS, PERIODS

TEXT_MIN, TEXT_MAX = 5, 2000


def _choice(value: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise ValueError(_("Choose one of the offered values."))
    return value


class EvaluationIn(Schema):
    """The pad's rating of one finished ticket."""

    rating: str = one_of(Evaluation.Rating.values, max_length=20)
    reasons: list[str] = Field(default_factory=list, max_length=20)
    comment: str = Field(default="", max_length=500)

    @field_validator("rating")
    @classmethod
    def _rating(cls, value: str) -> str:
        return _choice(value, list(Evaluation.Rating.values))


class EvaluationFiguresIn(Schema):
    """The F2 table's query (#18: the schema lists the groupings and periods `evaluation_table` takes,
    which words the refusal; that the end is not before the start no schema can say)."""

    start: dt.date
    end: dt.date
    group: str = one_of(GROUPS, default="outlet")
    period: str = one_of(PERIODS, default="day")


class FeedbackSubmitIn(Schema):
    """A message left in the public feedback box."""

    text: str = trimmed(TEXT_MIN, TEXT_MAX)
    subject: str = one_of(FeedbackItem.Subject.values, default=FeedbackItem.Subject.OUTLET)
    channel: str = one_of(FeedbackItem.Channel.values, default=FeedbackItem.Channel.ONLINE)
    staff_code: str = Field(default="", max_length=20)
    service: int | None = None
    contact_name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    compliment: bool = False  # 表扬: the message praises the staff member or window named
    counter_number: int | None = Field(default=None, ge=1, le=999)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if not TEXT_MIN <= len(value) <= TEXT_MAX:
            raise ValueError(
                _("Write between %(min)s and %(max)s characters.") % {"min": TEXT_MIN, "max": TEXT_MAX}
            )
        return value

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return _choice(value, list(FeedbackItem.Subject.values))

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return _choice(value, list(FeedbackItem.Channel.values))


class FeedbackReplyIn(Schema):
    """A staff member's answer to a feedback message."""

    reply: str = trimmed(5, 2000)

    @field_validator("reply")
    @classmethod
    def _reply(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 5:
            raise ValueError(_("Write at least 5 characters."))
        return value


class ComplimentIn(Schema):
    """Triage of a message: a compliment or not, and the staff member or counter it is about."""

    is_compliment: bool = False
    staff: int | None = None
    counter: int | None = None


class FollowUpCloseIn(Schema):
    """What was done for a dissatisfied customer, and the outcome that closes the follow-up."""

    outcome: str = one_of(FollowUp.Outcome.values)
    note: str = trimmed(5, 2000)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        return _choice(value, list(FollowUp.Outcome.values))

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 5:
            raise ValueError(_("Say what was done (at least 5 characters)."))
        return value


class PadConfigIn(Schema):
    """The pad's rating window and the reasons it offers (one per line in the form)."""

    unit: str = Field(default="", max_length=32)
    window_seconds: int = Field(ge=30, le=3600)
    reasons: str = Field(max_length=2000)

    @field_validator("reasons")
    @classmethod
    def _reasons(cls, value: str) -> str:
        if not [r for r in value.splitlines() if r.strip()]:
            raise ValueError(_("Give at least one reason."))
        return value

    def reason_list(self) -> list[str]:
        return [r.strip() for r in self.reasons.splitlines() if r.strip()]


class SurveyTargetIn(Schema):
    """A survey target of one org unit, in percent (NPS −100…100)."""

    unit: str = Field(default="", max_length=32)
    measure: Literal["service_csat", "overall_csat", "nps"]
    target: Decimal = Field(ge=-100, le=100, max_digits=5, decimal_places=1)

    @field_validator("measure")
    @classmethod
    def _measure(cls, value: str) -> str:
        return _choice(value, list(SurveyTarget.Measure.values))


class FeedbackQueryIn(Schema):
    """The feedback list's filters (F6 drill-down): every figure on the insights page links here."""

    unit: str = Field(default="", max_length=32)
    status: Literal["", "open", "replied"] = ""
    sentiment: Literal["", "positive", "neutral", "negative"] = ""
    topic: str = Field(default="", max_length=32)
    term: str = Field(default="", max_length=40)
    start: dt.date | None = None
    end: dt.date | None = None
    compliment: Literal["", "yes", "no"] = ""
    period: Literal["day", "week"] = "day"
    page: int = Field(default=1, ge=1, le=100000)

    @model_validator(mode="after")
    def _order(self) -> FeedbackQueryIn:
        if self.start and self.end and self.end < self.start:
            raise ValueError(_("The end date is before the start date."))
        return self


class ReasonQueryIn(Schema):
    """Drill-down from one of the pad's reason tags to the ratings that carry it."""

    unit: str = Field(default="", max_length=32)
    reason: str = Field(max_length=40)
    start: dt.date
    end: dt.date
    page: int = Field(default=1, ge=1, le=100000)
