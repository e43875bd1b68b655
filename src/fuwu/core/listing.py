"""Every staff list pages, counts, sorts and filters the same way (#19).

A view passes the already scoped queryset from its app's selector and a `ListSpec` saying which fields the
list may be sorted and filtered by; `listing()` reads the request through one schema, `ListQueryIn` (q,
state, unit, since, until, mine, sort, page; a bad value is a translated 422), and returns the page with
its total and the filter form's values. An API endpoint takes the same schema as `Query[…]` and passes it
in, so a list's page and its API answer to the same query. It only ever narrows what the selector
returned, so scoping and need-to-know stay with the selector. The audit trail pages the same way
(Paginator + core/partials/pager.html).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Field, Schema

from fuwu.core.access import home_unit
from fuwu.core.errors import ValidationFailed
from fuwu.core.inputs import parse
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible_units

M = TypeVar("M", bound=Model)

PAGE_SIZE = 50
MAX_TEXT = 100


class ListQueryIn(Schema):
    """The query every paged list answers to, on its page and in its API (`Query[ListQueryIn]`)."""

    q: str = Field(default="", max_length=MAX_TEXT)
    state: str = Field(default="", max_length=32)
    unit: str = Field(default="", max_length=32)
    since: dt.date | None = None
    until: dt.date | None = None
    mine: bool = False
    sort: str = Field(default="", max_length=32)
    page: int = Field(default=1, ge=1)


_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9998, 12, 30)


@dataclass(frozen=True)
class Sort:
    key: str  # the value in ?sort=
    label: Promise | str
    order_by: tuple[str | OrderBy, ...]


@dataclass(frozen=True)
class ListSpec:
    sorts: tuple[Sort, ...]  # the first is the default: newest or most urgent first
    text: tuple[str, ...] = ()  # fields searched by ?q= (contains, case-insensitive)
    search: bool = (
        False  # the selector itself searches ?q= (e.g. an exact customer number): only show the box
    )
    # The selector applies the whole query itself (a union of two tables cannot be filtered afterwards):
    # listing only checks, sorts, counts and pages; the form shows what the fields below name.
    narrowed_by_selector: bool = False
    state_field: str = ""  # ?state= filters this field by one of `states`
    states: Sequence[tuple[str, Any]] = ()
    state_label: Promise | str = ""  # the filter's name when the field is not a status (a kind, a source)
    # Count the rows of each state (the other filters applied): shown as links; the page's total comes from them.
    state_counts: bool = False
    unit_field: str = ""  # the OrgUnit foreign key: ?unit=CODE keeps that unit and everything below it
    date_field: str = ""  # ?since= / ?until= (business dates, inclusive) on this date or datetime field
    mine: tuple[str, ...] = ()  # ?mine=1 keeps rows where any of these user fields is the reader
    per_page: int = PAGE_SIZE


@dataclass(frozen=True)
class Select:
    """A list's own extra filter (e.g. an inspection's kind), applied by its selector, shown in the same form."""

    name: str
    label: Promise | str
    choices: Sequence[tuple[str, Any]]
    value: str = ""


@dataclass(frozen=True)
class StateCount:
    value: str
    label: Promise | str
    count: int
    query: str  # the list's query string narrowed to this state


@dataclass
class Listing:
    page: Page[Any]
    spec: ListSpec
    values: dict[str, str]  # the filters as asked, for the form
    filters: str  # the query string without the page, for the pager links
    units: list[OrgUnit] = field(default_factory=list)
    selects: list[Select] = field(default_factory=list)
    counts: list[StateCount] = field(default_factory=list)

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)

    @property
    def total(self) -> int:
        return int(self.page.paginator.count)

    def context(self) -> dict[str, Any]:
        """What core/partials/list_filters.html and pager.html read."""
        return {"page": self.page, "rows": self.rows, "filters": self.filters, "listing": self}


def listing(
    request: HttpRequest,
    rows: QuerySet[M],
    spec: ListSpec,
    *,
    principal: Principal,
    selects: Sequence[Select] = (),
    query: ListQueryIn | None = None,
) -> Listing:
    """One page of `rows` narrowed and ordered by the query (read from the request unless given), with the total."""
    get = request.GET
    query = query if query is not None else parse(ListQueryIn, request.GET)
    sort = _sort(spec, query.sort)
    if query.state and query.state not in {str(v) for v, _label in spec.states}:
        raise _invalid("state", _("Choose one of the listed states."))
    asked = [Select(s.name, s.label, s.choices, (get.get(s.name) or "")[:MAX_TEXT]) for s in selects]
    for chosen in asked:
        if chosen.value and chosen.value not in {str(v) for v, _label in chosen.choices}:
            raise _invalid(chosen.name, _("Choose one of the offered values."))
    keep = get.copy()
    keep.pop("page", None)
    counts: list[StateCount] = []
    total: int | None = None
    if spec.state_counts:
        # One GROUP BY gives each state's count and so the total: the pager needs no COUNT of its own.
        every = _narrow(rows, spec, query.model_copy(update={"state": ""}), principal)
        tally = dict(every.order_by().values_list(spec.state_field).annotate(n=Count("pk")))
        for value, label in spec.states:
            link = keep.copy()
            link["state"] = str(value)
            counts.append(StateCount(str(value), label, int(tally.get(value, 0)), link.urlencode()))
        total = int(tally.get(query.state, 0)) if query.state else sum(tally.values())
    paginator = Paginator(
        _narrow(rows, spec, query, principal).order_by(*sort.order_by, "-pk"), spec.per_page
    )
    if total is not None:
        paginator.__dict__["count"] = total  # Paginator.count is a cached_property: set, it is not asked
    values = {
        "q": query.q.strip(),
        "state": query.state,
        "unit": query.unit,
        "since": query.since.isoformat() if query.since else "",
        "until": query.until.isoformat() if query.until else "",
        "sort": sort.key,
        "mine": "1" if query.mine else "",
    }
    return Listing(
        page=paginator.get_page(query.page),
        spec=spec,
        values=values,
        filters=keep.urlencode(),
        units=_unit_choices(principal) if spec.unit_field else [],
        selects=asked,
        counts=counts,
    )


def _sort(spec: ListSpec, key: str) -> Sort:
    if not key:
        return spec.sorts[0]
    found = next((s for s in spec.sorts if s.key == key), None)
    if found is None:
        raise _invalid("sort", _("Choose one of the offered values."))
    return found


def _narrow(rows: QuerySet[M], spec: ListSpec, query: ListQueryIn, principal: Principal) -> QuerySet[M]:
    if spec.narrowed_by_selector:
        return rows
    text = query.q.strip()
    if spec.text and text:
        match = Q()
        for name in spec.text:
            match |= Q(**{f"{name}__icontains": text})
        rows = rows.filter(match)
    if spec.state_field and query.state:
        rows = rows.filter(**{spec.state_field: query.state})
    if spec.unit_field and query.unit:
        unit = OrgUnit.objects.filter(code=query.unit).first()
        rows = rows.filter(**{f"{spec.unit_field}__path__startswith": unit.path}) if unit else rows.none()
    if spec.date_field:
        # Clamped to dates a time zone can shift and a day can follow: no bank record lies outside them,
        # and `until=9999-12-31` must narrow nothing rather than overflow.
        if query.since is not None:
            since = max(query.since, _EARLIEST)
            rows = rows.filter(**{f"{spec.date_field}__gte": _bound(rows, spec.date_field, since)})
        if query.until is not None:
            day_after = min(query.until, _LATEST) + dt.timedelta(days=1)
            rows = rows.filter(**{f"{spec.date_field}__lt": _bound(rows, spec.date_field, day_after)})
    if spec.mine and query.mine:
        if not isinstance(principal, User):
            return rows.none()
        match = Q()
        for name in spec.mine:
            match |= Q(**{name: principal})
        rows = rows.filter(match)
    return rows


def _bound(rows: QuerySet[Any], name: str, day: dt.date) -> dt.date | dt.datetime:
    """The start of a business day, as the field compares it (a date, or midnight in the active time zone)."""
    model: Any = rows.model
    for part in name.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    if model._meta.get_field(name.split("__")[-1]).get_internal_type() == "DateTimeField":
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return day


def _unit_choices(principal: Principal) -> list[OrgUnit]:
    """The units the reader may narrow to: their own and everything below it (none when there is only one)."""
    units = list(visible_units(principal).exclude(kind=OrgUnit.Kind.DEPARTMENT).order_by("path"))
    own = home_unit(principal)
    return units if len(units) > 1 or own is None else []


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": name, "reason": message}])
