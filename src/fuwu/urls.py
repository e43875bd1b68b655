from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from fuwu.api import api
from fuwu.core.discovery import app_modules


def _app_urls() -> list[URLPattern | URLResolver]:
    """Each fuwu app with a urls.py is mounted at /<app>/ with its own namespace."""
    return [
        path(f"{app.split('.', 1)[1]}/", include(f"{app}.urls"))
        for app, _module in app_modules("urls", exclude=("fuwu.core",))
    ]


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fuwu.core.urls")),
    *_app_urls(),
]
