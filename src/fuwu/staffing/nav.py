from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Staffing")  # the menu section these items form

NAV = [
    NavItem(
        _("Staffing plans"),
        "staffing:plans",
        frozenset({roles.OUTLET_HEAD, roles.CC_MANAGER, roles.HQ_MANAGER, roles.SUPERVISOR, roles.AUDITOR}),
        _("Forecast, required counters and next week's roster"),
        order=60,
        permission="staffing.view_staffingplan",
    ),
    NavItem(
        _("Contact centre"),
        "staffing:centre",
        frozenset({roles.CC_MANAGER, roles.HQ_MANAGER, roles.SUPERVISOR}),
        _("Answer rate, 20 s service level and intraday actual vs plan"),
        order=61,
        permission="staffing.view_callrecord",
    ),
]
