"""Each role's home page opens on its work: apps contribute worklist panels through a `home.py` hook (#19).

An app's `home.py` defines `panels(principal) -> list[Panel]` and returns only what that principal's work
needs (a complaint handler's cases by nearest deadline, an outlet head's follow-ups due today and overdue
rectifications, a teller's day). It reads through its own selectors, so scoping and need-to-know hold; a
panel for work the principal has no right to is simply not returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from fuwu.core.discovery import app_modules
from fuwu.core.errors import DomainError
from fuwu.core.principals import Principal


@dataclass(frozen=True)
class Row:
    label: str
    detail: str = ""
    url: str = ""
    urgent: bool = False  # shown in the warning colour: overdue, breached, waiting too long


@dataclass(frozen=True)
class Count:
    label: Promise | str
    value: int | float | str
    url: str = ""
    unit: Promise | str = ""


@dataclass(frozen=True)
class Panel:
    title: Promise | str
    rows: list[Row] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    total: int | None = None  # all rows behind the panel, when more exist than are shown
    more_url: str = ""
    more_label: Promise | str = ""  # the link's words when it leads to a console rather than a list
    empty: Promise | str = ""  # what to say when there is nothing to do
    order: int = 100


def panels_for(principal: Principal) -> list[Panel]:
    """Every app's panels for `principal`, in panel order; an app that refuses (no right) contributes none."""
    found: list[Panel] = []
    for _app, module in app_modules("home"):
        make: Any = getattr(module, "panels", None)
        if make is None:
            continue
        try:
            found.extend(make(principal))
        except DomainError:
            continue
    return sorted(found, key=lambda p: p.order)
