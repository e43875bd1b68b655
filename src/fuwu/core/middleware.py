from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.translation import gettext

from fuwu.core import nav
from fuwu.core.errors import DomainError, Forbidden, ValidationFailed


class DomainErrorMiddleware:
    """HTML pages: a DomainError becomes a readable error page with the right status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        """A menu page is refused (403) to whoever's menu lacks it: menus and access are one rule (core.nav)."""
        match = request.resolver_match
        if match is None or not nav.refused(request.user, match.view_name):
            return None
        return self.process_exception(request, Forbidden(gettext("Your role may not open this page.")))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, DataError | OverflowError):
            # A number or date beyond what the database or the calendar holds: the input's fault.
            exception = ValidationFailed(gettext("A value is out of range."))
        if not isinstance(exception, DomainError):
            return None
        template = (
            "core/partials/error_message.html" if request.headers.get("HX-Request") else "core/error.html"
        )
        return render(request, template, {"error": exception}, status=exception.status)


class LanguageMiddleware:
    """Chinese unless the user chose otherwise: the language cookie decides, the browser's Accept-Language does not.

    Counter PCs and kiosks often run English-locale browsers; the bank's staff and customers still expect Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class IdleTimeoutMiddleware:
    """Log staff out after FUWU_IDLE_MINUTES without a request (a counter PC left logged in).

    The last-seen time is written to the session at most once a minute, so a busy console does not
    write its session on every poll. Device-token API calls carry no session and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.FUWU_IDLE_MINUTES * 60

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get("fuwu_seen")
            if isinstance(seen, int | float) and now - seen > self.limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"next": request.get_full_path(), "idle": 1})
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
            if not isinstance(seen, int | float) or now - seen > 60:
                request.session["fuwu_seen"] = int(now)
        return self.get_response(request)


class HeadersMiddleware:
    """Response headers Django's SecurityMiddleware does not set (#18).

    - Pages and downloads for logged-in staff, and every API answer, carry personal or performance data:
      `Cache-Control: no-store`, so a shared counter PC's browser or a proxy keeps no copy.
    - `Permissions-Policy`: the camera for inspection photos and autoplay for the display board's voice
      calls on our own pages; nothing else a page could ask the browser for.
    """

    POLICY = (
        "camera=(self), autoplay=(self), fullscreen=(self), microphone=(), geolocation=(), payment=(), "
        "usb=(), serial=(), bluetooth=(), interest-cohort=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response


class NulInputMiddleware:
    """Refuse a NUL character anywhere in a form or query (#18): SQLite stores it, PostgreSQL fails with a 500.

    JSON bodies are checked by the API's parser; this covers HTML forms, query strings and uploads' fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return self._refuse(request)
        forms = ("application/x-www-form-urlencoded", "multipart/form-data")
        if request.method == "POST" and request.content_type in forms and self._has_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if request.content_type == "application/x-www-form-urlencoded":
            # Read the body before the form so later readers (the Idempotency-Key fingerprint) still can.
            _ = request.body
        return any("\x00" in value for _key, values in request.POST.lists() for value in values)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        error = ValidationFailed(
            gettext("The request contains a NUL character, which no field accepts."),
            details=[{"field": None, "reason": "nul"}],
        )
        if request.path.startswith("/api/"):
            return JsonResponse(error.as_dict(), status=error.status)
        return render(request, "core/error.html", {"error": error}, status=error.status)
