"""The assistant over HTTP: the public ask/poll pair (chat page, kiosk, other channels) and the staff reply."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.throttling import AnonRateThrottle

from fuwu.core.auth import request_principal
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.openapi import raises
from fuwu.core.principals import system
from fuwu.knowledge import selectors, services
from fuwu.knowledge.models import Message
from fuwu.knowledge.schemas import AskIn, KnowledgeReplyIn

router = Router(tags=["knowledge"])

# Per client address: a person types a question every few seconds; a kiosk serves one person at a time.
ASK_RATE = "30/m"
POLL_RATE = "240/m"


class MessageOut(Schema):
    id: int
    sender: str
    text: str
    outcome: str
    entry_id: int | None
    confidence: float | None
    options: list[dict[str, Any]]
    at: dt.datetime


class TurnOut(Schema):
    conversation: str
    status: str
    outcome: str | None
    reason: str | None
    result: dict[str, Any] | None
    messages: list[MessageOut]


class ThreadOut(Schema):
    conversation: str
    status: str
    messages: list[MessageOut]


def message_out(m: Message) -> MessageOut:
    return MessageOut(
        id=m.pk,
        sender=m.sender,
        text=m.text,
        outcome=m.outcome,
        entry_id=m.entry_id,
        confidence=m.confidence,
        options=list(m.data.get("options", [])),
        at=m.at,
    )


@router.post("/knowledge/ask", response=TurnOut, auth=None, throttle=[AnonRateThrottle(ASK_RATE)])
@raises(NotFound, Conflict)
def ask(request: HttpRequest, payload: AskIn) -> TurnOut:
    """Ask the assistant (`conversation` continues a thread); answer, "您是想问…" options, or a hand-over."""
    thread = selectors.public_conversation(payload.conversation) if payload.conversation else None
    turn = services.conversation_ask(
        actor=system("assistant"),
        question=payload.question,
        conversation=thread,
        outlet_code=payload.outlet_code,
        channel=payload.channel,
        entry_id=payload.entry_id,
    )
    decision = turn.decision
    return TurnOut(
        conversation=turn.conversation.token,
        status=turn.conversation.status,
        outcome=decision.outcome if decision else None,
        reason=decision.reason if decision else None,
        result=decision.result if decision else None,
        messages=[message_out(m) for m in turn.messages],
    )


@router.get(
    "/knowledge/conversations/{token}", response=ThreadOut, auth=None, throttle=[AnonRateThrottle(POLL_RATE)]
)
def thread(request: HttpRequest, token: str, after: int = 0) -> ThreadOut:
    """The customer's thread since message `after` (the chat page polls it for the staff's answer)."""
    conversation = selectors.public_conversation(token)
    return ThreadOut(
        conversation=conversation.token,
        status=conversation.status,
        messages=[message_out(m) for m in selectors.public_messages(conversation, after=after)],
    )


@router.post("/knowledge/queue/{pk}/reply", response=MessageOut)
@raises(Conflict)
def reply(request: HttpRequest, pk: int, payload: KnowledgeReplyIn) -> MessageOut:
    """Staff answer a handed-over conversation of their unit."""
    principal = request_principal(request)
    conversation = selectors.conversation(fetched_by=principal, pk=pk)
    return message_out(
        services.conversation_reply(actor=principal, conversation=conversation, text=payload.text)
    )
