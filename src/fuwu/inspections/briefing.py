"""The quarterly briefing's mystery-shopper section (K6), offered to the appraisal app as a plain mapping.

Found through `core.discovery` like every app hook: appraisal calls `SECTIONS` with (principal, unit,
period) and typesets what they return, so this app never imports appraisal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core.access import has
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.inspections import selectors


def mystery_shopper(principal: Principal, unit: OrgUnit, period: Any) -> dict[str, Any] | None:
    """神秘人 score per outlet under `unit` this quarter and the one before, against the +2-point target."""
    if not has(principal, "inspections.view_inspection"):
        return None  # a reader without the right gets a briefing without the section, not a refusal
    quarter = selectors.quarter_of(period.end)
    before = selectors.quarter_of(period.start - dt.timedelta(days=1))
    rows = [
        r
        for r in selectors.mystery_trend(fetched_by=principal, quarters=[before, quarter])
        if r.outlet.path.startswith(unit.path)
    ]

    def score(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        "key": "mystery",
        "title": "神秘人检查结果",
        "columns": [
            ("网点", "text"),
            ("上季度得分", "dec2"),
            ("本季度得分", "dec2"),
            ("较上季度", "dec2"),
            ("达成 +2 分目标", "text"),
        ],
        "rows": [
            [
                r.outlet.name,
                score(r.scores.get(before)),
                score(r.scores.get(quarter)),
                score(r.latest_gain),
                "—" if r.meets_target is None else ("是" if r.meets_target else "否"),
            ]
            for r in rows
        ],
        "empty": "本季度没有神秘人检查。",
    }


SECTIONS = [mystery_shopper]
