"""Periodic sweeps (deadlines, escalations, rollups): registered by apps, enqueued by `fuwu worker`.

Each sweep is claimed with a conditional UPDATE on its SweepRun row, so any number of workers enqueue
it once per period.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from fuwu.core import clock
from fuwu.core.discovery import app_modules
from fuwu.core.models import SweepRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    task: Any  # a django_tasks Task taking no arguments
    every: dt.timedelta


_registry: dict[str, Sweep] = {}


def register(task: Any, *, every: dt.timedelta, name: str | None = None) -> Any:
    sweep_name = name or f"{task.module_path}"
    _registry[sweep_name] = Sweep(sweep_name, task, every)
    return task


def sweeps() -> list[Sweep]:
    app_modules("tasks")  # importing registers each app's sweeps
    return sorted(_registry.values(), key=lambda s: s.name)


def claim(sweep: Sweep, now: dt.datetime) -> bool:
    """True when this caller won the right to run `sweep` for the current period."""
    try:
        with transaction.atomic():
            SweepRun.objects.get_or_create(name=sweep.name)
    except IntegrityError:
        pass
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - sweep.every)
    return SweepRun.objects.filter(due, name=sweep.name).update(last_run_at=now) == 1


def tick() -> list[str]:
    """Enqueue every due sweep once; returns their names."""
    now = clock.now()
    enqueued = []
    for sweep in sweeps():
        if claim(sweep, now):
            sweep.task.enqueue()
            enqueued.append(sweep.name)
    return enqueued


def run_forever(stop: threading.Event, interval: float = 15.0) -> None:
    while not stop.is_set():
        try:
            names = tick()
            if names:
                logger.info("enqueued sweeps: %s", ", ".join(names))
        except Exception:  # keep the loop alive; the next tick retries
            logger.exception("sweep scheduler tick failed")
        stop.wait(interval)
