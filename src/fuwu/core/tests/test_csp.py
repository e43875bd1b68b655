"""Content-Security-Policy (#18): scripts only from our static files, on every page; no inline script left."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SRC = Path(__file__).resolve().parents[2]
# An executable <script> without src; data blocks (type="application/json", json_script) are inert.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
# onclick=, onchange=, … and htmx's hx-on (which runs its code through eval).
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)=", re.I)


def _script_src(header: str) -> str:
    return next(part.strip() for part in header.split(";") if part.strip().startswith("script-src"))


def _one_page_per_app() -> list[str]:
    """The first argument-free page of each URL namespace (every page would take minutes to render;
    the header is set by one middleware, and no view opts out: see the grep test below)."""
    paths: dict[str, str] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groupindex:
                try:
                    path = reverse(f"{namespace}{p.name}")
                except Exception:  # a pattern with unnamed groups or its own prefix
                    continue
                if not path.startswith(("/api/", "/admin/")):
                    paths.setdefault(namespace, path)

    walk(get_resolver().url_patterns, "")
    return sorted(paths.values())


def test_no_template_has_inline_script_or_inline_event_handlers() -> None:
    offenders = []
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [
                f"{template.relative_to(SRC)}: {m.group(0).strip()}" for m in pattern.finditer(text)
            ]
    assert offenders == []


def test_every_page_sends_a_script_src_self_policy(world: Any) -> None:
    paths = _one_page_per_app()
    assert len(paths) > 10  # the walk found the apps' pages, not just the login
    client = Client(raise_request_exception=False)
    client.force_login(world.hq_manager)
    missing = []
    for path in [*paths, "/login/", "/api/v1/docs", "/admin/"]:
        response = client.get(path)
        header = response.headers.get("Content-Security-Policy", "")
        if not header or _script_src(header) != "script-src 'self'":
            missing.append((path, response.status_code, header))
    assert missing == []


def test_no_view_opts_out_of_the_policy() -> None:
    uses = [
        str(f.relative_to(SRC))
        for f in SRC.rglob("*.py")
        if re.search(r"\bcsp_(exempt|replace|update)\b", f.read_text())
    ]
    assert [u for u in uses if "/tests/" not in u] == []


def test_the_policy_forbids_plugins_framing_and_foreign_form_targets(client: Client, db: Any) -> None:
    header = client.get("/login/")["Content-Security-Policy"]
    for directive in ("object-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'"):
        assert directive in header
    assert "unsafe-eval" not in header
