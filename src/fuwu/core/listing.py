"""Every staff list pages, counts, sorts and filters the same way (#19).

A view passes the already scoped queryset from its app's selector and a `ListSpec` saying which fields the
list may be sorted and filtered by; `listing()` reads the request (q, state, unit, since, until, mine,
sort, page) and returns the page with its total and the filter form's values. It only ever narrows what
the selector returned, so scoping and need-to-know stay with the selector. The complaint list and the audit
trail page the same way (Paginator + core/partials/pager.html).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fuwu.core.access import home_unit
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible_units

M = TypeVar("M", bound=Model)

PAGE_SIZE = 50
MAX_TEXT = 100


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
    state_field: str = ""  # ?state= filters this field by one of `states`
    states: Sequence[tuple[str, Any]] = ()
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


@dataclass
class Listing:
    page: Page[Any]
    spec: ListSpec
    values: dict[str, str]  # the filters as asked, for the form
    filters: str  # the query string without the page, for the pager links
    units: list[OrgUnit] = field(default_factory=list)
    selects: list[Select] = field(default_factory=list)

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
) -> Listing:
    """One page of `rows` narrowed and ordered by the request, with the total count."""
    get = request.GET
    values = {
        k: (get.get(k) or "").strip()[:MAX_TEXT] for k in ("q", "state", "unit", "since", "until", "sort")
    }
    values["mine"] = "1" if get.get("mine") == "1" else ""
    rows = _narrow(rows, spec, values, principal)
    sort = next((s for s in spec.sorts if s.key == values["sort"]), spec.sorts[0])
    values["sort"] = sort.key
    page = Paginator(rows.order_by(*sort.order_by, "-pk"), spec.per_page).get_page(get.get("page"))
    keep = get.copy()
    keep.pop("page", None)
    units = _unit_choices(principal) if spec.unit_field else []
    asked = [Select(s.name, s.label, s.choices, (get.get(s.name) or "")[:MAX_TEXT]) for s in selects]
    return Listing(page=page, spec=spec, values=values, filters=keep.urlencode(), units=units, selects=asked)


def _narrow(rows: QuerySet[M], spec: ListSpec, values: dict[str, str], principal: Principal) -> QuerySet[M]:
    if spec.text and values["q"]:
        match = Q()
        for name in spec.text:
            match |= Q(**{f"{name}__icontains": values["q"]})
        rows = rows.filter(match)
    if spec.state_field and values["state"]:
        known = {str(v) for v, _label in spec.states}
        if values["state"] not in known:
            raise _invalid("state", _("Choose one of the listed states."))
        rows = rows.filter(**{spec.state_field: values["state"]})
    if spec.unit_field and values["unit"]:
        unit = OrgUnit.objects.filter(code=values["unit"]).first()
        rows = rows.filter(**{f"{spec.unit_field}__path__startswith": unit.path}) if unit else rows.none()
    if spec.date_field:
        is_datetime = _is_datetime(rows, spec.date_field)
        for key, lookup in (("since", "gte"), ("until", "lt")):
            day = _date(values[key], key)
            if day is None:
                continue
            if lookup == "lt":
                day += dt.timedelta(days=1)
            bound: dt.date | dt.datetime = day
            if is_datetime:
                bound = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            rows = rows.filter(**{f"{spec.date_field}__{lookup}": bound})
    if spec.mine and values["mine"]:
        if not isinstance(principal, User):
            return rows.none()
        match = Q()
        for name in spec.mine:
            match |= Q(**{name: principal})
        rows = rows.filter(match)
    return rows


def _unit_choices(principal: Principal) -> list[OrgUnit]:
    """The units the reader may narrow to: their own and everything below it (none when there is only one)."""
    units = list(visible_units(principal).exclude(kind=OrgUnit.Kind.DEPARTMENT).order_by("path"))
    own = home_unit(principal)
    return units if len(units) > 1 or own is None else []


def _is_datetime(rows: QuerySet[Any], name: str) -> bool:
    model: Any = rows.model
    for part in name.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(name.split("__")[-1]).get_internal_type() == "DateTimeField"


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _invalid(name, _("Enter a date as YYYY-MM-DD.")) from exc


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": name, "reason": message}])
