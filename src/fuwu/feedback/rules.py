"""The feedback app's fixed rules: deadlines, who owns an outlet's follow-ups, the pad's settings in force.

Pure lookups without a principal, shared by services, selectors and the demo builder; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fuwu.core import calendar, clock, roles
from fuwu.core.models import OrgUnit, User
from fuwu.feedback.models import DEFAULT_REASONS, PadConfig
from fuwu.floor.models import Counter, Ticket

FEEDBACK_PER_HOUR = 5  # per client address; enough for a family, too few for a flood
FEEDBACK_REPLY_BUSINESS_DAYS = 2
FOLLOW_UP_BUSINESS_DAYS = 1
DAY_END = dt.time(18, 0)


@dataclass(frozen=True)
class PadSettings:
    window: dt.timedelta
    reasons: list[str]


def pad_settings_in_force(outlet: OrgUnit) -> PadSettings:
    """The outlet's pad settings, else the bank-wide row, else the built-in defaults."""
    config = (
        PadConfig.objects.filter(outlet=outlet).first()
        or PadConfig.objects.filter(outlet__isnull=True).first()
    )
    if config is None:
        return PadSettings(dt.timedelta(seconds=180), list(DEFAULT_REASONS))
    return PadSettings(dt.timedelta(seconds=config.window_seconds), list(config.reasons or DEFAULT_REASONS))


def end_of_business_day_after(moment: dt.datetime, days: int) -> dt.datetime:
    """18:00 bank time on the `days`-th business day after `moment` (the deadline of a reply or a call-back)."""
    day = calendar.add_business_days(clock.business_date(moment), days)
    return dt.datetime.combine(day, DAY_END, tzinfo=clock.SHANGHAI).astimezone(dt.UTC)


def outlet_head(outlet: OrgUnit) -> User | None:
    """The outlet's head (the owner of its feedback and follow-ups), if one is on file."""
    return (
        User.objects.filter(org_unit=outlet, is_active=True, groups__name=roles.OUTLET_HEAD)
        .order_by("pk")
        .first()
    )


def owner_in(unit: OrgUnit) -> User | None:
    """Who takes over an escalated item in `unit`: its head at an outlet, a supervisor or HQ manager above."""
    wanted = [roles.OUTLET_HEAD] if unit.kind == "outlet" else [roles.SUPERVISOR, roles.HQ_MANAGER]
    return User.objects.filter(org_unit=unit, is_active=True, groups__name__in=wanted).order_by("pk").first()


def staff_at_counter(counter: Counter, moment: dt.datetime) -> User | None:
    """Who served at `counter` last before `moment` on that business day (the person a counter's compliment
    is about), if anyone did."""
    ticket = (
        Ticket.objects.filter(
            counter=counter,
            business_date=clock.business_date(moment),
            staff__isnull=False,
            called_at__lte=moment,
        )
        .select_related("staff")
        .order_by("-called_at")
        .first()
    )
    return ticket.staff if ticket is not None else None
