"""Every API answer a test produces is held to the OpenAPI schema (#18): an error status the operation
does not declare fails the test.

The fuzz run (core/tests/test_api_fuzz.py) finds what generated requests reach; the suite's own tests
reach the state checks and references those requests rarely find (a ticket already started, a process
not published). `UndeclaredStatusMiddleware`, enabled only in `settings_test`, checks each response
under /api/v1/ against the statuses `api.get_openapi_schema()` lists for its operation and records the
ones not listed; the root conftest fails the test that was running when it took them (`take_violations`).

The record is a process-wide list under a lock: a live server answers from its own thread, concurrency
tests send requests from several, and under pytest-xdist every worker is a process with its own list
and runs one test at a time.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

API_PREFIX = "/api/v1/"
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")

_lock = threading.Lock()
_violations: list[str] = []


@functools.cache
def declared_statuses() -> dict[str, dict[str, frozenset[int]]]:
    """{path template: {method: statuses}} from the schema, built once per process (it takes ~1 s)."""
    # Imported here: the API imports every app, and the middleware is loaded with the settings.
    from fuwu.api import api

    spec = api.get_openapi_schema(path_prefix=API_PREFIX)
    return {
        path: {
            method.upper(): frozenset(int(status) for status in op["responses"]) for method, op in ops.items()
        }
        for path, ops in spec["paths"].items()
    }


def violation(method: str, path: str, status: int) -> str | None:
    """Why an answer of `status` to `method path` breaks the schema, or None if the schema allows it."""
    if status < 400 or not path.startswith(API_PREFIX):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None  # no operation at all: Ninja's own 404 for an unknown path
    template = "/" + _CONVERTER.sub(r"{\1}", match.route)
    operations = declared_statuses().get(template)
    if operations is None:
        # A route the schema does not know under its own name: the template conversion is wrong, and
        # every answer would pass unchecked.
        return f"{method} {template} -> {status}: the route is not an operation of the schema"
    statuses = operations.get(method)
    if statuses is None or status in statuses:
        return None  # a method the path does not serve (405, OPTIONS) is no operation's answer
    return f"{method} {template} -> {status}, which the schema does not declare (it lists {sorted(statuses)})"


def record(message: str) -> None:
    with _lock:
        _violations.append(message)


def take_violations() -> list[str]:
    """The violations recorded since the last call, emptying the record."""
    with _lock:
        taken = list(_violations)
        _violations.clear()
    return taken


class UndeclaredStatusMiddleware:
    """Test settings only: record an API answer whose error status its operation does not declare.

    Outermost, so that it sees the answers other middleware give too (CSRF, NUL input, idempotency).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        message = violation(request.method or "GET", request.path_info, response.status_code)
        if message is not None:
            record(message)
        return response
