"""Reads: staff search, entries with their history and diffs, the staff queue, unanswered questions, and the
service-language findings and rates."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from fuwu.core import access, clock, figures
from fuwu.core.errors import NotFound
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible
from fuwu.knowledge import assistant
from fuwu.knowledge.models import (
    Conversation,
    Entry,
    EntryVersion,
    GapCluster,
    LanguageFinding,
    Message,
    Phrase,
    UnansweredQuestion,
)


def _editor(principal: Principal) -> bool:
    from fuwu.knowledge.services import knowledge_owner

    return access.has(principal, "knowledge.change_entry", unit=knowledge_owner())


def entries(
    *, fetched_by: Principal, query: str = "", visibility: str = "", category: str = ""
) -> QuerySet[Entry]:
    """Entries for the staff list; drafts only for editors."""
    access.require(fetched_by, "knowledge.view_entry")
    qs = Entry.objects.all().order_by("category", "question")
    if not _editor(fetched_by):
        qs = qs.exclude(visibility=Entry.Visibility.DRAFT)
    if visibility:
        qs = qs.filter(visibility=visibility)
    if category:
        qs = qs.filter(category=category)
    if query.strip():
        q = query.strip()
        qs = qs.filter(
            Q(question__icontains=q) | Q(answer_html__icontains=q) | Q(paraphrases__text__icontains=q)
        ).distinct()
    return qs


def entry_search(*, fetched_by: Principal, query: str) -> list[dict[str, Any]]:
    """Staff search: the assistant's ranking over public and staff entries, then plain text matches."""
    access.require(fetched_by, "knowledge.view_entry")
    if not query.strip():
        return []
    ranked = assistant.rank(query, audience="staff", k=5).rows
    seen = {r["entry_id"] for r in ranked}
    for entry in entries(fetched_by=fetched_by, query=query)[:10]:
        if entry.pk not in seen and entry.visibility != Entry.Visibility.DRAFT:
            ranked.append(
                {
                    "answer": entry.answer_html,
                    "question": entry.question,
                    "confidence": None,
                    "entry_id": entry.pk,
                }
            )
            seen.add(entry.pk)
    return ranked


def entry(*, fetched_by: Principal, pk: int) -> Entry:
    """One entry (a draft only for editors)."""
    access.require(fetched_by, "knowledge.view_entry")
    found = Entry.objects.filter(pk=pk).first()
    if found is None or (found.visibility == Entry.Visibility.DRAFT and not _editor(fetched_by)):
        raise NotFound(_("Not found."))
    return found


def entry_versions(*, fetched_by: Principal, entry: Entry) -> QuerySet[EntryVersion]:
    """The entry's history, newest first, with who changed it."""
    access.require(fetched_by, "knowledge.change_entry", unit=entry.owner)
    return entry.versions.select_related("changed_by").order_by("-number")


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text)


_LABELS = {
    "kind": "Kind",
    "question": "Standard question",
    "answer_html": "Answer",
    "category": "Category",
    "visibility": "Visibility",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "risk_level": "Risk level",
    "fees": "Fees",
    "documents": "Required documents",
    "service_code": "Service code",
    "paraphrases": "Paraphrases",
}


def _as_lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [" | ".join(str(v) for v in x.values()) if isinstance(x, dict) else str(x) for x in value]
    return str(value).replace("</p>", "</p>\n").splitlines()


def version_diff(*, fetched_by: Principal, entry: Entry, old: int, new: int) -> list[FieldDiff]:
    """What changed between two versions, field by field, line by line."""
    versions = {
        v.number: v for v in entry_versions(fetched_by=fetched_by, entry=entry).filter(number__in=[old, new])
    }
    if old not in versions or new not in versions:
        raise NotFound(_("Not found."))
    a, b = versions[old].content, versions[new].content
    out = []
    for key, label in _LABELS.items():
        if a.get(key) == b.get(key):
            continue
        rows: list[tuple[str, str]] = []
        for line in difflib.ndiff(_as_lines(a.get(key)), _as_lines(b.get(key))):
            if line[:1] in (" ", "-", "+"):
                rows.append((line[:1], line[2:]))
        out.append(FieldDiff(key, _(label), rows))
    return out


def required_documents(*, fetched_by: Principal, service_code: str) -> list[str]:
    """The documents a business guide lists for a floor service (the kiosk's "required materials")."""
    access.require(fetched_by, "knowledge.view_entry")
    found = (
        Entry.objects.filter(assistant.answerable("public"), kind=Entry.Kind.GUIDE, service_code=service_code)
        .order_by("-updated_at")
        .first()
    )
    return list(found.documents) if found else []


def product_entry(*, fetched_by: Principal, name: str) -> Entry | None:
    """The newest live (staff or public) product entry whose standard question names the product."""
    access.require(fetched_by, "knowledge.view_entry")
    if not name.strip():
        return None
    return (
        Entry.objects.filter(assistant.answerable("staff"), kind=Entry.Kind.PRODUCT, question__contains=name)
        .order_by("-updated_at", "-pk")
        .first()
    )


# --- the staff queue -----------------------------------------------------------------------------------------


def queue(*, fetched_by: Principal, status: str = "open") -> QuerySet[Conversation]:
    """Handed-over conversations of the units the staff member sees, oldest waiting first."""
    access.require(fetched_by, "knowledge.view_conversation")
    qs = visible(Conversation.objects.select_related("unit", "assignee"), fetched_by)
    if status == "open":
        qs = qs.filter(status__in=[Conversation.Status.WAITING, Conversation.Status.ANSWERED])
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Conversation.Status.BOT)
    return qs.order_by("status", "handed_over_at", "pk")


def conversation(*, fetched_by: Principal, pk: int) -> Conversation:
    """One conversation of the staff member's units."""
    access.require(fetched_by, "knowledge.view_conversation")
    return get_visible(Conversation.objects.select_related("unit"), fetched_by, pk=pk)


def message(*, fetched_by: Principal, pk: int) -> Message:
    access.require(fetched_by, "knowledge.view_conversation")
    return get_visible(Message.objects.select_related("conversation__unit"), fetched_by, pk=pk)


def public_conversation(token: str) -> Conversation:
    """The customer's own thread, by the unguessable token only they hold."""
    found = Conversation.objects.filter(token=token).first() if token else None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def public_messages(conversation: Conversation, *, after: int = 0) -> list[Message]:
    return list(conversation.messages.filter(pk__gt=after).order_by("at", "pk"))


# --- unanswered questions -------------------------------------------------------------------------------------


def unanswered_groups(*, fetched_by: Principal, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Questions the assistant handed over, grouped by their normalised wording, most frequent first."""
    from fuwu.knowledge.services import knowledge_owner

    access.require(fetched_by, "knowledge.view_unansweredquestion", unit=knowledge_owner())
    qs = UnansweredQuestion.objects.all()
    if not include_resolved:
        qs = qs.filter(resolved_entry__isnull=True)
    groups = (
        qs.values("group_key")
        .annotate(n=Count("pk"), last=Max("at"), example=Max("text"), best=Max("best_entry"))
        .order_by("-n", "-last")
    )
    reasons: dict[str, set[str]] = {}
    for key, reason in qs.values_list("group_key", "reason"):
        reasons.setdefault(key, set()).add(reason)
    return [{**g, "reasons": sorted(reasons.get(g["group_key"], set()))} for g in groups[:200]]


def gap_clusters(*, fetched_by: Principal, limit: int = 50) -> list[GapCluster]:
    """The open knowledge gaps, largest first (no FAQ draft yet), each with its size and example questions."""
    from fuwu.knowledge.services import knowledge_owner

    access.require(fetched_by, "knowledge.view_unansweredquestion", unit=knowledge_owner())
    return list(GapCluster.objects.filter(draft_entry__isnull=True).order_by("-size", "pk")[:limit])


def gap_cluster(*, fetched_by: Principal, pk: int) -> GapCluster:
    from fuwu.knowledge.services import knowledge_owner

    access.require(fetched_by, "knowledge.view_unansweredquestion", unit=knowledge_owner())
    found = GapCluster.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


# --- service language ---------------------------------------------------------------------------------------


def phrases(*, fetched_by: Principal) -> QuerySet[Phrase]:
    access.require(fetched_by, "knowledge.view_languagefinding")
    return Phrase.objects.order_by("kind", "moment", "text")


def phrase(*, fetched_by: Principal, pk: int) -> Phrase:
    access.require(fetched_by, "knowledge.view_languagefinding")
    found = Phrase.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def language_findings(
    *, fetched_by: Principal, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> QuerySet[LanguageFinding]:
    """Forbidden phrases found in the staff member's units, newest first."""
    access.require(fetched_by, "knowledge.view_languagefinding")
    qs = visible(LanguageFinding.objects.select_related("phrase", "unit", "staff"), fetched_by)
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lt=end)
    return qs.order_by("-at")


def language_rates(
    *,
    fetched_by: Principal,
    by: str = "unit",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Per agent or outlet: texts checked, forbidden hits per 100 texts, share of calls missing a required phrase.

    The figures are the measure catalogue's (`forbidden_phrase_rate`, `texts_with_forbidden_rate`,
    `required_phrase_compliance` and their counts), read through `core.figures` from the daily rollups, so
    this page, the dashboards and appraisal compute them one way (#20). `start`/`end` are taken by their
    business dates (end exclusive, as before).
    """
    access.require(fetched_by, "knowledge.view_languagefinding")
    first = clock.business_date(start) if start else dt.date(1900, 1, 1)
    last = clock.business_date(end - dt.timedelta(microseconds=1)) if end else clock.today()
    ids = [
        "language_checked",
        "forbidden_phrase_hits",
        "forbidden_phrase_rate",
        "texts_with_forbidden_rate",
        "language_calls_checked",
        "required_phrase_compliance",
    ]
    cut = "" if by == "unit" else "agent"
    found = figures.keyed_figures(
        fetched_by=fetched_by, start=first, end=last, cut=cut, measure_ids=ids, per_unit=by == "unit"
    )
    if by == "unit":
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={u for u, _k in found})}
        names = {pk: (u.code, u.name) for pk, u in units.items()}
    else:
        agents = {k for _u, k in found}
        users = dict(User.objects.filter(staff_code__in=agents).values_list("staff_code", "display_name"))
        names = {k: (k, users.get(k) or k) for k in agents}
    out = []
    for (unit, key), v in found.items():
        checked = int(v["language_checked"] or 0)
        if not checked:
            continue
        code, name = names[unit if by == "unit" else key]
        compliance = v["required_phrase_compliance"]
        with_hit = v["texts_with_forbidden_rate"]
        out.append(
            {
                "key": code,
                "name": name,
                "checked": checked,
                "hits": int(v["forbidden_phrase_hits"] or 0),
                "hit_rate": round(v["forbidden_phrase_rate"] or 0, 2),
                "texts_with_hit": None if with_hit is None else round(with_hit / 100, 4),
                "calls": int(v["language_calls_checked"] or 0),
                "required_compliance": None if compliance is None else round(compliance / 100, 4),
            }
        )
    return sorted(out, key=lambda r: r["key"])
