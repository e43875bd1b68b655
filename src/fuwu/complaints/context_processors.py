"""`schedule_notice`: "next year's holiday schedule is missing" for the home page (issue 13, point 9).

The lead wires it in (core owns the settings and the home template):
    settings.TEMPLATES[0]["OPTIONS"]["context_processors"] += ["fuwu.complaints.context_processors.schedule_notice"]
    core/templates/core/home.html, under the title:  {% include "complaints/partials/schedule_notice.html" %}
Evaluated only when a template reads it (lazy), so other pages pay nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fuwu.complaints.calendar_years import next_year_missing
from fuwu.complaints.models import Complaint
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.scoping import visible


@dataclass(frozen=True)
class ScheduleNotice:
    missing_year: int | None  # next year, from November until its schedule is entered
    flagged_cases: int  # open cases (in the viewer's units) whose due date lies in a year without a schedule


def notice_for(viewer: Principal | AnonymousUser | None) -> ScheduleNotice | None:
    """What the viewer should be told, or None (nothing missing, or not the viewer's concern)."""
    if viewer is None or isinstance(viewer, AnonymousUser) or not viewer.is_authenticated:
        return None
    principal: Principal = viewer
    handles = has(principal, "complaints.view_complaint")
    if not handles and not has(principal, "core.change_calendarday"):
        return None
    flagged = 0
    if handles:
        # IN terms, not `=True`: Django writes a true-test of a boolean as the bare column, which SQLite answers
        # by reading every case instead of the calendar_unknown index (430 ms of a list page at 100k, #19).
        unknown = Complaint.objects.filter(calendar_unknown__in=[True], is_open__in=[True])
        flagged = visible(unknown, principal).count()
    missing = next_year_missing()
    if missing is None and not flagged:
        return None
    return ScheduleNotice(missing_year=missing, flagged_cases=flagged)


def schedule_notice(request: HttpRequest) -> dict[str, Any]:
    return {"schedule_notice": SimpleLazyObject(lambda: notice_for(getattr(request, "user", None)))}
