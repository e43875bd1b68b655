"""Deployment settings read from the environment, checked in fresh processes with production settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

from fuwu.core.tests.serving import free_port, log_of_one_request

PHONE = "13812345678"

# Loads production settings in a fresh process and reports how a plain-HTTP request that claims
# "X-Forwarded-Proto: https" is treated.
_PROBE = """
import json
import django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

request = RequestFactory().get("/", HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
redirect = SecurityMiddleware(lambda r: HttpResponse()).process_request(request)
print(json.dumps({"secure": request.is_secure(), "redirect": redirect and redirect["Location"]}))
"""


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "FUWU_BEHIND_PROXY", "FUWU_SSL_REDIRECT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fuwu.settings",
        FUWU_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def _probe(tmp_path: Path, **extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_a_client_sent_forwarded_proto_is_not_trusted_by_default(tmp_path: Path) -> None:
    """Facing clients directly, a forged header must not make plain HTTP count as HTTPS."""
    seen = _probe(tmp_path)
    assert seen["secure"] is False
    assert seen["redirect"] == "https://127.0.0.1/"


def test_forwarded_proto_is_trusted_when_declared_behind_a_proxy(tmp_path: Path) -> None:
    seen = _probe(tmp_path, FUWU_BEHIND_PROXY="1")
    assert seen["secure"] is True
    assert seen["redirect"] is None  # the proxy already took HTTPS: no redirect loop


def test_csrf_cookie_is_hidden_from_scripts_and_the_page_carries_the_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.head_a)
    page = client.get("/")
    assert page.cookies["csrftoken"]["httponly"] is True
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page.content.decode())
    assert match, "base.html must hand htmx the token, since scripts cannot read the cookie"
    form = {"language": "en", "next": "/"}
    assert client.post("/i18n/setlang/", form).status_code == 403
    assert client.post("/i18n/setlang/", form, HTTP_X_CSRFTOKEN=match.group(1)).status_code == 302


def test_runserver_logs_its_requests_with_numbers_masked(tmp_path: Path) -> None:
    port = free_port()
    text = log_of_one_request(
        ["runserver", "--noreload", f"127.0.0.1:{port}"],
        port,
        f"/login/?phone={PHONE}",
        _production_env(tmp_path, FUWU_SSL_REDIRECT="0"),
        tmp_path / "runserver.log",
    )
    assert '"GET /login/?phone=138****5678 HTTP/1.1" 200' in text  # the request line, masked
    assert PHONE not in text
