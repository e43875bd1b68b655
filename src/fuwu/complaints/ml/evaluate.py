"""Measure the classifier: top-1 / top-3 accuracy per dimension on the hand-written held-out set.

    python -m fuwu.complaints.ml.evaluate [--synthetic N]

The hand-written set (`eval_handwritten.tsv`) was written sentence by sentence without the phrase banks
of textgen; `--synthetic N` also reports a same-distribution check on fresh generated samples (a different
seed than training), which is an upper bound, not the headline figure.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from fuwu.complaints.classifier import DIMENSIONS, rank
from fuwu.complaints.textgen import corpus

HELD_OUT = Path(__file__).parent / "eval_handwritten.tsv"


def load_held_out() -> list[dict[str, str]]:
    with HELD_OUT.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def accuracy(rows: list[dict[str, str]]) -> dict[str, tuple[float, float]]:
    """dimension → (top-1, top-3) accuracy over `rows` (each has text and one label per dimension)."""
    result = {}
    for dim in DIMENSIONS:
        top1 = top3 = 0
        for row in rows:
            ranked = [code for code, _p in rank(row["text"], dim)]
            top1 += ranked[0] == row[dim]
            top3 += row[dim] in ranked[:3]
        result[dim] = (top1 / len(rows), top3 / len(rows))
    return result


def report(title: str, rows: list[dict[str, str]]) -> None:
    print(f"{title} (n={len(rows)})")
    for dim, (t1, t3) in accuracy(rows).items():
        print(f"  {dim:9s} top-1 {t1:6.1%}   top-3 {t3:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=0)
    args = parser.parse_args()
    report("hand-written held-out", load_held_out())
    if args.synthetic:
        rows = [
            {
                "text": s.text,
                "channel": s.channel,
                "category": s.category,
                "reason": s.reason,
                "severity": s.severity,
            }
            for s in corpus(args.synthetic, seed=777)
        ]
        report("synthetic, unseen seed", rows)


if __name__ == "__main__":
    main()
