from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from fuwu.api import api


def _app_urls() -> list[URLPattern | URLResolver]:
    """Each fuwu app with a urls.py is mounted at /<app>/ with its own namespace."""
    patterns: list[URLPattern | URLResolver] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("fuwu.") or app == "fuwu.core":
            continue
        label = app.split(".", 1)[1]
        try:
            importlib.import_module(f"{app}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.urls":
                raise
            continue
        patterns.append(path(f"{label}/", include(f"{app}.urls")))
    return patterns


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fuwu.core.urls")),
    *_app_urls(),
]
