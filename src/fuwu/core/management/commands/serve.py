from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve fuwu with gunicorn (production settings unless DEBUG is set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("FUWU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("FUWU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FUWU_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("FUWU_THREADS", "4")))
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *args: Any, **opts: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "fuwu.wsgi:application",
            "--config",
            "python:fuwu.core.gunicorn_conf",
            "--bind",
            f"{opts['host']}:{opts['port']}",
            "--workers",
            str(opts["workers"]),
            "--threads",
            str(opts["threads"]),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        if opts["reload"]:
            argv.append("--reload")
        self.stdout.write(f"fuwu serving on http://{opts['host']}:{opts['port']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
