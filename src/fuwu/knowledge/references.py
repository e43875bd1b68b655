"""Knowledge entries as other apps link to them (core.references): a course's material names a product entry
and shows its current version; the entry page lists what links to it."""

from __future__ import annotations

from django.urls import reverse

from fuwu.core import access
from fuwu.core.principals import Principal
from fuwu.core.references import KNOWLEDGE_ENTRY, RecordRef
from fuwu.knowledge import selectors


def resolve_entries(fetched_by: Principal, ids: list[int]) -> dict[int, RecordRef]:
    """The current version of each entry the reader may open (drafts only for editors)."""
    if not access.has(fetched_by, "knowledge.view_entry"):
        return {}
    found = selectors.entries(fetched_by=fetched_by).filter(pk__in=ids)
    return {
        e.pk: RecordRef(
            kind=KNOWLEDGE_ENTRY,
            id=e.pk,
            title=e.question,
            url=reverse("knowledge:entry", args=[e.pk]),
            version=e.version,
            detail=" · ".join(
                str(part)
                for part in (e.get_kind_display(), e.get_risk_level_display() if e.risk_level else "")
                if part
            ),
            updated_at=e.updated_at,
        )
        for e in found
    }


def find_entry(fetched_by: Principal, title: str) -> RecordRef | None:
    """The visible entry whose standard question is `title`."""
    if not access.has(fetched_by, "knowledge.view_entry"):
        return None
    pk = selectors.entries(fetched_by=fetched_by).filter(question=title).values_list("pk", flat=True).first()
    return None if pk is None else resolve_entries(fetched_by, [pk]).get(pk)


RESOLVERS = {KNOWLEDGE_ENTRY: resolve_entries}
FINDERS = {KNOWLEDGE_ENTRY: find_entry}
