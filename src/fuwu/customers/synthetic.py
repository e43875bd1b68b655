"""The standard product catalogue and synthetic holdings with real structure, for the demo and the bench (P3).

Holdings are not drawn at random: each customer has a life stage (young, family, mid-career, retired) and a
tier, each stage has its typical products, and products form ladders (money fund → wealth R2 → wealth R3 →
equity fund → private fund; time deposit → certificate of deposit → bonds; credit card → gold card). Holding a
rung makes the one below it very likely, which is the structure association rules are meant to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fuwu.customers import rules

# code, name, category, risk level, fees, min age, max age
CATALOGUE: tuple[tuple[str, str, str, int, str, int, int | None], ...] = (
    ("DEP", "活期储蓄", "deposit", 1, "免费", 16, None),
    ("DC", "借记卡", "card", 1, "年费 10 元（首年免）", 16, None),
    ("TD", "整存整取定期存款", "deposit", 1, "免费", 16, None),
    ("CD", "大额存单", "deposit", 1, "免费；起存 20 万元", 18, None),
    ("BOND", "储蓄国债", "deposit", 1, "免费", 18, None),
    ("MMF", "货币基金", "fund", 1, "管理费 0.15%/年", 18, None),
    ("CC", "信用卡普卡", "card", 1, "年费 100 元（刷卡 6 次免）", 18, 65),
    ("CCG", "信用卡金卡", "card", 1, "年费 300 元（刷卡 12 次免）", 18, 65),
    ("LOANC", "个人消费贷款", "loan", 1, "年利率 3.6% 起", 18, 60),
    ("MORT", "个人住房贷款", "loan", 1, "按 LPR 定价", 18, 65),
    ("EDU", "子女教育金保险", "insurance", 2, "无额外费用", 25, 55),
    ("PENS", "个人养老金账户", "pension", 2, "免费", 18, 60),
    ("PWM", "养老理财产品", "wealth", 2, "管理费 0.3%/年", 40, None),
    ("WM2", "稳健型理财 R2", "wealth", 2, "管理费 0.2%/年，销售费 0.3%/年", 18, None),
    ("FUNDI", "基金定投", "fund", 3, "申购费 1.5%（一折）", 18, 65),
    ("WM3", "平衡型理财 R3", "wealth", 3, "管理费 0.5%/年，业绩报酬 20%", 18, 70),
    ("EQF", "股票型基金", "fund", 4, "申购费 1.5%，管理费 1.2%/年", 18, 65),
    ("TRUST", "家族信托", "wealth", 4, "设立费 1%，管理费 0.5%/年", 30, None),
    ("PE", "私募股权基金", "fund", 5, "管理费 2%/年，业绩报酬 20%", 30, 65),
)

STAGES = ("young", "family", "midlife", "retired")

# Each stage's typical products and how likely a customer of it holds each (before ladders apply).
_STAGE_PRODUCTS: dict[str, dict[str, float]] = {
    "young": {"CC": 0.45, "MMF": 0.4, "LOANC": 0.25, "FUNDI": 0.15, "TD": 0.1},
    "family": {"MORT": 0.45, "CC": 0.4, "EDU": 0.35, "TD": 0.3, "WM2": 0.25, "FUNDI": 0.15},
    "midlife": {"TD": 0.4, "WM2": 0.4, "PENS": 0.35, "FUNDI": 0.2, "CD": 0.2, "PWM": 0.2},
    "retired": {"TD": 0.55, "CD": 0.35, "BOND": 0.35, "PWM": 0.3},
}
# Extra products of the higher tiers.
_TIER_PRODUCTS: dict[str, dict[str, float]] = {
    "normal": {},
    "wealth": {"WM3": 0.45, "CD": 0.4, "CCG": 0.35, "EQF": 0.2},
    "private": {"WM3": 0.6, "EQF": 0.45, "TRUST": 0.35, "PE": 0.35, "CD": 0.5, "CCG": 0.5},
}
# rung → the rung below it, and how likely a holder of the rung also holds it.
LADDERS: dict[str, tuple[str, float]] = {
    "PE": ("EQF", 0.85),
    "EQF": ("WM3", 0.8),
    "WM3": ("WM2", 0.75),
    "WM2": ("MMF", 0.6),
    "BOND": ("CD", 0.7),
    "CD": ("TD", 0.8),
    "CCG": ("CC", 0.85),
    "TRUST": ("CD", 0.7),
    "PWM": ("TD", 0.6),
    "EDU": ("TD", 0.5),
}
# Typical balance per product (yuan) before the tier multiplier.
_BALANCE = {"DEP": 20_000, "TD": 80_000, "CD": 300_000, "BOND": 100_000, "MMF": 30_000, "WM2": 150_000,
            "WM3": 400_000, "EQF": 300_000, "PE": 2_000_000, "TRUST": 5_000_000, "PWM": 120_000,
            "PENS": 12_000, "FUNDI": 20_000}  # fmt: skip
_TIER_SCALE = {"normal": 0.5, "wealth": 3.0, "private": 12.0}


@dataclass(frozen=True)
class SyntheticCustomer:
    stage: str
    tier: str
    age: int
    risk_level: int
    holdings: dict[str, int]  # product code → balance in yuan (0 for cards and loans)


def customer(rng: random.Random, *, age: int, tier: str) -> SyntheticCustomer:
    """One customer's holdings and risk level from their age and tier."""
    stage = rules.stage_of(age)
    held = {"DEP", "DC"}
    for table in (_STAGE_PRODUCTS[stage], _TIER_PRODUCTS[tier]):
        held |= {code for code, p in table.items() if rng.random() < p}
    # Walk each ladder down from the rungs held: a higher rung usually means the lower one too.
    frontier = sorted(held)
    while frontier:
        code = frontier.pop()
        below = LADDERS.get(code)
        if below and below[0] not in held and rng.random() < below[1]:
            held.add(below[0])
            frontier.append(below[0])
    base_risk = {"young": 3, "family": 3, "midlife": 2, "retired": 2}[stage] + (tier != "normal")
    risk = max(1, min(5, base_risk + rng.choice((-1, 0, 0, 1)) + (1 if {"EQF", "PE"} & held else 0)))
    scale = _TIER_SCALE[tier]
    holdings = {
        code: int(_BALANCE.get(code, 0) * scale * rng.uniform(0.3, 1.7) / 100) * 100 for code in sorted(held)
    }
    return SyntheticCustomer(stage, tier, age, risk, holdings)


def population(n: int, *, seed: int = 7) -> list[SyntheticCustomer]:
    """`n` customers with a bank's mix of ages and tiers (most are standard; about 1 in 50 private)."""
    rng = random.Random(seed)
    found = []
    for _ in range(n):
        age = int(rng.triangular(20, 85, 42))
        tier = rng.choices(("normal", "wealth", "private"), weights=(85, 13, 2))[0]
        found.append(customer(rng, age=age, tier=tier))
    return found
