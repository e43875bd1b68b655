"""Plain factory functions for floor tests."""

from __future__ import annotations

from typing import Any

from fuwu.core import services as core_services
from fuwu.core.principals import SYSTEM
from fuwu.floor import catalogue
from fuwu.floor.models import Counter


def floor(outlet: Any, size: str = "small") -> dict[str, Counter]:
    """Standard catalogue and counters at `outlet`; counters by kind-number (e.g. "high1")."""
    _, counters = catalogue.install(actor=SYSTEM, outlet=outlet, size=size)
    named: dict[str, Counter] = {}
    for c in counters:
        n = sum(1 for k in named if k.startswith(c.kind)) + 1
        named[f"{c.kind}{n}"] = c
    return named


def device(outlet: Any, kind: str, counter: Counter | None = None) -> str:
    _, raw = core_services.device_token_issue(
        actor=SYSTEM, org_unit=outlet, kind=kind, counter_code=counter.code if counter else ""
    )
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
