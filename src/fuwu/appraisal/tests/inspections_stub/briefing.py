from __future__ import annotations

from typing import Any


def mystery_shopper(principal: Any, unit: Any, period: Any) -> Any:
    from fuwu.appraisal.briefing import DEC1, Column, Section

    return Section(
        "mystery",
        "神秘人检查结果",
        [Column("网点"), Column("得分", DEC1)],
        rows=[["中关村支行", 91.5], ["五道口支行", 84.0]],
    )


SECTIONS = [mystery_shopper]
