"""How an app offers its facts to the measures app without the measures app importing it.

An app's `fact_tables.py` hook module declares `TABLES = {name: FactTable(...)}`; the measures app finds
every app's tables through `core.discovery` (`fact_table(name)`) and reads the rows in the columnar schema it
declares for that name. The app that owns the facts decides how they are stored; the measures app decides
what they mean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fuwu.core.models import OrgUnit

Rows = Callable[[dt.date, dt.date, "Iterable[OrgUnit] | None"], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class FactTable:
    # rows(start, end, units): the facts of business dates start..end (of `units`, or all)
    rows: Rows
    # touched_since(moment): (unit id, business date) of every fact written or changed since `moment`
    touched_since: Callable[[dt.datetime], set[tuple[int, dt.date]]]
    # span(): the business dates of the first and last fact (empty without facts)
    span: Callable[[], list[dt.date]]
    # labels[cut](): key → label for the rollup cuts this table feeds (a call line's name)
    labels: Mapping[str, Callable[[], dict[str, str]]] = field(default_factory=dict)


def fact_tables() -> dict[str, FactTable]:
    """Every app's declared fact tables, by name."""
    from fuwu.core.discovery import registry

    return {name: table for name, table in registry("fact_tables", "TABLES").items()}


def fact_table(name: str) -> FactTable | None:
    return fact_tables().get(name)
