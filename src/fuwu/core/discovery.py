"""Find each fuwu app's optional hook module (api, urls, nav, roles, tasks, importers, exporters, demo)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

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


def registry(submodule: str, attr: str) -> dict[str, Any]:
    """Every app's `<app>.<submodule>.<attr>` dict merged into one (the import and export kinds)."""
    found: dict[str, Any] = {}
    for _app, module in app_modules(submodule):
        found.update(getattr(module, attr, {}))
    return found
