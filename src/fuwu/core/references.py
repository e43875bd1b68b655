"""Links between records of apps that may not import each other (a course's material → a knowledge product).

The referring app stores the other record's kind and id; whoever shows the link asks here, and the app that
owns the record answers through its `references.py` hook module (found at run time, like core.defects):

    RESOLVERS = {"knowledge.entry": resolve_entries}   # (fetched_by, ids) -> {id: RecordRef}, current version
    FINDERS = {"knowledge.entry": find_entry}           # (fetched_by, title) -> RecordRef | None (demo, import)
    def referring(*, fetched_by, kind, pk) -> list[RecordRef]   # this app's records that link to (kind, pk)

A record the reader may not see is simply absent from the answer: a link never leaks what it points to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fuwu.core.discovery import app_modules

if TYPE_CHECKING:
    from fuwu.core.principals import Principal

KNOWLEDGE_ENTRY = "knowledge.entry"


@dataclass(frozen=True)
class RecordRef:
    """Another app's record as a link shows it: its current title and version, where to open it."""

    kind: str
    id: int
    title: str
    url: str
    version: int | None = None
    detail: str = ""  # a short line in the reader's language (kind, risk level, …)
    updated_at: Any = None


def _hooks() -> list[Any]:
    # This module has the hook's own name; it is the switchboard, not an answering app.
    return [module for _app, module in app_modules("references", exclude=("fuwu.core",))]


def resolve(*, fetched_by: Principal, kind: str, ids: Iterable[int]) -> dict[int, RecordRef]:
    """The records of `kind` with these ids that `fetched_by` may see, as they are now."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    for module in _hooks():
        resolver = getattr(module, "RESOLVERS", {}).get(kind)
        if resolver is not None:
            found: dict[int, RecordRef] = resolver(fetched_by, wanted)
            return found
    return {}


def find(*, fetched_by: Principal, kind: str, title: str) -> RecordRef | None:
    """The record of `kind` titled exactly `title` (for imports and the demo, which know records by name)."""
    for module in _hooks():
        finder = getattr(module, "FINDERS", {}).get(kind)
        if finder is not None:
            found: RecordRef | None = finder(fetched_by, title)
            return found
    return None


def referring(*, fetched_by: Principal, kind: str, pk: int) -> list[RecordRef]:
    """Every app's records that link to (kind, pk), as `fetched_by` may see them."""
    found: list[RecordRef] = []
    for module in _hooks():
        hook = getattr(module, "referring", None)
        if hook is not None:
            found.extend(hook(fetched_by=fetched_by, kind=kind, pk=pk))
    return found
