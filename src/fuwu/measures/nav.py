from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Measures")  # the menu section these items form

NAV = [
    NavItem(
        _("Service dashboard"),
        "measures:dashboard",
        frozenset(),
        _("Waits, service times, satisfaction and complaints, with trends and league tables"),
        order=300,
        permission="measures.view_rollup",
    ),
    NavItem(
        _("Targets"),
        "measures:targets",
        frozenset({roles.HQ_MANAGER, roles.SUPERVISOR, roles.OUTLET_HEAD, roles.AUDITOR}),
        _("Targets per measure and unit, progress and forecast"),
        order=310,
        permission="measures.view_target",
    ),
]
