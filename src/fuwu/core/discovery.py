"""Find each fuwu app's optional hook module (api, urls, nav, roles, tasks, importers, demo)."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.conf import settings


def fuwu_apps() -> list[str]:
    return [app for app in settings.INSTALLED_APPS if app.startswith("fuwu.")]


def app_modules(submodule: str, *, exclude: tuple[str, ...] = ()) -> list[tuple[str, ModuleType]]:
    """(app, module) for every fuwu app that has `<app>.<submodule>`, in INSTALLED_APPS order.

    A missing hook module is normal; an import error inside an existing one is raised.
    """
    found = []
    for app in fuwu_apps():
        if app in exclude:
            continue
        name = f"{app}.{submodule}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.append((app, module))
    return found
