from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fuwu.core.discovery import app_modules
from fuwu.core.models import OrgUnit, User
from fuwu.customers.models import Customer
from fuwu.demo import bank as demo_bank
from fuwu.demo import tour


def app_demo_steps() -> list[Any]:
    """Each app may add to the demo in fuwu/<app>/demo.py: build(bank, *, out, options), and finish(…)."""
    return [module for _app, module in app_modules("demo", exclude=("fuwu.demo",))]


class Command(BaseCommand):
    help = "Build the demo bank (idempotent: reuses an existing one unless --reset)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete all data first and build anew.")
        parser.add_argument("--seed", type=int, default=20261124)
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--quick", action="store_true", help="Skip long history (tests, smoke runs).")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        if OrgUnit.objects.filter(code="HO").exists():
            self.stdout.write("demo bank already present; reusing it (make demo RESET=1 to start over)")
            self.stdout.write(self._logins())
            return
        started = time.monotonic()
        call_command("calendar", "seed", verbosity=0)
        bank = demo_bank.build(seed=opts["seed"], customers=opts["customers"])
        self.stdout.write(f"org tree, staff and customers in {time.monotonic() - started:.1f}s")
        steps = app_demo_steps()
        for step in steps:
            step_started = time.monotonic()
            step.build(bank, out=self.stdout, options=opts)
            self.stdout.write(f"{step.__name__}: {time.monotonic() - step_started:.1f}s")
        # A step may also finish(bank, *, out, options) once every app has built: a sweep over what later
        # apps wrote too, as the scheduler would run it (the ledger's escalation sees knowledge's forbidden
        # phrases, which come after the inspections step; #14).
        for step in steps:
            finish = getattr(step, "finish", None)
            if finish is not None:
                finish(bank, out=self.stdout, options=opts)
        # Steps after the measures step (inspections, knowledge, training, approvals) wrote facts the catalogue
        # rolls up too (#14, #17, #20): build the rollups once more over everything.
        from fuwu.core import rollups
        from fuwu.core.principals import SYSTEM

        rollups_started = time.monotonic()
        rows = rollups.rebuild_all(actor=SYSTEM)
        self.stdout.write(
            f"measures: {rows} rollup rows with every app's facts in {time.monotonic() - rollups_started:.1f}s"
        )
        self.stdout.write(demo_bank.describe(bank))
        self.stdout.write(f"demo built in {time.monotonic() - started:.1f}s")

    def _logins(self) -> str:
        summary = (
            f"{OrgUnit.objects.filter(kind='outlet').count()} outlets, {User.objects.count()} staff, "
            f"{Customer.objects.count()} customers"
        )
        # The same per-role table as the README's first screen (fuwu.demo.tour).
        return "\n".join([summary, tour.text(demo_bank.DEMO_PASSWORD), *demo_bank.showcase_lines()])
