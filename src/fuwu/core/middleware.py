from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fuwu.core.errors import DomainError


class DomainErrorMiddleware:
    """HTML pages: a DomainError becomes a readable error page with the right status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = (
            "core/partials/error_message.html" if request.headers.get("HX-Request") else "core/error.html"
        )
        return render(request, template, {"error": exception}, status=exception.status)
