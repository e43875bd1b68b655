"""Next-product scoring (P3): association rules a teller can read ("holders of X often hold Y").

Rules come from FP-growth (mlxtend) over every customer's set of held products plus two segment items (life
stage and tier, `segment_items`), trained in the background (tasks.py) and stored as `AssociationRule` rows;
scoring at the counter reads those rows only. A product's score combines the confidences of every rule that
reaches it from what the customer holds or is (noisy-or: 1 − Π(1 − confidence)), and its reason names the
strongest of them ("holders of X often hold Y", "customers of your life stage often hold Y"). Products no
rule reaches fall back to their popularity so a new customer still gets an offer. On the bench the segment
items lift hit@3 from 1.3× to 1.6× the popularity baseline (bench/next_product.py). Only products that passed suitability
(rules.refusal) are ever scored: the model orders what the rules allow, it never widens it.

The bench (bench/next_product.py) measures hit rate at 3 on held-out holdings against "most popular".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_SUPPORT = 0.01
MIN_CONFIDENCE = 0.1
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Rule:
    antecedent: str
    consequent: str
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class Scored:
    code: str
    score: float
    because: str  # the antecedent product's code, "" for a popularity fallback


SEGMENT_PREFIXES = ("stage:", "tier:")


def segment_items(stage: str, tier: str) -> frozenset[str]:
    """The pseudo-products a customer "holds" by being who they are, so rules can start from them."""
    return frozenset({f"stage:{stage}", f"tier:{tier}"})


def is_product(item: str) -> bool:
    return not item.startswith(SEGMENT_PREFIXES)


def train(baskets: Sequence[frozenset[str]], *, min_support: float = MIN_SUPPORT) -> list[Rule]:
    """Single-antecedent, single-consequent rules with lift above 1, by FP-growth over the baskets."""
    import numpy as np
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    baskets = [b for b in baskets if b]
    if not baskets:
        return []
    items = sorted(set().union(*baskets))
    index = {code: i for i, code in enumerate(items)}
    rows = [[False] * len(items) for _ in baskets]
    for row, basket in zip(rows, baskets, strict=True):
        for code in basket:
            row[index[code]] = True
    frame = pd.DataFrame(rows, columns=items)
    frequent = fpgrowth(frame, min_support=min_support, use_colnames=True, max_len=2)
    if frequent.empty or frequent["itemsets"].map(len).max() < 2:
        return []
    # mlxtend divides by zero in metrics we do not read (certainty of a rule with confidence 1).
    with np.errstate(divide="ignore", invalid="ignore"):
        found = association_rules(frequent, metric="confidence", min_threshold=MIN_CONFIDENCE)
    rules = []
    for rec in found.itertuples(index=False):
        if len(rec.antecedents) != 1 or len(rec.consequents) != 1 or rec.lift <= 1:
            continue
        if not is_product(next(iter(rec.consequents))):
            continue
        rules.append(
            Rule(
                antecedent=next(iter(rec.antecedents)),
                consequent=next(iter(rec.consequents)),
                support=float(rec.support),
                confidence=float(rec.confidence),
                lift=float(rec.lift),
            )
        )
    return sorted(rules, key=lambda r: (-r.confidence, r.antecedent, r.consequent))


def popularity(baskets: Iterable[frozenset[str]]) -> list[str]:
    """Products by how many customers hold them, most held first (the baseline, and the fallback)."""
    counts: Counter[str] = Counter()
    for basket in baskets:
        counts.update(item for item in basket if is_product(item))
    return [code for code, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def score(
    held: frozenset[str],
    allowed: Iterable[str],
    rules: Iterable[Rule],
    popular: Sequence[str],
    *,
    limit: int = MAX_SUGGESTIONS,
) -> list[Scored]:
    """At most `limit` of the `allowed` products, best first: combined rule confidence, then popularity.

    `held` includes the customer's segment items; `because` is the strongest rule's antecedent.
    """
    allowed_set = frozenset(allowed) - held
    miss: dict[str, float] = {}  # product → Π(1 − confidence) over the rules reaching it
    strongest: dict[str, Rule] = {}
    for rule in rules:
        if rule.antecedent in held and rule.consequent in allowed_set:
            miss[rule.consequent] = miss.get(rule.consequent, 1.0) * (1 - rule.confidence)
            top = strongest.get(rule.consequent)
            if top is None or rule.confidence > top.confidence:
                strongest[rule.consequent] = rule
    ranked = sorted(
        (Scored(code, 1 - m, strongest[code].antecedent) for code, m in miss.items()),
        key=lambda s: (-s.score, s.code),
    )
    rank = {code: i for i, code in enumerate(popular)}
    for code in sorted(allowed_set - set(miss), key=lambda c: (rank.get(c, len(rank)), c)):
        if len(ranked) >= limit:
            break
        ranked.append(Scored(code, 0.0, ""))
    return ranked[:limit]
