"""Figures as tables for people and files: the CLI, the dashboards' CSV/Excel downloads and raw-fact checks."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fuwu.core import clock, files
from fuwu.core.models import OrgUnit
from fuwu.measures import catalogue, selectors

NO_DATA = "no data"


def fmt(measure_id: str, value: float | None) -> str:
    """A figure as text; a figure without a denominator is "no data", never 0."""
    if value is None:
        return _(NO_DATA)
    return f"{value:.{catalogue.BY_ID[measure_id].decimals}f}"


def raw_level_table(
    tables: Mapping[str, Any], units: Sequence[OrgUnit], period: selectors.Period, measure_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The same table as `selectors.level_table`, computed by the Ibis definitions over raw facts."""
    from fuwu.measures import definitions  # ibis: loaded only when a report is built

    t = tables["tickets"]
    c = tables["complaints"]
    scoped = dict(tables)
    scoped["tickets"] = t.filter((t.business_date >= period.start) & (t.business_date <= period.end))
    scoped["complaints"] = c
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    as_of = min(period.end, clock.today())

    def within(row: dict[str, Any]) -> dict[str, Any] | None:
        """Flows of the period's dates; balances from every change up to its end (or today)."""
        day = row["business_date"]
        if day > as_of and day > period.end:
            return None
        if period.start <= day <= period.end:
            return row if day <= as_of else {**row, **dict.fromkeys(catalogue.STOCK_PARTS, 0)}
        if day < period.start:
            return {**catalogue.empty_parts(), **{n: row[n] for n in catalogue.STOCK_PARTS}}
        return None

    rows = (
        (paths.get(row["unit_id"], ""), kept)
        for row in definitions.parts_frame(scoped, ["unit_id", "business_date"])
        if (kept := within(row)) is not None
    )
    sums = selectors.group_parts(rows, units)
    return [{"unit": u, "values": catalogue.evaluate(sums[u.pk], measure_ids)} for u in units]


def headers(measure_ids: Sequence[str]) -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        *(f"{catalogue.BY_ID[m].name} ({catalogue.BY_ID[m].unit_label})" for m in measure_ids),
    ]


def _csv_figure(measure_id: str, value: float | None) -> Decimal | str:
    """A figure as a number with the measure's decimals, so the CSV guard leaves a negative one alone."""
    return _(NO_DATA) if value is None else Decimal(fmt(measure_id, value))


def as_csv(rows: Sequence[dict[str, Any]], measure_ids: Sequence[str]) -> str:
    return files.csv_text(
        [
            headers(measure_ids),
            *(
                [row["code"], row["label"], *(_csv_figure(m, row["values"][m]) for m in measure_ids)]
                for row in rows
            ),
        ]
    )


def as_json(rows: Sequence[dict[str, Any]], measure_ids: Sequence[str], period: selectors.Period) -> str:
    return json.dumps(
        {
            "period": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "measures": [catalogue.describe(catalogue.BY_ID[m]) for m in measure_ids],
            "rows": [
                {"code": r["code"], "name": r["label"], "values": {m: r["values"][m] for m in measure_ids}}
                for r in rows
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def as_table(rows: Sequence[dict[str, Any]], measure_ids: Sequence[str]) -> str:
    head = ["code", *measure_ids]
    body = [[r["code"], *(fmt(m, r["values"][m]) for m in measure_ids)] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip()
        for line in [head, *body]
    ]
    return "\n".join(lines)


def as_xlsx(rows: Sequence[dict[str, Any]], measure_ids: Sequence[str], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "measures"
    files.xlsx_append(sheet, headers(measure_ids))
    for row in rows:
        # Numbers stay numbers in Excel; "no data" stays visibly different from 0.
        files.xlsx_append(
            sheet,
            [
                row["code"],
                row["label"],
                *(
                    round(v, catalogue.BY_ID[m].decimals)
                    if (v := row["values"][m]) is not None
                    else _(NO_DATA)
                    for m in measure_ids
                ),
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def period_stamp(period: selectors.Period) -> str:
    return period.label.replace("..", "_")
