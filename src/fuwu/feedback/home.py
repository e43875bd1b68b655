"""Feedback on the home page (#19): the manager's follow-ups due today, the staff member's ratings today."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.feedback import selectors
from fuwu.feedback.models import Evaluation

SHOWN = 6


def panels(principal: Principal) -> list[Panel]:
    found = []
    if has(principal, selectors.VIEW_FOLLOW_UPS):
        found.append(_follow_ups(principal))
    if has(principal, selectors.OWN_FEEDBACK):
        found.append(_my_ratings(principal))
    return found


def _follow_ups(principal: Principal) -> Panel:
    now = clock.now()
    end_of_day = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(0), tzinfo=clock.SHANGHAI)
    open_ones = selectors.follow_ups(fetched_by=principal)
    due = open_ones.filter(due_at__lt=end_of_day)
    base = reverse("feedback:follow_ups")
    overdue = open_ones.filter(due_at__lt=now).count()
    rows = [
        Row(
            f"{f.summary} · {f.outlet.name}",
            _("due %(at)s") % {"at": timezone.localtime(f.due_at).strftime("%m-%d %H:%M")},
            reverse("feedback:follow_up", args=[f.pk]),
            urgent=f.due_at < now,
        )
        # Today's first, by the hour they fall due; the overdue ones are counted and one click away.
        for f in due.filter(due_at__gte=now).order_by("due_at")[:SHOWN]
    ]
    return Panel(
        title=_("Follow-ups due today"),
        rows=rows,
        counts=[
            Count(_("Due today"), due.filter(due_at__gte=now).count(), f"{base}?sort=due"),
            Count(_("Overdue"), overdue, f"{base}?sort=due"),
            Count(_("Mine"), open_ones.filter(owner_id=principal.pk).count(), f"{base}?mine=1"),
            Count(_("Open"), open_ones.count(), base),
        ],
        more_url=base,
        empty=_("No follow-up falls due today."),
        order=20,
    )


def _my_ratings(principal: Principal) -> Panel:
    by_rating = selectors.my_ratings_today(fetched_by=principal)
    mine = reverse("feedback:mine")
    return Panel(
        title=_("My ratings today"),
        counts=[Count(label, by_rating.get(value, 0), mine) for value, label in Evaluation.Rating.choices],
        more_url=mine,
        order=7,
    )
