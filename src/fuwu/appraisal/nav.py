from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem

SECTION = _("Appraisal")  # the menu section these items form

_LEADS = frozenset({roles.HQ_MANAGER, roles.SUPERVISOR, roles.OUTLET_HEAD, roles.AUDITOR})

NAV = [
    NavItem(
        _("Appraisal rankings"),
        "appraisal:ranking",
        frozenset(),
        _("Scores per level and period, each explained measure by measure"),
        order=400,
    ),
    NavItem(
        _("Quarterly briefing"),
        "appraisal:briefings",
        _LEADS,
        _("Build and download the quarterly service briefing as PDF and Excel"),
        order=410,
    ),
]
