"""Drawing an exam paper: per category, the questions this person has not seen yet come first, at random.

Pure functions over ids so the property test can drive them directly; the service feeds them the active
questions per category and the ids the person saw in earlier attempts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence, Set


class NotEnoughQuestions(ValueError):
    def __init__(self, category: str, wanted: int, available: int) -> None:
        super().__init__(category, wanted, available)
        self.category = category
        self.wanted = wanted
        self.available = available


def draw(
    pools: Mapping[str, Sequence[int]],
    counts: Mapping[str, int],
    seen: Set[int],
    rng: random.Random,
) -> list[tuple[str, int]]:
    """(category, question id) for each drawn question, grouped by category in the order of `counts`.

    From each category exactly `counts[cat]` distinct questions: all unseen ones are preferred (a random
    subset if there are more than needed), and seen ones only fill what the unseen cannot.
    """
    paper: list[tuple[str, int]] = []
    for category, wanted in counts.items():
        if wanted <= 0:
            continue
        pool = list(dict.fromkeys(pools.get(category, ())))
        if len(pool) < wanted:
            raise NotEnoughQuestions(category, wanted, len(pool))
        unseen = [q for q in pool if q not in seen]
        already = [q for q in pool if q in seen]
        rng.shuffle(unseen)
        rng.shuffle(already)
        chosen = (unseen + already)[:wanted]
        rng.shuffle(chosen)
        paper.extend((category, q) for q in chosen)
    return paper
