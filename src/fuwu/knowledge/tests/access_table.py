"""Access table rows for the knowledge app (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import roles
from fuwu.core.testing.access import AccessCase
from fuwu.knowledge import selectors, services

S = "fuwu.knowledge.services."
Q = "fuwu.knowledge.selectors."


def _data(question: str = "怎么开卡") -> services.EntryData:
    return services.EntryData(kind="faq", question=question, answer_html="带身份证", visibility="public")


def _entry(w: Any) -> None:
    from fuwu.core.principals import SYSTEM

    w.entry = services.entry_create(actor=SYSTEM, data=_data())
    w.entry = services.entry_update(actor=SYSTEM, entry=w.entry, data=_data("怎么办卡"))


def _thread(w: Any) -> None:
    from fuwu.core.principals import system

    _entry(w)
    turn = services.conversation_ask(actor=system("assistant"), question="转人工", outlet_code="OA")
    w.thread = turn.conversation
    w.question = turn.messages[0]


def _lobby_a(w: Any) -> Any:
    return w.person("lobby_a", w.outlet_a, roles.LOBBY)


def _lobby_b(w: Any) -> Any:
    return w.person("lobby_b", w.outlet_b, roles.LOBBY)


def _handler_a(w: Any) -> Any:
    return w.person("handler_a", w.outlet_a, roles.COMPLAINT_HANDLER)


def _finding(w: Any) -> None:
    from fuwu.core.principals import SYSTEM

    _thread(w)
    services.conversation_reply(actor=SYSTEM, conversation=w.thread, text="不归我管")


def _finding_rolled_up(w: Any) -> None:
    """A checked reply in the measure catalogue's rollups, as the sweep leaves it (#20)."""
    from fuwu.core import clock, rollups
    from fuwu.core.principals import SYSTEM

    _finding(w)
    rollups.rebuild(actor=SYSTEM, start=clock.today() - dt.timedelta(days=1), end=clock.today())


def _transcript(w: Any, n: int) -> list[services.TranscriptRow]:
    return [
        services.TranscriptRow(
            f"C{n}", w.teller_a, "TELLER_A", w.outlet_a, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), "您好"
        )
    ]


def _first_phrase() -> int:
    from fuwu.knowledge.models import Phrase

    return Phrase.objects.order_by("pk").values_list("pk", flat=True)[0]


_counter = iter(range(10**6))


def _item(w: Any) -> None:
    from fuwu.core.principals import SYSTEM
    from fuwu.feedback import services as feedback_services

    found = feedback_services.feedback_submit(actor=SYSTEM, outlet=w.outlet_a, text="今天来存钱", client="c")
    w.item = found[0] if isinstance(found, tuple) else found


def _gap(w: Any) -> None:
    from fuwu.core.principals import system
    from fuwu.knowledge.models import GapCluster

    _thread(w)
    services.gap_clusters_rebuild(actor=system("knowledge gaps"))
    w.gap = GapCluster.objects.order_by("-size").first()


CASES = [
    AccessCase(
        S + "sentiment_label_correct",
        setup=_item,
        call=lambda w, who: services.sentiment_label_correct(actor=who, item=w.item, label="positive"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("head_b", w.outlet_b, roles.OUTLET_HEAD),
    ),
    AccessCase(
        S + "sentiment_labels_add",
        call=lambda w, who: services.sentiment_labels_add(actor=who, rows=[("柜员很耐心", "positive")]),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "entry_create",
        call=lambda w, who: services.entry_create(actor=who, data=_data(f"问题{next(_counter)}")),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "entry_update",
        setup=_entry,
        call=lambda w, who: services.entry_update(
            actor=who, entry=w.entry, data=_data(f"改{next(_counter)}")
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "entry_restore",
        setup=_entry,
        call=lambda w, who: services.entry_restore(actor=who, entry=w.entry, number=1),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "paraphrase_add",
        setup=_entry,
        call=lambda w, who: services.paraphrase_add(actor=who, entry=w.entry, text=f"问法{next(_counter)}"),
        holder=_lobby_a,
        without=_handler_a,
    ),
    AccessCase(
        S + "conversation_reply",
        setup=_thread,
        call=lambda w, who: services.conversation_reply(actor=who, conversation=w.thread, text="您好"),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
    ),
    AccessCase(
        S + "conversation_close",
        setup=_thread,
        call=lambda w, who: services.conversation_close(actor=who, conversation=w.thread),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
    ),
    AccessCase(
        S + "message_to_paraphrase",
        setup=_thread,
        call=lambda w, who: services.message_to_paraphrase(actor=who, message=w.question, entry=w.entry),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
    ),
    AccessCase(
        S + "phrase_save",
        call=lambda w, who: services.phrase_save(
            actor=who, phrase=None, kind="forbidden", text=f"禁{next(_counter)}"
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "transcripts_record",
        call=lambda w, who: services.transcripts_record(actor=who, rows=_transcript(w, next(_counter))),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "entries",
        setup=_entry,
        call=lambda w, who: selectors.entries(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("nobody", w.outlet_a),
        also=(Q + "entry_search",),
    ),
    AccessCase(
        Q + "entry",
        setup=_entry,
        call=lambda w, who: selectors.entry(fetched_by=who, pk=w.entry.pk),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("nobody", w.outlet_a),
    ),
    AccessCase(
        Q + "entry_versions",
        setup=_entry,
        call=lambda w, who: selectors.entry_versions(fetched_by=who, entry=w.entry),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "version_diff",
        setup=_entry,
        call=lambda w, who: selectors.version_diff(fetched_by=who, entry=w.entry, old=1, new=2),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "required_documents",
        call=lambda w, who: selectors.required_documents(fetched_by=who, service_code="CARD"),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("nobody", w.outlet_a),
    ),
    AccessCase(
        Q + "product_entry",
        call=lambda w, who: selectors.product_entry(fetched_by=who, name="大额存单"),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("nobody", w.outlet_a),
    ),
    AccessCase(
        Q + "queue",
        setup=_thread,
        call=lambda w, who: selectors.queue(fetched_by=who),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
        hides=lambda w, rows: w.thread not in rows,
    ),
    AccessCase(
        Q + "conversation",
        setup=_thread,
        call=lambda w, who: selectors.conversation(fetched_by=who, pk=w.thread.pk),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
    ),
    AccessCase(
        Q + "message",
        setup=_thread,
        call=lambda w, who: selectors.message(fetched_by=who, pk=w.question.pk),
        holder=_lobby_a,
        without=_handler_a,
        outsider=_lobby_b,
    ),
    AccessCase(
        S + "gap_clusters_rebuild",
        setup=_thread,
        call=lambda w, who: services.gap_clusters_rebuild(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "gap_cluster_to_faq_draft",
        setup=_gap,
        call=lambda w, who: services.gap_cluster_to_faq_draft(actor=who, cluster=w.gap),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "gap_clusters",
        setup=_gap,
        call=lambda w, who: selectors.gap_clusters(fetched_by=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        also=(Q + "gap_cluster",),
    ),
    AccessCase(
        Q + "unanswered_groups",
        setup=_thread,
        call=lambda w, who: selectors.unanswered_groups(fetched_by=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "phrases",
        call=lambda w, who: selectors.phrases(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "phrase",
        call=lambda w, who: selectors.phrase(fetched_by=who, pk=_first_phrase()),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        Q + "language_findings",
        setup=_finding,
        call=lambda w, who: selectors.language_findings(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("head_b", w.outlet_b, roles.OUTLET_HEAD),
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "language_rates",
        setup=_finding_rolled_up,
        call=lambda w, who: selectors.language_rates(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("head_b", w.outlet_b, roles.OUTLET_HEAD),
        hides=lambda w, rows: not rows,
    ),
]

EXEMPT = {
    S + "transcripts_taken": "which of the given call ids are stored already: the import checks its own "
    "file with it before writing and learns nothing but ids it supplied",
    S + "transcript_tables": "the list of models a transcripts import batch writes; no principal, no data",
    S
    + "knowledge_owner": "resolves the head-office unit that owns the knowledge base; reads nothing private",
    S + "entry_data_from_form": "pure conversion of a parsed form into EntryData",
    S + "queue_unit": "routing of a new conversation to an outlet or the contact centre; no principal",
    S + "conversation_ask": "the public assistant: anonymous customers ask as system('assistant'); the "
    "unguessable thread token is the credential (tested in test_assistant.py)",
    S + "sentiment_retrain": "retrains the model from every stored label; run by the task and the import, "
    "which are the system acting",
    Q + "public_conversation": "the customer's own thread by its unguessable token (no principal)",
    Q + "public_messages": "messages of a thread already fetched by its token",
}
