from __future__ import annotations

from typing import Any

FAILED: dict[int, str] = {}  # staff id → the critical item failed (set by the test)


def critical_items(principal: Any, outlet: Any, start: Any, end: Any) -> dict[int, list[dict[str, Any]]]:
    return {
        pk: [{"kind": "inspection", "text": f"关键项不合格：{item}", "disqualify": True}]
        for pk, item in FAILED.items()
    }


SIGNALS = [critical_items]
