"""Hook for core's device tokens: a counter terminal or pad is bound to a counter of its own outlet."""

from __future__ import annotations

from fuwu.core.models import OrgUnit
from fuwu.floor.models import Counter


def counter_known(*, org_unit: OrgUnit, code: str) -> bool:
    return Counter.objects.filter(outlet=org_unit, code=code).exists()
