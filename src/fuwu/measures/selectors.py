"""Reads of the measures app: figures from the daily rollups, cut by org level, child unit, period or key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import has, require
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.facts import fact_table
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.scoping import get_visible, visible
from fuwu.measures import catalogue
from fuwu.measures.facts import NONE_KEY
from fuwu.measures.models import Cut, Rollup, Target

VIEW_ROLLUP = "measures.view_rollup"
VIEW_TARGET = "measures.view_target"
# Reading one staff member's figures (the "staff" cut) other than one's own.
VIEW_STAFF = "measures.view_staff_figures"
TRUNC = ("day", "week", "month", "quarter", "year")
GROUP_FIELDS = {"date", "unit_id", "key"}  # what `parts_by` may group the rollups by
LEVELS = {"outlet": "outlet", "tier2": "tier2", "tier1": "tier1", "bank": "head_office"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str
    grain: str  # the trend's step inside this period

    def previous(self) -> Period:
        return parse_period(shift_label(self.label, -1))

    def running(self, today: dt.date) -> bool:
        """Whether the period has begun and not yet ended: its figures so far cover only some of its days."""
        return self.start <= today < self.end

    def comparable(self, today: dt.date) -> tuple[Period, Period]:
        """(this period so far, the same days of the previous period) — like with like (#19).

        A month on its 5th day is compared with the 1st–5th of the month before, not with that whole
        month; a period that has ended (or not begun) is compared whole with the whole previous one.
        """
        before = self.previous()
        if not self.running(today):
            return self, before
        days = (today - self.start).days
        so_far = Period(self.start, today, self.label, self.grain)
        return so_far, Period(
            before.start, min(before.start + dt.timedelta(days=days), before.end), before.label, before.grain
        )


# The periods the API takes (#18), as a pattern its schema can state: what `parse_period` reads, with real
# calendar dates (no 2026-02-30; 29 February in leap years only) in the years 1900–2099, so that every
# value the pattern allows is read. That a range's end is not before its start no pattern can say.
_YEAR = r"(?:19|20)[0-9]{2}"
_LEAP = r"(?:(?:19|20)(?:0[48]|[2468][048]|[13579][26])|2000)"
_DATE = (
    rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    rf"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP}-02-29)"
)
PERIOD_PATTERN = rf"^\s*(?:{_DATE}(?:\.\.{_DATE})?|{_YEAR}-(?:0[1-9]|1[0-2])|{_YEAR}-[Qq][1-4]|{_YEAR})\s*$"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """'2026-10' (month), '2026-Q4', '2026', '2026-10-05' (day) or 'YYYY-MM-DD..YYYY-MM-DD'."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})", text):
            start = dt.date(int(m[1]), int(m[2]), int(m[3]))
            end = dt.date(int(m[4]), int(m[5]), int(m[6]))
            if end < start:
                raise ValueError
            days = (end - start).days
            return Period(start, end, text, "day" if days <= 62 else "week" if days <= 200 else "month")
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return Period(day, day, text, "day")
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            return Period(dt.date(year, month, 1), _month_end(year, month), text, "day")
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.IGNORECASE):
            year, quarter = int(m[1]), int(m[2])
            return Period(
                dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), f"{year}-Q{quarter}", "week"
            )
        if m := re.fullmatch(r"(\d{4})", text):
            year = int(m[1])
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), text, "month")
    except ValueError:
        pass
    raise ValidationFailed(
        _("Unknown period."),
        details=[
            {
                "field": "period",
                "reason": _("Cannot read “%(text)s”; use 2026-10, 2026-Q4, 2026, 2026-10-05 or a..b.")
                % {"text": text},
            }
        ],
    )


def shift_label(label: str, step: int) -> str:
    period = parse_period(label)
    if re.fullmatch(r"\d{4}-\d{2}", label):
        index = period.start.year * 12 + period.start.month - 1 + step
        return f"{index // 12}-{index % 12 + 1:02d}"
    if "Q" in label:
        index = period.start.year * 4 + (period.start.month - 1) // 3 + step
        return f"{index // 4}-Q{index % 4 + 1}"
    if re.fullmatch(r"\d{4}", label):
        return str(period.start.year + step)
    days = (period.end - period.start).days + 1
    start = period.start + dt.timedelta(days=days * step)
    end = period.end + dt.timedelta(days=days * step)
    return start.isoformat() if days == 1 else f"{start.isoformat()}..{end.isoformat()}"


def current_month() -> str:
    today = clock.today()
    return f"{today.year}-{today.month:02d}"


def visible_unit(unit_id: int | str | None, *, fetched_by: Principal) -> OrgUnit:
    """The unit to show: the one asked for if the principal may see it, else (no id) the principal's own."""
    require(fetched_by, VIEW_ROLLUP)
    if unit_id in (None, ""):
        home: OrgUnit | None = getattr(fetched_by, "org_unit", None)
        if home is None:
            raise NotFound()
        return home
    found: OrgUnit = get_visible(OrgUnit.objects.all(), fetched_by, pk=unit_id)
    return found


def _rollups(
    unit: OrgUnit | None, start: dt.date, end: dt.date, cut: str, key: str | None, *, fetched_by: Principal
) -> QuerySet[Rollup]:
    """The rollups of `unit` and below (`None`: of every unit the principal sees).

    The read permission is checked here, under every figure: dashboards for `measures.view_rollup`, and the
    "staff" cut — one person's figures — for `measures.view_staff_figures` unless it is the reader's own.
    """
    require(fetched_by, VIEW_ROLLUP)
    if cut == Cut.STAFF and not _own_key(fetched_by, key):
        require(fetched_by, VIEW_STAFF, unit=unit)
    qs = visible(Rollup.objects.all(), fetched_by).filter(cut=cut, date__range=(start, end))
    if unit is not None:
        # The units as a subquery (not a join on the path), so the database seeks (cut, unit, date) per unit.
        qs = qs.filter(unit__in=OrgUnit.objects.filter(path__startswith=unit.path).values("pk"))
    return qs.filter(key=key) if key is not None else qs


def _summed(qs: QuerySet[Rollup], fields: Sequence[str], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """(group fields…, sums of `names`…) per group of `fields`, summed by the database, in group order.

    The rows to sum are Django's own query (scoping and filters exactly as compiled by the ORM); only the
    SUM … GROUP BY around it is written here. Built with ~65 `Sum()` expressions, the ORM spends several
    times longer preparing an aggregate than the database takes to run it (K3 render time).
    """
    # Identifiers go into the SQL text: only our own column names, never anything a caller passed through.
    unknown = (set(fields) - GROUP_FIELDS) | (set(names) - set(catalogue.PARTS))
    if unknown:
        raise ValueError(f"not a rollup group or part: {sorted(unknown)}")
    try:
        sql, params = qs.values_list(*fields, *names).order_by().query.sql_with_params()
    except EmptyResultSet:
        # Scoping left nothing to read (`visible()` gave `.none()`): what the ORM's aggregate would answer.
        return [] if fields else [(None,) * len(names)]
    quote = connection.ops.quote_name
    group = ", ".join(quote(f) for f in fields)
    sums = ", ".join(f"SUM({quote(n)})" for n in names)
    query = f"SELECT {group + ', ' if fields else ''}{sums} FROM ({sql}) AS rows"
    if fields:
        query += f" GROUP BY {group} ORDER BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


def _as_date(value: Any) -> dt.date:
    # A grouped date column can come back as ISO text from SQLite's raw cursor.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parts_by(
    unit: OrgUnit | None,
    start: dt.date,
    end: dt.date,
    *,
    fetched_by: Principal,
    by: Sequence[str] = (),
    cut: str = Cut.TOTAL,
    key: str | None = None,
    parts: Sequence[str] | None = None,
) -> dict[tuple[Any, ...], dict[str, float]]:
    """Summed parts per group; `by` holds 'unit' (the rollup's own unit), 'key' and/or a time grain.

    `parts` limits the columns summed (e.g. `catalogue.parts_read` of the measures shown); the groups then
    carry only those parts, enough for exactly those measures.
    """
    names = catalogue.PARTS if parts is None else tuple(parts)
    qs = _rollups(unit, start, end, cut, key, fetched_by=fetched_by)
    fields = []
    grain = None
    for item in by:
        if item in TRUNC:
            # Group by day in SQL and fold days into the grain here: SQLite truncates dates in Python per row.
            grain = item
            fields.append("date")
        elif item == "unit":
            fields.append("unit_id")
        elif item == "key":
            fields.append("key")
        else:
            raise ValueError(item)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    rows = _summed(qs, fields, names)
    stock = [n for n in names if n in catalogue.STOCK_PARTS]
    if stock:
        balances = _balances(unit, start, end, cut, key, fields, grain, stock, fetched_by=fetched_by)
    if not fields:
        whole: dict[str, float] = {name: value or 0 for name, value in zip(names, rows[0], strict=True)}
        return {(): {**whole, **balances.get((), dict.fromkeys(stock, 0))} if stock else whole}
    fold = TRUNC_PY[grain or "day"]
    for row in rows:
        # The group fields first, then the sums in `names` order.
        head = row[: len(fields)]
        group = tuple(fold(_as_date(v)) if f == "date" else v for f, v in zip(fields, head, strict=True))
        sums = row[len(fields) :]
        found = out.get(group)
        if found is None:
            out[group] = {name: value or 0 for name, value in zip(names, sums, strict=True)}
        else:
            for name, value in zip(names, sums, strict=True):
                found[name] += value or 0
    if stock:
        for group, values in out.items():
            values.update(balances.get(group, dict.fromkeys(stock, 0)))
        for group, values in balances.items():
            out.setdefault(group, {**dict.fromkeys(names, 0), **values})
    return out


EPOCH = dt.date(1900, 1, 1)


def _balances(
    unit: OrgUnit | None,
    start: dt.date,
    end: dt.date,
    cut: str,
    key: str | None,
    fields: Sequence[str],
    grain: str | None,
    names: Sequence[str],
    *,
    fetched_by: Principal,
) -> dict[tuple[Any, ...], dict[str, float]]:
    """The stock parts' balances per group: every change up to the end of the group's step, never past today.

    A balance (open tasks) is the sum of its signed changes since the first rollup; a step ending after
    today reads today's balance, so a period still running shows where things stand now, not a forecast.
    """
    as_of = min(end, clock.today())
    keys = [f for f in fields if f != "date"]
    if grain is None:
        # One read: every change up to the period's end (or today), per group of the other keys.
        found = _summed(_rollups(unit, EPOCH, as_of, cut, key, fetched_by=fetched_by), keys, names)
        return {
            tuple(row[: len(keys)]): {n: v or 0 for n, v in zip(names, row[len(keys) :], strict=True)}
            for row in found
        }
    before = start - dt.timedelta(days=1)
    opening_rows = _summed(_rollups(unit, EPOCH, before, cut, key, fetched_by=fetched_by), keys, names)
    opening: dict[tuple[Any, ...], list[float]] = {
        tuple(row[: len(keys)]): [v or 0 for v in row[len(keys) :]] for row in opening_rows
    }
    # Per day, folded into the steps by a running sum per group of the other keys.
    changes: dict[tuple[Any, ...], dict[dt.date, list[float]]] = {}
    for row in _summed(_rollups(unit, start, as_of, cut, key, fetched_by=fetched_by), [*keys, "date"], names):
        day = _as_date(row[len(keys)])
        per_day = changes.setdefault(tuple(row[: len(keys)]), {})
        per_day[day] = [v or 0 for v in row[len(keys) + 1 :]]
    fold, step = TRUNC_PY[grain or "day"], NEXT_PY[grain or "day"]
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for group in set(opening) | set(changes) or {()}:
        if keys and group == ():
            continue
        running = list(opening.get(group, [0.0] * len(names)))
        days = sorted(changes.get(group, {}).items())
        at = fold(start)
        while at <= end:
            step_end = min(step(at) - dt.timedelta(days=1), end)
            while days and days[0][0] <= step_end:
                for i, value in enumerate(days.pop(0)[1]):
                    running[i] += value
            values = dict(zip(names, running, strict=True))
            out[_group_key(fields, group, at)] = values
            at = step(at)
    return out


def _group_key(fields: Sequence[str], others: tuple[Any, ...], day: dt.date) -> tuple[Any, ...]:
    """The group tuple in `fields` order, with the folded date where "date" stands."""
    rest = iter(others)
    return tuple(day if f == "date" else next(rest) for f in fields)


def total(
    unit: OrgUnit,
    start: dt.date,
    end: dt.date,
    *,
    fetched_by: Principal,
    cut: str = Cut.TOTAL,
    key: str | None = None,
) -> dict[str, float]:
    return parts_by(unit, start, end, cut=cut, key=key, fetched_by=fetched_by).get(
        (), catalogue.empty_parts()
    )


def trend(
    unit: OrgUnit,
    period: Period,
    *,
    fetched_by: Principal,
    cut: str = Cut.TOTAL,
    key: str | None = None,
    parts: Sequence[str] | None = None,
) -> list[tuple[dt.date, dict[str, float]]]:
    """(step start, parts) for every step of the period's grain, including steps with no data."""
    found = parts_by(
        unit,
        period.start,
        period.end,
        by=[period.grain],
        cut=cut,
        key=key,
        parts=parts,
        fetched_by=fetched_by,
    )
    names = catalogue.PARTS if parts is None else tuple(parts)
    steps = []
    day = TRUNC_PY[period.grain](period.start)
    while day <= period.end:
        steps.append((day, found.get((day,)) or dict.fromkeys(names, 0)))
        day = NEXT_PY[period.grain](day)
    return steps


TRUNC_PY: dict[str, Callable[[dt.date], dt.date]] = {
    "day": lambda d: d,
    "week": lambda d: d - dt.timedelta(days=d.weekday()),
    "month": lambda d: d.replace(day=1),
    "quarter": lambda d: d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1),
    "year": lambda d: d.replace(month=1, day=1),
}


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


NEXT_PY: dict[str, Callable[[dt.date], dt.date]] = {
    "day": lambda d: d + dt.timedelta(days=1),
    "week": lambda d: d + dt.timedelta(days=7),
    "month": _next_month,
    "quarter": lambda d: _next_month(_next_month(_next_month(d))),
    "year": lambda d: d.replace(year=d.year + 1),
}


def by_units(
    unit: OrgUnit,
    start: dt.date,
    end: dt.date,
    groups: Iterable[OrgUnit],
    per_unit: dict[tuple[Any, ...], dict[str, float]] | None = None,
    *,
    fetched_by: Principal,
) -> list[tuple[OrgUnit, dict[str, float]]]:
    """Parts for each of `groups` (units under `unit`): every rollup row counts for the group above it.

    `per_unit` is `parts_by(..., by=["unit"])` for the same unit and dates when the caller already has it.
    """
    group_list = sorted(groups, key=lambda u: u.path)
    if per_unit is None:
        per_unit = parts_by(unit, start, end, by=["unit"], fetched_by=fetched_by)
    paths = dict(OrgUnit.objects.filter(pk__in=[u for (u,) in per_unit]).values_list("pk", "path"))
    sums = group_parts(((paths[u], parts) for (u,), parts in per_unit.items()), group_list)
    return [(g, sums[g.pk]) for g in group_list]


def _own_key(principal: Principal, key: str | None) -> bool:
    return key is not None and isinstance(principal, User) and key == str(principal.pk)


def children(unit: OrgUnit, *, fetched_by: Principal) -> list[OrgUnit]:
    require(fetched_by, VIEW_ROLLUP)
    return list(visible(OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1), fetched_by))


def units_at_level(level: str, *, fetched_by: Principal) -> list[OrgUnit]:
    """The visible units of one level (outlet|tier2|tier1|bank); none for a principal below that level."""
    require(fetched_by, VIEW_ROLLUP)
    if level not in LEVELS:
        raise ValidationFailed(
            _("Unknown level."),
            details=[
                {"field": "level", "reason": _("Choose from %(levels)s.") % {"levels": ", ".join(LEVELS)}}
            ],
        )
    kind = LEVELS[level]
    return list(visible(OrgUnit.objects.filter(kind=kind), fetched_by))


def league(
    unit: OrgUnit,
    period: Period,
    per_unit: dict[tuple[Any, ...], dict[str, float]] | None = None,
    *,
    fetched_by: Principal,
) -> list[dict[str, Any]]:
    """One row per child unit (or per counter and per staff member at an outlet) with every measure.

    `per_unit`: the period's parts per rollup unit under `unit`, when the caller has already read them.
    """
    rows = []
    if unit.kind != OrgUnit.Kind.OUTLET and not children(unit, fetched_by=fetched_by):
        # A unit with nothing below it (a contact centre): one row per call line it answers.
        table = fact_table("calls")
        labels = table.labels["line"]() if table is not None and "line" in table.labels else {}
        for (key,), parts in parts_by(
            unit, period.start, period.end, by=["key"], cut=Cut.LINE, fetched_by=fetched_by
        ).items():
            rows.append(
                {
                    "kind": "line",
                    "key": key,
                    "label": str(labels.get(key, key)),
                    "unit": None,
                    "values": catalogue.evaluate(parts),
                    "ranked": _ranked(parts),
                }
            )
        return rows
    if unit.kind == OrgUnit.Kind.OUTLET:
        for cut in (Cut.COUNTER, Cut.STAFF):
            names = _key_labels(cut, unit)
            only: str | None = None
            if cut == Cut.STAFF and not has(fetched_by, VIEW_STAFF, unit=unit):
                # front-line staff see their own row among the staff, never a colleague's figures
                only = str(fetched_by.pk) if isinstance(fetched_by, User) else "-"
            for (key,), parts in parts_by(
                unit, period.start, period.end, by=["key"], cut=cut, key=only, fetched_by=fetched_by
            ).items():
                label = names.get(key, _("(none)") if key == NONE_KEY else key)
                rows.append(
                    {
                        "kind": cut,
                        "key": key,
                        "label": label,
                        "unit": None,
                        "values": catalogue.evaluate(parts),
                        "ranked": _ranked(parts),
                    }
                )
        return rows
    for child, parts in by_units(
        unit, period.start, period.end, children(unit, fetched_by=fetched_by), per_unit, fetched_by=fetched_by
    ):
        rows.append(
            {
                "kind": "unit",
                "key": str(child.pk),
                "label": child.name,
                "unit": child,
                "values": catalogue.evaluate(parts),
                "ranked": _ranked(parts),
            }
        )
    return rows


# The next-product measures (P3), shown by product under the unit's dashboard.
PRODUCT_MEASURES = ("suggestions_shown", "suggestion_conversion")


def by_product(unit: OrgUnit, period: Period, *, fetched_by: Principal) -> list[dict[str, Any]]:
    """One row per product suggested under `unit` in the period with the next-product measures; each product
    by its catalogue name (the rollups key it by code), most shown first."""
    table = fact_table("suggestions")
    names = table.labels["product"]() if table is not None and "product" in table.labels else {}
    rows = [
        {
            "kind": Cut.PRODUCT,
            "key": key,
            "label": str(names.get(key, key)),
            "values": catalogue.evaluate(parts, PRODUCT_MEASURES),
        }
        for (key,), parts in parts_by(
            unit, period.start, period.end, by=["key"], cut=Cut.PRODUCT, fetched_by=fetched_by
        ).items()
    ]
    return sorted(rows, key=lambda r: (-(r["values"].get("suggestions_shown") or 0), r["label"]))


def _ranked(parts: catalogue.Parts) -> dict[str, bool]:
    """Per measure, whether these parts carry the catalogue's minimum volume for a place in a ranking."""
    return {m.id: m.ranked(parts) for m in catalogue.MEASURES}


def _key_labels(cut: str, unit: OrgUnit) -> dict[str, str]:
    if cut == Cut.STAFF:
        return {str(u.pk): str(u) for u in User.objects.filter(org_unit__path__startswith=unit.path)}
    if cut == Cut.COUNTER:
        from fuwu.floor.models import Counter

        return {
            c.code: f"{c.number}号窗口" for c in Counter.objects.filter(outlet__path__startswith=unit.path)
        }
    return {}


def level_table(
    level: str, period: Period, measure_ids: Sequence[str] | None = None, *, fetched_by: Principal
) -> list[dict[str, Any]]:
    """Every visible unit of one level with its figures for the period (what `fuwu measures` prints)."""
    units = units_at_level(level, fetched_by=fetched_by)
    ids = list(measure_ids) if measure_ids else [m.id for m in catalogue.MEASURES]
    for measure_id in ids:
        catalogue.get(measure_id)
    # One read of every visible unit's period, folded into the level's units (not one read per unit).
    per_unit = (
        parts_by(
            None,
            period.start,
            period.end,
            by=["unit"],
            parts=catalogue.parts_read(ids),
            fetched_by=fetched_by,
        )
        if units
        else {}
    )
    paths = dict(OrgUnit.objects.filter(pk__in=[u for (u,) in per_unit]).values_list("pk", "path"))
    sums = group_parts(((paths[u], parts) for (u,), parts in per_unit.items()), units)
    return [{"unit": unit, "values": catalogue.evaluate(sums[unit.pk], ids)} for unit in units]


def group_parts(
    rows: Iterable[tuple[str, catalogue.Parts]], groups: Sequence[OrgUnit]
) -> dict[int, dict[str, float]]:
    """Sum each (unit path, parts) into the group at or above that path; rows under no group are left out.

    The groups must not nest (units of one level): each row looks up its path's prefixes, not every group.
    """
    by_path = {g.path: g.pk for g in groups}
    sums = {g.pk: catalogue.empty_parts() for g in groups}
    for path, parts in rows:
        for length in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen):
            pk = by_path.get(path[:length])
            if pk is not None:
                catalogue.add_parts(sums[pk], parts)
                break
    return sums


def targets(unit: OrgUnit | None = None, *, fetched_by: Principal) -> QuerySet[Target]:
    """The targets the principal sees; with `unit` (one they see), those set at it and at every unit above it.

    A target set above a unit applies to it, so a tier-2 head reads head office's and the tier-1 branch's
    targets for their unit though they cannot see those units themselves.
    """
    require(fetched_by, VIEW_TARGET, unit=unit)
    if unit is None:
        return visible(Target.objects.select_related("unit"), fetched_by)
    chain = [a.path for a in OrgUnit.objects.get_ancestors(unit)] + [unit.path]
    return Target.objects.select_related("unit").filter(unit__path__in=chain)


def target(target_id: int, *, fetched_by: Principal) -> Target:
    require(fetched_by, VIEW_TARGET)
    found: Target = get_visible(Target.objects.select_related("unit"), fetched_by, pk=target_id)
    return found


@dataclass(frozen=True)
class Progress:
    target: Target
    current: float | None
    progress_pct: float | None  # share of the way from baseline to target covered so far
    forecast: float | None  # the value the monthly trend reaches on the due date
    on_track: bool | None
    series: list[tuple[dt.date, float | None]]


def _target_period(target: Target, today: dt.date) -> Period:
    end = min(today, target.due_date)
    return Period(target.start_date, max(end, target.start_date), "", "month")


def targets_progress(targets: Iterable[Target], *, fetched_by: Principal) -> list[Progress]:
    """`target_progress` of many targets, reading each unit's monthly series once for all its targets.

    Targets of one unit over the same months (the usual case: a plan's targets share start and due dates)
    share one rollup query that sums only the parts their measures read.
    """
    chosen = list(targets)
    today = clock.today()
    groups: dict[tuple[int, dt.date, dt.date], list[Target]] = {}
    for target in chosen:
        period = _target_period(target, today)
        groups.setdefault((target.unit_id, period.start, period.end), []).append(target)
    series: dict[int, list[tuple[dt.date, dict[str, float]]]] = {}
    for members in groups.values():
        first = members[0]
        steps = trend(
            first.unit,
            _target_period(first, today),
            parts=catalogue.parts_read({t.measure for t in members}),
            fetched_by=fetched_by,
        )
        for target in members:
            series[id(target)] = steps
    return [_progress(target, series[id(target)]) for target in chosen]


def target_progress(target: Target, *, fetched_by: Principal) -> Progress:
    """Monthly actuals since the target's start, the share of the way covered, and a linear forecast."""
    return targets_progress([target], fetched_by=fetched_by)[0]


def _progress(target: Target, steps: list[tuple[dt.date, dict[str, float]]]) -> Progress:
    measure = catalogue.get(target.measure)
    series = [(day, measure.value(parts)) for day, parts in steps]
    points = [(float((day - target.start_date).days), v) for day, v in series if v is not None]
    current = points[-1][1] if points else None
    span = target.value - target.baseline
    progress = None if current is None else (current - target.baseline) / span * 100
    forecast = None
    on_track = None
    if len(points) >= 2:
        n = len(points)
        mx = sum(x for x, _ in points) / n
        my = sum(y for _, y in points) / n
        sxx = sum((x - mx) ** 2 for x, _ in points)
        slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
        forecast = my + slope * ((target.due_date - target.start_date).days - mx)
    if forecast is not None:
        on_track = forecast >= target.value if measure.higher_is_better else forecast <= target.value
    return Progress(target, current, progress, forecast, on_track, series)


KEY_MEASURES = (
    "tickets_issued",
    "avg_wait",
    "p90_wait",
    "served_within_target",
    "avg_service",
    "no_show_rate",
    "diversion_rate",
    "evaluation_rate",
    "satisfaction",
    "satisfaction_broad",
    "complaints_per_10k",
    "complaint_cycle_days",
    "complaint_cycle_business_days",
    "complaint_on_time",
    "feedback_on_time",
)
STAFF_MEASURES = tuple(m for m in KEY_MEASURES if catalogue.BY_ID[m].grains != catalogue.COMPLAINT_GRAINS)
# The contact-centre cards (K1 "contact-centre measures"), shown wherever a unit's rollups hold calls.
CALL_MEASURES = ("calls_offered", "call_answer_rate", "call_service_level", "call_abandon_rate", "call_aht")
# The supervision cards (#14): inspections and the rectification ledger, wherever branch measures apply.
SUPERVISION_MEASURES = (
    "inspection_score",
    "mystery_score",
    "findings_per_inspection",
    "rectification_on_time_rate",
    "open_rectifications",
    "overdue_rectifications",
)


@dataclass(frozen=True)
class Subject:
    """Whom a dashboard is about: an org unit, or one staff member (their tickets at their unit)."""

    unit: OrgUnit
    staff: User | None = None
    tickets: bool = True  # the branch measures (tickets, evaluations, complaints, feedback) apply
    calls: bool = False  # a contact centre lies at or under the unit

    @property
    def cut(self) -> str:
        return Cut.STAFF if self.staff else Cut.TOTAL

    @property
    def key(self) -> str | None:
        return str(self.staff.pk) if self.staff else None

    @property
    def label(self) -> str:
        return str(self.staff) if self.staff else self.unit.name

    @property
    def measure_ids(self) -> tuple[str, ...]:
        if self.staff:
            return STAFF_MEASURES
        return (KEY_MEASURES + SUPERVISION_MEASURES if self.tickets else ()) + (
            CALL_MEASURES if self.calls else ()
        )

    @property
    def default_focus(self) -> str:
        ids = self.measure_ids
        return next((m for m in ("avg_wait", "call_service_level") if m in ids), ids[0])

    @property
    def league_ids(self) -> tuple[str, ...]:
        """The league's columns: a counter or staff row has no complaint or call figures."""
        return STAFF_MEASURES if self.unit.kind == OrgUnit.Kind.OUTLET else self.measure_ids


def _measure_families(unit: OrgUnit, *, fetched_by: Principal) -> tuple[bool, bool]:
    """(branch measures apply, call measures apply) at `unit`, from which cuts its rollups hold.

    A contact centre's days carry "line" rows and no "service" rows (every ticket has a business type),
    so a centre's own dashboard shows only call measures and a unit above it shows both.
    """
    below = OrgUnit.objects.filter(path__startswith=unit.path).values("pk")
    rows = visible(Rollup.objects.all(), fetched_by).filter(unit__in=below)
    calls = rows.filter(cut=Cut.LINE).exists()
    tickets = not calls or rows.filter(cut=Cut.SERVICE).exists()
    return tickets, calls


def subject(*, fetched_by: Principal, unit_id: Any = None, staff_id: Any = None) -> Subject:
    """The unit or staff member asked for, if visible; by default a front-line member's own figures."""
    from fuwu.core import roles
    from fuwu.core.nav import user_roles

    if staff_id in (None, "") and unit_id in (None, "") and isinstance(fetched_by, User):
        held = user_roles(fetched_by)
        if held and held <= {roles.TELLER, roles.LOBBY, roles.RM} and fetched_by.org_unit is not None:
            return Subject(fetched_by.org_unit, fetched_by)
    if staff_id not in (None, ""):
        require(fetched_by, VIEW_ROLLUP)
        staff: User = get_visible(User.objects.select_related("org_unit"), fetched_by, pk=staff_id)
        if staff.org_unit is None:
            raise NotFound()
        if staff != fetched_by:
            # a teller may open their own figures, not a colleague's
            require(fetched_by, VIEW_STAFF, unit=staff.org_unit)
        return Subject(staff.org_unit, staff)
    unit = visible_unit(unit_id, fetched_by=fetched_by)
    tickets, calls = _measure_families(unit, fetched_by=fetched_by)
    return Subject(unit, tickets=tickets, calls=calls)


def breadcrumbs(unit: OrgUnit, *, fetched_by: Principal) -> list[OrgUnit]:
    require(fetched_by, VIEW_ROLLUP)
    chain = [*OrgUnit.objects.get_ancestors(unit), unit]
    from fuwu.core.scoping import can_see_unit

    return [u for u in chain if can_see_unit(fetched_by, u)]


def dashboard(who: Subject, period: Period, focus: str, *, fetched_by: Principal) -> dict[str, Any]:
    """Everything one dashboard shows: cards with deltas and targets, the focus measure's trend, the league.

    Reads are shaped so a year at head office stays a handful of small queries: the trend sums only the
    focus measure's parts; above an outlet the period's parts per unit give both the cards and the league;
    the targets' monthly series are read once per unit for all its targets.
    """
    measure = catalogue.get(focus)
    steps = trend(
        who.unit, period, cut=who.cut, key=who.key, parts=catalogue.parts_read([focus]), fetched_by=fetched_by
    )
    per_unit = None
    so_far, before_period = period.comparable(clock.today())
    if who.staff or who.unit.kind == OrgUnit.Kind.OUTLET:
        now = total(who.unit, so_far.start, so_far.end, cut=who.cut, key=who.key, fetched_by=fetched_by)
    else:
        per_unit = parts_by(who.unit, so_far.start, so_far.end, by=["unit"], fetched_by=fetched_by)
        now = catalogue.sum_parts(per_unit.values())
    before = total(
        who.unit, before_period.start, before_period.end, cut=who.cut, key=who.key, fetched_by=fetched_by
    )
    now_values = catalogue.evaluate(now, who.measure_ids)
    before_values = catalogue.evaluate(before, who.measure_ids)
    goal = (
        {t.measure: t for t in targets(who.unit, fetched_by=fetched_by).order_by("unit__depth", "due_date")}
        if not who.staff
        else {}
    )
    cards = []
    for measure_id in who.measure_ids:
        m = catalogue.BY_ID[measure_id]
        value, prior = now_values[measure_id], before_values[measure_id]
        # Rounded as shown, so a change too small to see is neither better nor worse.
        delta = None if value is None or prior is None else round(value - prior, m.decimals) + 0.0
        # A volume's change is neither good nor bad (more tickets is not better service): left uncoloured.
        better = None if not delta or not m.judged else (delta > 0) == m.higher_is_better
        cards.append(
            {
                "measure": m,
                "value": value,
                "previous": prior,
                "delta": delta,
                "better": better,
                "target": goal.get(measure_id),
            }
        )
    today = clock.today()
    # Steps not yet begun have no data (None), not a zero or a line drawn on towards the period's end.
    series = [
        {"x": day.isoformat(), "y": _round(measure.value(parts), measure.decimals) if day <= today else None}
        for day, parts in steps
    ]
    league_rows = [] if who.staff else league(who.unit, so_far, per_unit, fetched_by=fetched_by)
    target = goal.get(focus)
    return {
        "cards": cards,
        "series": series,
        "league": league_rows,
        "measure": measure,
        "period": period,
        "so_far": so_far,
        "previous": before_period,
        "like_for_like": period.running(today),
        "target_value": target.value if target else None,
        "progress": targets_progress(
            [t for t in goal.values() if t.unit_id == who.unit.pk], fetched_by=fetched_by
        ),
    }


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)
