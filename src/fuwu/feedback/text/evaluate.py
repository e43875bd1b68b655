"""Measure the stored sentiment model: `python -m fuwu.feedback.text.evaluate [FILE.tsv]`.

Default set: data/eval.tsv (hand-written, not derived from the training file; see data/README.md).
Prints accuracy, macro-F1 and the per-class report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuwu.feedback.text import analysis
from fuwu.feedback.text.train import DATA, load


def measure(path: Path) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    texts, truth = load(path)
    predicted = [analysis.sentiment(t) for t in texts]
    print(classification_report(truth, predicted, digits=3, zero_division=0))
    return {
        "n": len(texts),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro", zero_division=0),
    }


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else DATA / "eval.tsv"
    result = measure(path)
    print(
        f"{path.name}: n={result['n']:.0f} accuracy={result['accuracy']:.3f} macro_f1={result['macro_f1']:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
