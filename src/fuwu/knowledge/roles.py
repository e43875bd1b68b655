"""What each role may do with the knowledge base, the assistant's staff queue and the service-language check."""

from __future__ import annotations

from fuwu.core import roles

_SEARCH = ["knowledge.view_entry"]
# Answer handed-over conversations in the unit's queue and keep a customer's wording as a paraphrase.
_QUEUE = ["knowledge.view_conversation", "knowledge.change_conversation", "knowledge.add_paraphrase"]
_EDIT = [
    "knowledge.add_entry",
    "knowledge.change_entry",
    "knowledge.view_unansweredquestion",
    "knowledge.change_phrase",
]
_LANGUAGE = ["knowledge.view_languagefinding"]
# Correct the sentiment of a feedback message (the feedback app's managers) and import labelled comments.
_LABEL = ["knowledge.add_sentimentlabel"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.LOBBY: [*_SEARCH, *_QUEUE],
    roles.TELLER: [*_SEARCH, *_QUEUE],
    roles.RM: [*_SEARCH, *_QUEUE],
    roles.OUTLET_HEAD: [*_SEARCH, *_QUEUE, *_LANGUAGE, *_LABEL],
    roles.COMPLAINT_HANDLER: _SEARCH,
    roles.SUPERVISOR: [*_SEARCH, *_QUEUE, *_LANGUAGE, *_LABEL],
    roles.CC_MANAGER: [*_SEARCH, *_QUEUE, *_LANGUAGE],
    roles.TRAINER: [*_SEARCH, *_EDIT, *_LANGUAGE],
    roles.HQ_MANAGER: [*_SEARCH, *_QUEUE, *_EDIT, *_LANGUAGE, *_LABEL],
    roles.AUDITOR: [*_SEARCH, *_LANGUAGE, "knowledge.view_conversation"],
}

# The kiosk shows the public chat; it asks as the public does (no permission needed), nothing more.
DEVICE_PERMISSIONS: dict[str, list[str]] = {}
