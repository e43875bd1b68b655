"""The one domain error type; api.py and middleware.py map it to HTTP in one place."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_lazy


class DomainError(Exception):
    """A refusal the user should read: carries a stable code, a message and optional details."""

    status = 400
    code = "invalid"
    title = gettext_lazy("Please check your input")  # the heading of the error page above the message

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class NotFound(DomainError):
    """Missing, or not visible to this user: the two must look the same."""

    status = 404
    code = "not_found"
    title = gettext_lazy("Not found")

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message or gettext("Not found."), **kwargs)


class Conflict(DomainError):
    """The object is in a state that forbids the action (e.g. an illegal transition)."""

    status = 409
    code = "conflict"
    title = gettext_lazy("Not possible now")


class ValidationFailed(DomainError):
    """Input was rejected; `details` lists each problem as {field, row?, reason}."""

    status = 422
    code = "validation_failed"


class Forbidden(DomainError):
    """Authenticated and the object is visible, but the role may not do this."""

    status = 403
    code = "forbidden"
    title = gettext_lazy("Not allowed")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Throttled(DomainError):
    status = 429
    code = "throttled"
