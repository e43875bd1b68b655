"""Test settings: production settings, but the live test server speaks plain HTTP and hashing is cheap."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from fuwu.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "sweeps"]}}
# Live-server threads must not keep connections open past a test (PostgreSQL refuses to drop the test DB).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Every API answer a test produces is held to the OpenAPI schema (#18): an error status its operation does
# not declare fails the test (see fuwu.core.testing.openapi_guard and the root conftest).
MIDDLEWARE = ["fuwu.core.testing.openapi_guard.UndeclaredStatusMiddleware", *MIDDLEWARE]  # noqa: F405
