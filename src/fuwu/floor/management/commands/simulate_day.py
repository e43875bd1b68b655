"""`fuwu simulate-day`: a business day at one outlet through the floor services.

Live (the default) it runs on the real clock from now, on its own windows and line (no person opens its
windows, and neither side calls the other's customers), so the display board, lobby console and kiosk move
with customers whose times are true (#19). `--fast` replays yesterday with the clock jumping from event to event (a day in
seconds; nothing is stamped in the future). Stop with Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuwu.core import clock
from fuwu.core.models import OrgUnit
from fuwu.floor.simulate import DAILY_VOLUME, simulate_day

SIZES = {"large": 10, "medium": 7}


class Command(BaseCommand):
    help = "Run a simulated business day at an outlet through the real services, on the real clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outlet", required=True, help="Outlet code (see `fuwu outlets`).")
        parser.add_argument(
            "--volume", type=float, default=None, help="Customers in the day (default by outlet size)."
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--fast", action="store_true", help="Replay yesterday, jumping the clock from event to event."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        outlet = OrgUnit.objects.filter(code=opts["outlet"], kind=OrgUnit.Kind.OUTLET).first()
        if outlet is None:
            raise CommandError(f"no outlet {opts['outlet']}")
        counters = outlet.counters.filter(is_simulated=False).count()
        size = "large" if counters >= SIZES["large"] else "medium" if counters >= SIZES["medium"] else "small"
        volume = opts["volume"] or DAILY_VOLUME[size]
        live = not opts["fast"]
        day = clock.today() if live else clock.today() - dt.timedelta(days=1)
        rng = random.Random(opts["seed"] if opts["seed"] is not None else day.toordinal())
        self.stdout.write(
            f"simulating {day} at {outlet.name} ({volume:.0f} customers), "
            + ("on the real clock, on its own windows" if live else "fast")
            + "; Ctrl-C stops"
        )
        try:
            result = simulate_day(
                outlet=outlet,
                day=day,
                rng=rng,
                volume=volume,
                live=live,
                log=self.stdout.write if live else None,
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
