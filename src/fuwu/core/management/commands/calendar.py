from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fuwu.core import calendar, services
from fuwu.core.principals import SYSTEM


class Command(BaseCommand):
    help = "Seed the business calendar from the chinese-calendar package, or show a year's exceptions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "show"])
        parser.add_argument("--year", type=int, action="append", help="Limit to these years (repeatable).")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "seed":
            added = services.calendar_seed_from_package(actor=SYSTEM, years=opts["year"])
            self.stdout.write(f"added {added} calendar exceptions")
            return
        for year in opts["year"] or [dt.date.today().year]:  # noqa: DTZ011 - a year for display only
            day = dt.date(year, 1, 1)
            while day.year == year:
                if calendar.is_holiday(day) or calendar.is_makeup_workday(day):
                    kind = "holiday" if calendar.is_holiday(day) else "workday"
                    self.stdout.write(f"{day}  {day:%a}  {kind:<8} {calendar.holiday_name(day)}")
                day += dt.timedelta(days=1)
