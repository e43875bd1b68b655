"""Each role's home page opens on its work: apps contribute worklist panels through a `home.py` hook (#19).

An app's `home.py` defines `panels(principal) -> list[Panel]` and returns only what that principal's work
needs (a complaint handler's cases by nearest deadline, an outlet head's follow-ups due today and overdue
rectifications, a teller's day). It reads through its own selectors, so scoping and need-to-know hold; a
panel for work the principal has no right to is simply not returned.

When an app's hook refuses anyway, `panels_for` tells the two kinds of refusal apart. An access refusal (no
right, a unit the principal may not see) means the work is not theirs: the app contributes nothing, as if it
had returned no panel. Any other domain error (a conflict, an invalid setting) means their work could not be
read: hiding it would let an outlet head believe nothing waits, so a panel under the app's name says it cannot
be shown now, and the error is logged (app and error code only: no message, no principal, so no PII).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from fuwu.core.discovery import app_modules
from fuwu.core.errors import DomainError, Forbidden, NotFound, Unauthenticated
from fuwu.core.nav import section_title
from fuwu.core.principals import Principal

logger = logging.getLogger(__name__)


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


# Refusals that mean "not your work": the app's panels are left out.
ACCESS_REFUSALS = (Forbidden, NotFound, Unauthenticated)
UNAVAILABLE = gettext_lazy("This cannot be shown right now. Please try again later.")


def panels_for(principal: Principal) -> list[Panel]:
    """Every app's panels for `principal`, in panel order. An app that refuses access contributes none; one
    whose work cannot be read (any other domain error) shows a panel saying so, and the error is logged."""
    found: list[Panel] = []
    for app, module in app_modules("home"):
        make: Any = getattr(module, "panels", None)
        if make is None:
            continue
        try:
            found.extend(make(principal))
        except ACCESS_REFUSALS:
            continue
        except DomainError as exc:
            logger.warning("home panels of %s not shown: %s (%s)", app, type(exc).__name__, exc.code)
            found.append(Panel(title=section_title(app), empty=UNAVAILABLE))
    return sorted(found, key=lambda p: p.order)
