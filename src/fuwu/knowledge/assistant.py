"""The assistant: `answer(question)` and the Rasa-like policy `decide(question)` on top of it.

`answer` ranks entries with the published model (engine.current()), then keeps only entries the audience may
be told *today*: a customer never gets a draft, a staff-only or an expired entry, whatever the model learnt.
The text comes from the database at answer time, so an edit shows at once; the ranking follows the next
retraining (in the background; the old model answers meanwhile).

Policy (decide):
- the customer asks for a person → hand over;
- best match confident (≥ ANSWER_THRESHOLD) and clear of the runner-up (by ≥ AMBIGUITY_GAP) → answer;
- confident enough to guess (≥ CLARIFY_THRESHOLD) → "您是想问…" with the top three;
- else, or out of scope, or the best match may not be shown to this audience → hand over.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q

from fuwu.core import clock
from fuwu.knowledge import engine

ANSWER_THRESHOLD = 0.6
AMBIGUITY_GAP = 0.15
CLARIFY_THRESHOLD = 0.25

Audience = Literal["public", "staff"]

# "转人工", "我要找客服", "真人" …: the customer wants a person, whatever else the message says.
_PERSON = re.compile(
    r"(转|找|要|接|叫).{0,3}(人工|客服|真人|工作人员|柜员|经理)|^人工|人工服务|人工客服|真人"
)


def asks_for_person(question: str) -> bool:
    from fuwu.knowledge.text import normalize

    return bool(_PERSON.search(normalize(question)))


def shown_visibilities(audience: Audience) -> list[str]:
    from fuwu.knowledge.models import Entry

    if audience == "public":
        return [Entry.Visibility.PUBLIC]
    return [Entry.Visibility.PUBLIC, Entry.Visibility.STAFF]


def answerable(audience: Audience) -> Q:
    today = clock.business_date(clock.now())
    return (
        Q(visibility__in=shown_visibilities(audience))
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )


def _ensure_model() -> engine.Model | None:
    model = engine.current()
    if model is None:  # the very first question of a fresh install: nothing older can answer meanwhile
        model = engine.train_from_db()
    return model


# --- the entries an answer may use, cached per knowledge-base change ------------------------------------------
#
# Ranking needs, for a handful of entry ids, whether the audience may be told them today and their text. A
# query per question cost more than the ranking itself, so each process keeps the live entries in memory,
# keyed by a stamp file beside the published model that every entry write replaces (`entries_changed`). The
# audience and date rules are applied per question, so an entry expiring at midnight is never answered
# after it. Without a stamp (an installation whose entries were never written through the services) every
# question reads the database, as before.


@dataclass(frozen=True)
class LiveEntry:
    pk: int
    question: str
    answer_html: str
    visibility: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def shown(self, visibilities: list[str], today: dt.date) -> bool:
        return (
            self.visibility in visibilities
            and (self.valid_from is None or self.valid_from <= today)
            and (self.valid_to is None or self.valid_to >= today)
        )


_STAMP = "entries.version"
_live: dict[str, Any] = {"key": None, "entries": {}}


def _write_stamp() -> None:
    directory = engine.model_dir()
    tmp = directory / f"{_STAMP}.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(uuid.uuid4().hex)
    os.replace(tmp, directory / _STAMP)


def entries_changed() -> None:
    """Called by every service that writes an entry: answers stop using the cached entries.

    Now (this process may answer inside the same transaction) and again on commit, because another process
    may have re-read the old rows between the first stamp and the commit.
    """
    _write_stamp()
    transaction.on_commit(_write_stamp)


def _live_entries() -> dict[int, LiveEntry] | None:
    from fuwu.knowledge.models import Entry

    path = engine.model_dir() / _STAMP
    try:
        key = (str(path), path.read_text())
    except FileNotFoundError:
        return None
    if _live["key"] == key:
        cached: dict[int, LiveEntry] = _live["entries"]
        return cached
    rows = Entry.objects.exclude(visibility=Entry.Visibility.DRAFT).values_list(
        "pk", "question", "answer_html", "visibility", "valid_from", "valid_to"
    )
    entries = {row[0]: LiveEntry(*row) for row in rows}
    _live["key"], _live["entries"] = key, entries  # readers see the old pair or the new one
    return entries


def _shown_entries(ids: list[int], audience: Audience) -> dict[int, LiveEntry]:
    from fuwu.knowledge.models import Entry

    live = _live_entries()
    if live is None:
        rows = Entry.objects.filter(answerable(audience), pk__in=ids).values_list(
            "pk", "question", "answer_html", "visibility", "valid_from", "valid_to"
        )
        return {row[0]: LiveEntry(*row) for row in rows}
    visibilities = shown_visibilities(audience)
    today = clock.business_date(clock.now())
    return {pk: live[pk] for pk in ids if pk in live and live[pk].shown(visibilities, today)}


@dataclass
class Ranked:
    """The model's ranking restricted to what the audience may see, plus why the top choice was dropped."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    out_of_scope: bool = False
    withheld: bool = False  # the best match exists but may not be shown to this audience


def rank(question: str, *, audience: Audience = "public", k: int = 4) -> Ranked:
    model = _ensure_model()
    if model is None or not question.strip():
        return Ranked()
    ranked = model.ranked(question, k=k + 4)
    result = Ranked()
    if ranked and ranked[0][0] == engine.OOS:
        result.out_of_scope = True
    ids = [entry_id for entry_id, _c in ranked if entry_id != engine.OOS]
    entries = _shown_entries(ids, audience)
    if ranked and ranked[0][0] != engine.OOS and ranked[0][0] not in entries:
        result.withheld = True
    for entry_id, confidence in ranked:
        entry = entries.get(entry_id)
        if entry is None:
            continue
        result.rows.append(
            {
                "answer": entry.answer_html,
                "question": entry.question,
                "confidence": round(confidence, 4),
                "entry_id": entry.pk,
            }
        )
        if len(result.rows) >= k:
            break
    return result


def answer(question: str, *, audience: Audience = "public") -> dict[str, Any] | None:
    """The best answer with calibrated confidence and the next best as `candidates`; None when nothing fits.

    Nothing fits when the question is out of scope, when the best match may not be shown to `audience`
    (a draft, a staff-only entry for a customer, an expired entry) or when there is no knowledge at all.
    """
    ranked = rank(question, audience=audience)
    if not ranked.rows or ranked.out_of_scope or ranked.withheld:
        return None
    best, *rest = ranked.rows
    return {**best, "candidates": rest[:3]}


@dataclass(frozen=True)
class Decision:
    outcome: Literal["answer", "clarify", "handoff"]
    reason: str  # answer: "confident"; clarify: "ambiguous"|"unsure"; handoff: person|out_of_scope|low|withheld|empty
    result: dict[str, Any] | None
    options: list[dict[str, Any]]


def decide(question: str, *, audience: Audience = "public") -> Decision:
    """Rasa's policy over `answer`: answer, ask "您是想问…" with the top three, or hand over to a person."""
    if asks_for_person(question):
        return Decision("handoff", "person", None, [])
    ranked = rank(question, audience=audience)
    if ranked.out_of_scope:
        return Decision("handoff", "out_of_scope", None, [])
    if not ranked.rows:
        return Decision("handoff", "withheld" if ranked.withheld else "empty", None, [])
    if ranked.withheld:
        return Decision("handoff", "withheld", None, [])
    best, *rest = ranked.rows
    runner_up = rest[0]["confidence"] if rest else 0.0
    result = {**best, "candidates": rest[:3]}
    if best["confidence"] >= ANSWER_THRESHOLD and best["confidence"] - runner_up >= AMBIGUITY_GAP:
        return Decision("answer", "confident", result, [])
    if best["confidence"] >= CLARIFY_THRESHOLD:
        reason = "ambiguous" if best["confidence"] >= ANSWER_THRESHOLD else "unsure"
        return Decision("clarify", reason, result, ranked.rows[:3])
    return Decision("handoff", "low", result, [])
