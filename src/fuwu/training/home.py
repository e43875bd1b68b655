"""Training on the home page (#19): what waits for a trainer or manager, and one's own courses due."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.training import selectors
from fuwu.training.models import Assignment, AssignmentStatus

SHOWN = 6


def panels(principal: Principal) -> list[Panel]:
    found = []
    if has(principal, "training.grade_attempt"):
        found.append(_to_do(principal))
    if has(principal, "training.view_course"):
        mine = _mine(principal)
        if mine is not None:
            found.append(mine)
    return found


def _to_do(principal: Principal) -> Panel:
    today = clock.today()
    to_grade = selectors.attempts_to_grade(fetched_by=principal)
    open_ones = selectors.assignment_rows(fetched_by=principal, status=AssignmentStatus.OPEN)
    overdue = open_ones.filter(Assignment.overdue_on(today))
    manage = reverse("training:manage")
    rows = [
        Row(f"{a.exam.title} · {a.user}", _("waiting for grading"), reverse("training:attempt", args=[a.pk]))
        for a in to_grade[:SHOWN]
    ]
    rows += [
        Row(f"{a.course.title} · {a.user}", _("due %(due)s") % {"due": f"{a.due_date:%m-%d}"}, urgent=True)
        for a in overdue.order_by("due_date", "pk")[: max(SHOWN - len(rows), 0)]
    ]
    return Panel(
        title=_("Training waiting for you"),
        rows=rows,
        counts=[
            Count(_("To grade"), len(to_grade), manage),
            Count(_("Overdue assignments"), overdue.count(), f"{manage}?sort=due#assignments"),
            Count(_("Open assignments"), open_ones.count(), f"{manage}#assignments"),
        ],
        more_url=manage,
        empty=_("Nothing to grade and nothing overdue."),
        order=30,
    )


def _mine(principal: Principal) -> Panel | None:
    """One's own open courses, shown only when there are some."""
    own = [a for a in selectors.my_assignments(fetched_by=principal) if a.status == AssignmentStatus.OPEN]
    if not own:
        return None
    index = reverse("training:index")
    return Panel(
        title=_("My training"),
        rows=[
            Row(
                a.course.title,
                _("due %(due)s") % {"due": f"{a.due_date:%m-%d}"},
                index,
                urgent=a.is_overdue,
            )
            for a in own[:SHOWN]
        ],
        total=len(own),
        more_url=index,
        order=80,
    )
