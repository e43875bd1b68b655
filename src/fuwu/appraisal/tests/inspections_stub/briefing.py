from __future__ import annotations

from typing import Any


def mystery_shopper(principal: Any, unit: Any, period: Any) -> dict[str, Any]:
    """As another app writes it: a plain mapping, no import of appraisal."""
    return {
        "key": "extra",
        "title": "外部章节示例",
        "columns": [("网点", "text"), ("得分", "dec1")],
        "rows": [["中关村支行", 91.5], ["五道口支行", 84.0]],
    }


SECTIONS = [mystery_shopper]
