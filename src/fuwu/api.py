"""The one NinjaAPI at /api/v1: every app's router, one auth list, one error shape."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from fuwu.core.auth import API_AUTH
from fuwu.core.discovery import app_modules
from fuwu.core.errors import DomainError
from fuwu.core.inputs import field_errors

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="fuwu API",
    version="1",
    description="Branch floor, feedback, complaints, measures and staffing. Staff: session; devices: bearer token.",
    auth=API_AUTH,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # ("body", "payload", "outlet_code") → "outlet_code"; ("query", "start") → "start"
    details = [
        {**row, "field": _ninja_field(err)}
        for err, row in zip(exc.errors, field_errors(exc.errors), strict=True)
    ]
    return _error(request, 422, "validation_failed", gettext("The request is not valid."), details)


def _ninja_field(err: dict[str, Any]) -> str | None:
    parts = [str(p) for p in err.get("loc", ())]
    parts = (parts[2:] or parts[1:]) if parts and parts[0] == "body" else parts[1:]
    return ".".join(parts) or None


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", gettext("Log in or send a valid device token."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", gettext("Not found."))


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _error(request, 429, "throttled", str(exc))
    if exc.wait is not None:
        # The throttle's wait is fractional; rounding down would tell a client 0 s, i.e. "hammer us now".
        response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG and getattr(settings, "FUWU_RAISE_API_ERRORS", False):
        raise exc
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return _error(request, 500, "server_error", gettext("Something went wrong on our side."))


def _mount_app_routers() -> None:
    for _app, module in app_modules("api"):
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)


_mount_app_routers()
