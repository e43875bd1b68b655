"""The one NinjaAPI at /api/v1: every app's router, one auth list, one error shape."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from fuwu.core.auth import API_AUTH
from fuwu.core.discovery import app_modules
from fuwu.core.errors import DomainError
from fuwu.core.inputs import field_errors
from fuwu.core.openapi import ERROR_SCHEMA, FuwuOpenAPISchema

logger = logging.getLogger(__name__)


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259) though Python's parser takes them; a target of NaN
    # would poison every sum it enters.
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


class StrictParser(Parser):
    """JSON bodies without NaN/Infinity and without NUL characters (PostgreSQL text cannot hold them)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if b"\\u0000" in request.body or b"\x00" in request.body:
            # Ninja turns any parser error into its 400; `_http_error` words it for the user.
            raise ValueError("NUL character in the request body")
        parsed: dict[str, Any] = json.loads(request.body, parse_constant=_no_constant)
        return parsed


class FuwuAPI(NinjaAPI):
    """NinjaAPI whose schema lists, next to each operation's success, the errors it can answer (#18)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = FuwuOpenAPISchema(self, path_prefix)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        return schema


api = FuwuAPI(
    title="fuwu API",
    version="1",
    description="Branch floor, feedback, complaints, measures and staffing. Staff: session; devices: bearer token.",
    auth=API_AUTH,
    urls_namespace="api",
    parser=StrictParser(),
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
    if exc.status_code == 400:
        # Ninja's answer to a body its parser refused (not JSON, NaN, a NUL character).
        message = gettext("The request body is not valid JSON (no NaN, Infinity or NUL characters).")
        return _error(request, 400, "bad_request", message)
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A number or date beyond what the database or the calendar holds (an id above 2^63, the year
    # 10000): the client's input, not our failure.
    return _error(request, 422, "validation_failed", gettext("A value is out of range."))


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
