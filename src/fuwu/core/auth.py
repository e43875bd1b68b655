"""API authentication: staff by session, devices by bearer token."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from fuwu.core import clock
from fuwu.core.errors import Forbidden, Unauthenticated
from fuwu.core.models import DeviceToken, User
from fuwu.core.principals import DevicePrincipal
from fuwu.core.services import device_token_authenticate


def request_principal(request: HttpRequest) -> User | DevicePrincipal:
    """Who sent this request: the API's authenticated principal, else the logged-in staff member."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, DevicePrincipal | User):
        return principal
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    raise Unauthenticated(gettext("Log in or send a valid device token."))


class DeviceBearer(HttpBearer):
    """`Authorization: Bearer fw_…` from `fuwu device-token`; revoked tokens fail at once."""

    def authenticate(self, request: HttpRequest, token: str) -> DevicePrincipal | None:
        found = device_token_authenticate(token)
        if found is None:
            return None
        now = clock.now()
        # Touch at most once a minute so a busy counter does not write on every call.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            DeviceToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return DevicePrincipal(found)


class StaffSession(APIKeyCookie):
    """The logged-in staff member (CSRF-checked, as for any cookie-authenticated write)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # A cookie rides along on any cross-site request: an unsafe call authenticated only by the
        # session must pass Django's CSRF check (pages send X-CSRFToken). Devices use bearer tokens,
        # which a browser never attaches by itself, and are authenticated before this runs.
        if check_csrf(request) is not None:
            raise Forbidden(
                gettext("The request lacks a valid CSRF token; reload the page and try again."),
                code="csrf_failed",
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


API_AUTH = [DeviceBearer(), StaffSession()]


class LoginThrottle(AxesStandaloneBackend):
    """django-axes' check before the password check, for every login that comes with a request.

    Every way in from outside (the login page, the admin login) passes the request; code that
    authenticates without one (Django's test client `login()`, a management command) is not a guess
    from a client address and is left to the next backend instead of being refused.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
