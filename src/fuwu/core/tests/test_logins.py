"""Logins resist guessing, are audited, time out when idle and are never cached (#18, #19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fuwu.conftest import PASSWORD
from fuwu.core.models import AuditEvent


def _try(client: Client, username: str, password: str, path: str = "/login/") -> Any:
    return client.post(path, {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_and_say_when_to_retry(world: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "teller_a", "wrong-password").status_code == 200  # the form again
    locked = _try(client, "teller_a", "wrong-password")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    body = locked.content.decode()
    assert "登录失败次数过多" in body and "分钟后再试" in body
    # The right password no longer works while the lock lasts, from this address or any other.
    assert _try(client, "teller_a", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert _try(other, "teller_a", PASSWORD).status_code == 429


def test_guessing_from_one_address_across_accounts_locks_the_address(world: Any, settings: Any) -> None:
    client = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(client, f"nobody{i}", "wrong-password")
    assert _try(client, "teller_b", PASSWORD).status_code == 429
    assert _try(Client(REMOTE_ADDR="10.1.1.2"), "teller_b", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(world: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "hq", "wrong-password", "/admin/login/")
    assert _try(client, "hq", PASSWORD, "/admin/login/").status_code == 429


def test_lockout_ends_after_the_cooloff(world: Any, settings: Any) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "teller_a", "wrong-password")
    assert _try(client, "teller_a", PASSWORD).status_code == 429
    past = dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert _try(client, "teller_a", PASSWORD).status_code == 302


def test_logins_failures_and_lockouts_are_audited(world: Any, settings: Any) -> None:
    client = Client()
    _try(client, "teller_a", PASSWORD)
    assert AuditEvent.objects.filter(action="auth.login", actor=world.teller_a).count() == 1
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.teller_a).exists()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "teller_a", "wrong-password")
    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert {e.org_unit_id for e in failed} == {world.outlet_a.pk}
    assert all("wrong-password" not in str(e.data) for e in failed)  # never the password tried
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_weak_passwords_are_refused_everywhere(world: Any) -> None:
    with pytest.raises(CommandError, match="password"):
        call_command(
            "createuser", "liu", "--org", "OB", "--name", "刘洋", "--role", "teller", "--password", "1"
        )
    with pytest.raises(CommandError):
        call_command(
            "createuser", "liu", "--org", "OB", "--name", "刘洋", "--role", "teller", "--password", "12345678"
        )


def test_an_idle_session_ends_and_says_why(world: Any, settings: Any) -> None:
    client = Client()
    client.force_login(world.teller_a)
    assert client.get("/").status_code == 200
    session = client.session
    session["fuwu_seen"] = session["fuwu_seen"] - settings.FUWU_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "idle=1" in response["Location"]
    login_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="idle-notice"' in login_page
    assert client.get("/").status_code == 302  # logged out, not just redirected once


def test_pages_for_staff_and_the_api_are_never_cached(world: Any) -> None:
    client = Client()
    client.force_login(world.hq_manager)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
