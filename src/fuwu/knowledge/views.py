"""Pages: the public chat, staff search and editing with history, the hand-over queue, unanswered questions,
and the service-language dictionary with its findings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.core import access, references
from fuwu.core.auth import request_principal
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.knowledge import selectors, services
from fuwu.knowledge.models import Entry, LanguageFinding, Phrase
from fuwu.knowledge.schemas import (
    EntryIn,
    KnowledgeReplyIn,
    ParaphraseFromMessageIn,
    PhraseIn,
    SentimentLabelIn,
)


def chat(request: HttpRequest) -> HttpResponse:
    """The public assistant: mobile-first; `?outlet=CODE` routes hand-overs to that outlet, `?kiosk=1` for kiosks."""
    context = {
        "outlet_code": request.GET.get("outlet", "")[:32],
        "kiosk": bool(request.GET.get("kiosk")),
    }
    return render(request, "knowledge/chat.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "results": selectors.entry_search(fetched_by=principal, query=query) if query else [],
        **listing(
            request,
            selectors.entries(
                fetched_by=principal,
                visibility=request.GET.get("visibility", ""),
                category=request.GET.get("category", ""),
            ),
            ENTRY_LIST,
            principal=principal,
        ).context(),
        "can_edit": access.has(principal, "knowledge.change_entry", unit=services.knowledge_owner()),
        "visibilities": Entry.Visibility.choices,
    }
    return render(request, "knowledge/search.html", context)


def _entry_form_values(entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "question": entry.question,
        "answer_html": entry.answer_html,
        "category": entry.category,
        "visibility": entry.visibility,
        "valid_from": entry.valid_from.isoformat() if entry.valid_from else "",
        "valid_to": entry.valid_to.isoformat() if entry.valid_to else "",
        "risk_level": entry.risk_level,
        "fees_text": "\n".join(
            f"{f.get('item', '')}|{f.get('price', '')}|{f.get('basis', '')}" for f in entry.fees
        ),
        "documents_text": "\n".join(entry.documents),
        "service_code": entry.service_code,
        "paraphrases_text": "\n".join(entry.paraphrases.values_list("text", flat=True)),
    }


def _entry_form(
    request: HttpRequest, entry: Entry | None, form: FormState, status: int = 200
) -> HttpResponse:
    context = {
        "entry": entry,
        "form": form,
        "kinds": Entry.Kind.choices,
        "visibilities": Entry.Visibility.choices,
        "risks": Entry.Risk.choices,
    }
    return render(request, "knowledge/entry_form.html", context, status=status)


@login_required
def entry_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if request.method == "POST":
        try:
            payload = parse(EntryIn, request.POST)
            entry = services.entry_create(
                actor=principal, data=services.entry_data_from_form(payload), note=payload.note
            )
        except ValidationFailed as exc:
            return _entry_form(request, None, FormState.failed(request.POST, exc), status=422)
        return redirect("knowledge:entry", pk=entry.pk)
    return _entry_form(request, None, FormState(values={"visibility": "draft", "kind": "faq"}))


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    entry = selectors.entry(fetched_by=principal, pk=pk)
    if request.method == "POST":
        try:
            payload = parse(EntryIn, request.POST)
            services.entry_update(
                actor=principal, entry=entry, data=services.entry_data_from_form(payload), note=payload.note
            )
        except ValidationFailed as exc:
            return _entry_form(request, entry, FormState.failed(request.POST, exc), status=422)
        return redirect("knowledge:entry", pk=entry.pk)
    return _entry_form(request, entry, FormState(values=_entry_form_values(entry)))


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    entry = selectors.entry(fetched_by=principal, pk=pk)
    can_edit = access.has(principal, "knowledge.change_entry", unit=services.knowledge_owner())
    versions = list(selectors.entry_versions(fetched_by=principal, entry=entry)) if can_edit else []
    diff = []
    old, new = request.GET.get("old"), request.GET.get("new")
    if can_edit and old and new and old.isdigit() and new.isdigit():
        diff = selectors.version_diff(fetched_by=principal, entry=entry, old=int(old), new=int(new))
    context = {
        "entry": entry,
        "versions": versions,
        "diff": diff,
        "old": old,
        "new": new,
        "can_edit": can_edit,
        # Courses (training) whose materials link to this entry; found through core.references.
        "linked": references.referring(fetched_by=principal, kind=references.KNOWLEDGE_ENTRY, pk=entry.pk),
    }
    return render(request, "knowledge/entry.html", context)


@login_required
@require_POST
def entry_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    principal = request_principal(request)
    entry = selectors.entry(fetched_by=principal, pk=pk)
    services.entry_restore(actor=principal, entry=entry, number=number)
    return redirect("knowledge:entry", pk=entry.pk)


QUEUE_LIST = ListSpec(
    # Oldest waiting first (the selector's order: waiting before answered, then by hand-over time).
    sorts=(
        Sort("waiting", gettext_lazy("Waiting longest first"), ("status", "handed_over_at")),
        Sort("new", gettext_lazy("Newest first"), ("-handed_over_at",)),
    ),
    unit_field="unit",
    date_field="handed_over_at",
    mine=("assignee",),
)
ENTRY_LIST = ListSpec(
    sorts=(
        Sort("category", gettext_lazy("By category"), ("category", "question")),
        Sort("new", gettext_lazy("Newest first"), ("-pk",)),
    ),
    per_page=50,
)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    status = request.GET.get("status", "open")[:16]
    found = listing(
        request, selectors.queue(fetched_by=principal, status=status), QUEUE_LIST, principal=principal
    )
    return render(
        request,
        "knowledge/queue.html",
        {**found.context(), "status": status, "status_keep": [("status", status)]},
    )


def _conversation_page(request: HttpRequest, pk: int, form: FormState, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    conversation = selectors.conversation(fetched_by=principal, pk=pk)
    thread = list(conversation.messages.select_related("staff", "entry"))
    # Per customer question, the entries it most likely belongs to: the one-click paraphrase targets.
    rows: list[tuple[Any, list[dict[str, Any]]]] = []
    asked = [m for m in thread if m.sender == "customer"][-10:]
    for m in thread:
        found = selectors.entry_search(fetched_by=principal, query=m.text)[:5] if m in asked else []
        rows.append((m, found))
    last: list[dict[str, Any]] = next((found for m, found in reversed(rows) if m.sender == "customer"), [])
    context = {
        "conversation": conversation,
        "thread_rows": rows,
        "suggestions": last,
        "form": form,
    }
    return render(request, "knowledge/conversation.html", context, status=status)


@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, pk, FormState())


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    thread = selectors.conversation(fetched_by=principal, pk=pk)
    try:
        payload = parse(KnowledgeReplyIn, request.POST)
        services.conversation_reply(actor=principal, conversation=thread, text=payload.text)
    except ValidationFailed as exc:
        return _conversation_page(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("knowledge:conversation", pk=pk)


@login_required
@require_POST
def conversation_close(request: HttpRequest, pk: int) -> HttpResponse:
    principal = request_principal(request)
    thread = selectors.conversation(fetched_by=principal, pk=pk)
    services.conversation_close(actor=principal, conversation=thread)
    return redirect("knowledge:queue")


@login_required
@require_POST
def message_to_paraphrase(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the customer's question becomes a paraphrase of the chosen entry."""
    principal = request_principal(request)
    payload = parse(ParaphraseFromMessageIn, request.POST)
    message = selectors.message(fetched_by=principal, pk=payload.message_id)
    entry = selectors.entry(fetched_by=principal, pk=payload.entry_id)
    services.message_to_paraphrase(actor=principal, message=message, entry=entry)
    return redirect("knowledge:conversation", pk=pk)


@login_required
def unanswered(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    groups = selectors.unanswered_groups(fetched_by=principal)
    context = {
        "groups": groups,
        "gaps": selectors.gap_clusters(fetched_by=principal),
        "can_draft": access.has(principal, "knowledge.add_entry", unit=services.knowledge_owner()),
    }
    return render(request, "knowledge/unanswered.html", context)


@login_required
@require_POST
def gaps_rebuild(request: HttpRequest) -> HttpResponse:
    """Cluster again now (the background task; the page shows the last run until it finishes)."""
    from fuwu.knowledge.tasks import cluster_knowledge_gaps

    selectors.gap_clusters(fetched_by=request_principal(request), limit=1)  # the editors' right, checked here
    cluster_knowledge_gaps.enqueue()
    messages.info(request, _("The knowledge gaps are being clustered again; reload in a moment."))
    return redirect("knowledge:unanswered")


@login_required
@require_POST
def gap_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: an FAQ draft from the gap's questions; the editor writes its answer next."""
    principal = request_principal(request)
    entry = services.gap_cluster_to_faq_draft(
        actor=principal, cluster=selectors.gap_cluster(fetched_by=principal, pk=pk)
    )
    return redirect("knowledge:entry_edit", pk=entry.pk)


FINDING_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-at",)),
        Sort("old", gettext_lazy("Oldest first"), ("at",)),
    ),
    text=("matched", "excerpt", "phrase__text", "agent_code", "staff__display_name"),
    state_field="source",
    states=LanguageFinding.Source.choices,
    state_label=gettext_lazy("Source"),
    unit_field="unit",
    date_field="at",
    mine=("staff",),
)


def _language_page(request: HttpRequest, form: FormState, status: int = 200) -> HttpResponse:
    principal = request_principal(request)
    # Paged, counted and filtered (#19): the page showed the newest 100 findings.
    findings = listing(
        request, selectors.language_findings(fetched_by=principal), FINDING_LIST, principal=principal
    )
    context = {
        **findings.context(),
        "phrases": selectors.phrases(fetched_by=principal),
        "rates_unit": selectors.language_rates(fetched_by=principal, by="unit"),
        "rates_staff": selectors.language_rates(fetched_by=principal, by="staff"),
        "can_edit": access.has(principal, "knowledge.change_phrase", unit=services.knowledge_owner()),
        "kinds": Phrase.Kind.choices,
        "moments": Phrase.Moment.choices,
        "form": form,
    }
    return render(request, "knowledge/language.html", context, status=status)


@login_required
def language(request: HttpRequest) -> HttpResponse:
    return _language_page(request, FormState(values={"is_active": "on"}))


@login_required
@require_POST
def phrase_save(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    pk = request.POST.get("pk", "")
    existing = selectors.phrase(fetched_by=principal, pk=int(pk)) if pk.isdigit() else None
    try:
        payload = parse(PhraseIn, request.POST)
        services.phrase_save(
            actor=principal,
            phrase=existing,
            kind=payload.kind,
            text=payload.text,
            variants=payload.variants,
            moment=payload.moment,
            severity=payload.severity,
            note=payload.note,
            is_active=payload.is_active,
        )
    except ValidationFailed as exc:
        return _language_page(request, FormState.failed(request.POST, exc), status=422)
    return redirect("knowledge:language")


@login_required
@require_POST
def sentiment_correct(request: HttpRequest, item_id: int) -> HttpResponse:
    """A feedback message's sentiment corrected by staff (the partial knowledge/partials/sentiment_label.html)."""
    from fuwu.feedback import selectors as feedback_selectors

    principal = request_principal(request)
    item = feedback_selectors.feedback_item(fetched_by=principal, pk=item_id)
    payload = parse(SentimentLabelIn, request.POST)
    services.sentiment_label_correct(actor=principal, item=item, label=payload.label)
    if request.headers.get("HX-Request"):
        item.refresh_from_db()
        return render(request, "knowledge/partials/sentiment_label.html", {"item": item, "saved": True})
    return redirect(request.POST.get("next") or "feedback:inbox")
