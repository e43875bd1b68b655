"""One customer's history across the apps (P1), gathered through each app's `customer_360.py` hook.

The customers app sits below floor, feedback and complaints in the layering, so it cannot read their tables.
Each of those apps offers its side of a customer's history in a `customer_360.py` hook module found through
`core.discovery` (the same pattern as `home.py` worklists and `fact_tables.py`):

- `KINDS: dict[str, label]` — the kinds of entry it contributes ("visit", "complaint", …);
- `entries(customer, *, fetched_by, kinds, cursor, limit) -> list[Entry]` — its newest entries of those
  kinds strictly after `cursor` in timeline order, at most `limit`; each read is one indexed query per kind;
- `count(customer, *, fetched_by, kinds) -> int`;
- optionally `serving(principal) -> set[int]` — the customers `principal` is serving right now (the floor),
  and `selling_blocks(customer) -> list[str]` — why nothing may be sold to the customer now (P3).

A hook shows only what `fetched_by` may see of its app (a kind whose view permission the principal lacks
contributes nothing). The timeline merges the hooks' pages: newest first, ties broken by kind and id so a
page boundary never drops or repeats an entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.functional import Promise

from fuwu.core.discovery import app_modules
from fuwu.core.principals import Principal

if TYPE_CHECKING:
    from fuwu.customers.models import Customer


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the timeline: (time, kind, id); the timeline is ordered by it, descending."""

    at: dt.datetime
    kind: str
    pk: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}|{self.kind}|{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor | None:
        try:
            at, kind, pk = raw.split("|")
            return cls(dt.datetime.fromisoformat(at), kind, int(pk))
        except ValueError:
            return None


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str
    pk: int
    title: str
    detail: str = ""
    url: str = ""
    urgent: bool = False  # shown in the warning colour (a wait past target, an overdue complaint)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.kind, self.pk)


def after(cursor: Cursor | None, kind: str, field: str) -> Q:
    """Rows of `kind` that come after `cursor` in timeline order (older, or as old with a smaller key)."""
    if cursor is None:
        return Q()
    older = Q(**{f"{field}__lt": cursor.at})
    if kind < cursor.kind:
        return older | Q(**{field: cursor.at})
    if kind == cursor.kind:
        return older | Q(**{field: cursor.at, "pk__lt": cursor.pk})
    return older


def hooks() -> list[ModuleType]:
    return [module for _app, module in app_modules("customer_360")]


def kinds() -> dict[str, Promise | str]:
    """Every kind of timeline entry any app contributes, with its label (for the filter)."""
    found: dict[str, Promise | str] = {}
    for module in hooks():
        found.update(getattr(module, "KINDS", {}))
    return found


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    total: int
    next_cursor: str  # "" on the last page


def page(
    customer: Customer,
    *,
    fetched_by: Principal,
    only: frozenset[str] | None = None,
    cursor: Cursor | None = None,
    limit: int = 20,
) -> Page:
    """One page of the customer's merged timeline, newest first, and how many entries it has in all."""
    wanted = frozenset(kinds()) if only is None else only
    merged: list[Entry] = []
    total = 0
    for module in hooks():
        mine = wanted & frozenset(getattr(module, "KINDS", {}))
        if not mine:
            continue
        merged.extend(
            module.entries(customer, fetched_by=fetched_by, kinds=mine, cursor=cursor, limit=limit + 1)
        )
        total += module.count(customer, fetched_by=fetched_by, kinds=mine)
    merged.sort(key=lambda e: e.cursor, reverse=True)
    shown = merged[:limit]
    more = len(merged) > limit
    return Page(shown, total, shown[-1].cursor.encode() if more and shown else "")


def serving(principal: Principal) -> set[int]:
    """The customers `principal` is serving now, by any app's account (the floor's called/serving ticket)."""
    found: set[int] = set()
    for module in hooks():
        fn: Any = getattr(module, "serving", None)
        if fn is not None:
            found |= fn(principal)
    return found


def selling_blocks(customer: Customer) -> list[str]:
    """Why nothing may be suggested to this customer now (an open complaint, a wait past target)."""
    found: list[str] = []
    for module in hooks():
        fn: Any = getattr(module, "selling_blocks", None)
        if fn is not None:
            found.extend(fn(customer))
    return found
