"""Logins, failures, logouts and lockouts in the audit trail (#18, #19).

Django's auth signals are the only place every login path (the staff login page, the admin login, the
API's session) passes through; recording there is a side effect of authentication, not a business rule.
A failed attempt names the account tried (usernames are not personal data here: they are staff codes)
and the unit of that account when it exists, so the unit's auditors see attempts on their staff.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from fuwu.core import audit
from fuwu.core.models import User
from fuwu.core.principals import system

_LOGIN = system("login")


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    audit.record(actor=user, action="auth.login", target=user, org_unit=user.org_unit)


def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **_: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", target=user, org_unit=user.org_unit)


def _failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).select_related("org_unit").first()
    audit.record(
        actor=_LOGIN,
        action="auth.login_failed",
        target=account,
        org_unit=account.org_unit if account else None,
        data={"username": username},
    )


def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **_: Any
) -> None:
    account = User.objects.filter(username=username or "").select_related("org_unit").first()
    audit.record(
        actor=_LOGIN,
        action="auth.locked_out",
        target=account,
        org_unit=account.org_unit if account else None,
        data={"username": (username or "")[:150]},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="fuwu.core.logins.in")
    user_logged_out.connect(_logged_out, dispatch_uid="fuwu.core.logins.out")
    user_login_failed.connect(_failed, dispatch_uid="fuwu.core.logins.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="fuwu.core.logins.locked")
