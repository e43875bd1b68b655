from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fuwu.core import scheduler


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database backend) and the periodic sweep scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Only run tasks; another worker schedules."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued (after one scheduler tick), then exit."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        stop = threading.Event()
        if opts["batch"]:
            if not opts["no_scheduler"]:
                scheduler.tick()
            call_command(
                "db_worker",
                queue_name="*",
                batch=True,
                reload=False,
                startup_delay=False,
                interval=opts["interval"],
                verbosity=opts["verbosity"],
            )
            return
        if not opts["no_scheduler"]:
            threading.Thread(target=scheduler.run_forever, args=(stop,), daemon=True, name="sweeps").start()
        try:
            call_command(
                "db_worker",
                queue_name="*",
                reload=False,
                interval=opts["interval"],
                verbosity=opts["verbosity"],
            )
        finally:
            stop.set()
