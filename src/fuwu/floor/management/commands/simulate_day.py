"""`fuwu simulate-day`: a live business day at one outlet through the floor services, on an accelerated clock.

The display board, lobby console and counter consoles of that outlet move while it runs. Stop with Ctrl-C.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core import clock
from fuwu.core.models import OrgUnit
from fuwu.floor.simulate import DAILY_VOLUME, simulate_day

SIZES = {"large": 10, "medium": 7}


class Command(BaseCommand):
    help = "Run a simulated business day (09:00–17:00) at an outlet through the real services, accelerated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outlet", required=True, help="Outlet code (see `fuwu outlets`).")
        parser.add_argument(
            "--speed",
            type=float,
            default=30.0,
            help="Simulated seconds per real second (30: the day takes 16 minutes).",
        )
        parser.add_argument(
            "--volume", type=float, default=None, help="Customers in the day (default by outlet size)."
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--fast", action="store_true", help="No waiting: jump the clock from event to event."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        outlet = OrgUnit.objects.filter(code=opts["outlet"], kind=OrgUnit.Kind.OUTLET).first()
        if outlet is None:
            raise CommandError(f"no outlet {opts['outlet']}")
        if opts["speed"] <= 0:
            raise CommandError("--speed must be positive")
        counters = outlet.counters.count()
        size = "large" if counters >= SIZES["large"] else "medium" if counters >= SIZES["medium"] else "small"
        volume = opts["volume"] or DAILY_VOLUME[size]
        day = clock.today()
        rng = random.Random(opts["seed"] if opts["seed"] is not None else day.toordinal())
        self.stdout.write(
            f"simulating {day} at {outlet.name} ({volume:.0f} customers), "
            + ("fast" if opts["fast"] else f"{opts['speed']:g}x real time")
            + "; Ctrl-C stops"
        )
        try:
            result = simulate_day(
                outlet=outlet,
                day=day,
                rng=rng,
                volume=volume,
                speed=None if opts["fast"] else opts["speed"],
                log=None if opts["fast"] else self.stdout.write,
            )
        except KeyboardInterrupt:
            self.stdout.write("stopped")
            return
        finally:
            clock.reset()
        self.stdout.write(
            f"issued {result.issued}, finished {result.finished}, diverted {result.diverted}, "
            f"no-show {result.no_show}, transferred {result.transferred}, referred {result.referred}"
        )
