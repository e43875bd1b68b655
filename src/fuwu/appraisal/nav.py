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
        permission="appraisal.view_scorecard",
    ),
    NavItem(
        _("Scorecards"),
        "appraisal:scorecards",
        frozenset({roles.HQ_MANAGER, roles.SUPERVISOR, roles.AUDITOR}),
        _("Measures, scoring rules and dated weights per level (satisfaction within the bank's cap)"),
        order=405,
        permission="appraisal.view_staff_scores",
    ),
    NavItem(
        _("Quarterly briefing"),
        "appraisal:briefings",
        _LEADS,
        _("Build and download the quarterly service briefing as PDF and Excel"),
        order=410,
        permission="appraisal.view_briefingjob",
    ),
    NavItem(
        _("Peer benchmarking"),
        "appraisal:peers",
        frozenset({roles.HQ_MANAGER, roles.SUPERVISOR, roles.AUDITOR}),
        _("Our figures beside the other big banks': gap and rank"),
        order=415,
        permission="appraisal.view_peerfigure",
    ),
    NavItem(
        _("Service stars"),
        "appraisal:stars",
        frozenset({roles.HQ_MANAGER, roles.SUPERVISOR, roles.OUTLET_HEAD, roles.AUDITOR}),
        _("Monthly service stars per outlet: candidates, nominations, approval"),
        order=420,
        permission="appraisal.view_staff_scores",
    ),
    NavItem(
        _("Service-star rules"),
        "appraisal:star_policy",
        frozenset({roles.HQ_MANAGER}),
        _("How candidates score: compliment points, nominations, and what disqualifies or deducts, by month"),
        order=422,
        permission="appraisal.view_starpolicy",
    ),
    NavItem(
        _("Wall of stars"),
        "appraisal:star_wall",
        frozenset(),
        _("The approved service stars and why they were chosen"),
        order=421,
        permission="appraisal.view_starround",
    ),
]
