"""`fuwu serve` prints each log line once."""

from __future__ import annotations

import os
from pathlib import Path

from fuwu.core.tests.serving import free_port, log_of_one_request


def test_serve_prints_each_log_line_once(tmp_path: Path) -> None:
    """gunicorn's loggers have handlers of their own; propagating to the root's handler doubled every line."""
    port = free_port()
    text = log_of_one_request(
        ["serve", "--port", str(port), "--workers", "1"],
        port,
        "/login/?probe=once",
        _env(tmp_path),
        tmp_path / "serve.log",
    )
    access = [line for line in text.splitlines() if "GET /login/?probe=once" in line]
    booted = [line for line in text.splitlines() if "Booting worker" in line]
    assert len(access) == 1, text
    assert len(booted) == 1, text


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "FUWU_BEHIND_PROXY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="fuwu.settings",
        FUWU_DATA_DIR=str(tmp_path),
        FUWU_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    return env
