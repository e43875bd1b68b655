"""Train the feedback sentiment model: `python -m fuwu.feedback.text.train` writes data/model.json.

Features are jieba words (banking dictionary), character uni/bi-grams and opinion-lexicon hits, sublinear
tf-idf, and a multinomial logistic regression; the fitted numbers are exported so run time needs no pickle.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from fuwu.feedback.text import analysis

DATA = analysis.HERE / "data"


def load(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["label"] for r in rows]


C_GRID = (1.0, 4.0, 8.0, 16.0, 32.0)


def _pipeline(c: float) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer=analysis.features, sublinear_tf=True, min_df=1),
        LogisticRegression(C=c, max_iter=2000, class_weight="balanced"),
    )


def choose_c(texts: list[str], labels: list[str]) -> float:
    """Regularisation chosen by 5-fold cross-validated macro-F1 on the training set only."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores = {
        c: cross_val_score(_pipeline(c), texts, labels, cv=folds, scoring="f1_macro").mean() for c in C_GRID
    }
    for c, score in scores.items():
        print(f"C={c:g}: 5-fold CV macro-F1 on training set {score:.3f}")
    return max(scores, key=lambda c: scores[c])


def fit(texts: list[str], labels: list[str], c: float) -> dict[str, Any]:
    pipeline = _pipeline(c).fit(texts, labels)
    vectorizer, model = pipeline.steps[0][1], pipeline.steps[1][1]
    return {
        "labels": [str(c) for c in model.classes_],
        "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
        "idf": [round(float(x), 5) for x in vectorizer.idf_],
        "coef": [[round(float(x), 5) for x in row] for row in model.coef_],
        "intercept": [round(float(x), 5) for x in model.intercept_],
    }


def main(argv: list[str]) -> None:
    texts, labels = load(DATA / "train.tsv")
    exported = fit(texts, labels, choose_c(texts, labels))
    analysis.MODEL_PATH.write_text(
        json.dumps(exported, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    analysis._model.cache_clear()
    print(
        f"trained on {len(texts)} comments, {len(exported['vocabulary'])} features -> {analysis.MODEL_PATH}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
