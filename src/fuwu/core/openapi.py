"""The error responses each API operation declares (#18), derived from what the operation is.

Every refusal has one body (`ErrorOut`), but not every operation can answer every refusal: a list
without path parameters finds nothing missing, a read changes no state. The statuses follow from facts
Ninja already holds about the operation, so the route decorators stay as they are:

- 401 and 403: it is authenticated (the token or session can be missing; a role check or, for a
  session, the CSRF check can refuse);
- 404: it has path parameters, which name the object it looks up;
- 422: it takes any input (body, query, path, form or file; a value out of the database's range is a
  422 too), or it is a POST (an `Idempotency-Key` reused with another body);
- 400: it takes a JSON body (the parser refuses non-JSON, NaN, Infinity and NUL characters);
- 429: it carries a throttle.

What the signature cannot show — a 409 from a state check, a 404 for a reference in the body, a 429
from a throttle inside a service — the handler declares with `@raises(Conflict)` and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from fuwu.core.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])

RAISES_ATTR = "_fuwu_raises"

ERROR_STATUSES = {
    400: "The body is not JSON, or holds NaN, Infinity or a NUL character.",
    401: "Not logged in and no valid device token.",
    403: "Logged in but not allowed, or the CSRF token is missing.",
    404: "Not found, or not yours to see.",
    409: "The object is not in a state that allows this action.",
    422: "An input is not valid; details name the field and the reason.",
    429: "Too many requests; Retry-After says when to try again.",
}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ErrorOut",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"description": "Per-field errors ({field, reason}) or facts about the refusal."},
            },
        }
    },
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


def raises(*errors: type[DomainError]) -> Callable[[F], F]:
    """Declare refusals a handler can answer beyond those its signature implies (see the module doc).

    Works above or below the route decorator: Ninja registers the function itself.
    """
    statuses = frozenset(error.status for error in errors)

    def mark(view: F) -> F:
        setattr(view, RAISES_ATTR, getattr(view, RAISES_ATTR, frozenset()) | statuses)
        return view

    return mark


def error_statuses(operation: Operation) -> list[int]:
    """The error statuses `operation` can answer, in order."""
    statuses: set[int] = set(getattr(operation.view_func, RAISES_ATTR, ()))
    sources = {getattr(model, "__ninja_param_source__", None) for model in operation.models}
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if "path" in sources:
        statuses.add(404)
    if sources or "POST" in operation.methods:
        statuses.add(422)
    if "body" in sources:
        statuses.add(400)
    if operation.throttle_objects:
        statuses.add(429)
    return sorted(statuses)


class FuwuOpenAPISchema(OpenAPISchema):
    """Ninja's schema plus, on each operation, the error responses `error_statuses` derives."""

    def responses(self, operation: Operation) -> dict[int, dict[str, Any]]:
        result = super().responses(operation)
        for status in error_statuses(operation):
            result.setdefault(status, {"description": ERROR_STATUSES[status], "content": ERROR_CONTENT})
        return result
