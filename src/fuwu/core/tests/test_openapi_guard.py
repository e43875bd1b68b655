"""#18: the suite holds every API answer to the schema (core.testing.openapi_guard); the guard itself."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from fuwu.core.testing.openapi_guard import UndeclaredStatusMiddleware, take_violations


def _answered(status: int, request: HttpRequest) -> list[str]:
    UndeclaredStatusMiddleware(lambda _request: HttpResponse(status=status))(request)
    return take_violations()


def test_the_guard_is_the_outermost_middleware_of_the_test_settings() -> None:
    # Outermost, so that it also sees what CSRF, NUL-input and idempotency middleware answer.
    assert settings.MIDDLEWARE[0] == "fuwu.core.testing.openapi_guard.UndeclaredStatusMiddleware"


def test_an_error_status_its_operation_does_not_declare_is_recorded_by_template() -> None:
    rf = RequestFactory()
    assert _answered(401, rf.get("/api/v1/me")) == []
    assert _answered(404, rf.get("/api/v1/me")) == [
        "GET /api/v1/me -> 404, which the schema does not declare (it lists [200, 401, 403])"
    ]
    # Path parameters are named by the template, whatever the request's ids.
    assert _answered(409, rf.post("/api/v1/tickets/7/start")) == []
    (message,) = _answered(400, rf.post("/api/v1/tickets/7/start"))
    assert message.startswith(
        "POST /api/v1/tickets/{ticket_id}/start -> 400, which the schema does not declare"
    )


def test_answers_that_belong_to_no_operation_are_not_checked() -> None:
    rf = RequestFactory()
    assert _answered(200, rf.get("/api/v1/me")) == []
    assert _answered(404, rf.get("/api/v1/no-such-thing")) == []  # no route
    assert _answered(405, rf.delete("/api/v1/me")) == []  # a method the path does not serve
    assert _answered(404, rf.get("/login/")) == []  # not the API
