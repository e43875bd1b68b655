"""Service stars (K5): a failed critical checklist item observed of a staff member disqualifies them.

Offered to the appraisal app through `core.discovery` (`SIGNALS`), so neither app imports the other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core.access import has
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.inspections import selectors


def critical_items(
    principal: Principal, outlet: OrgUnit, start: dt.date, end: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """Staff id → the critical items they failed in submitted inspections of `outlet` (appeals upheld excluded)."""
    if not has(principal, "inspections.view_inspection", unit=outlet):
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    for staff_id, text in selectors.critical_failures(
        fetched_by=principal, outlet=outlet, start=start, end=end
    ):
        found.setdefault(staff_id, []).append(
            {"kind": "inspection", "text": f"关键项不合格：{text}", "disqualify": True}
        )
    return found


SIGNALS = [critical_items]
