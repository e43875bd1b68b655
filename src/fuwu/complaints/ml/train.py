"""Train the complaint classifier on the synthetic corpus of fuwu.complaints.textgen and save the artifact.

    python -m fuwu.complaints.ml.train [--samples 6000] [--seed 20260301]

One shared TF-IDF over jieba words (1–2 grams) and characters (1–3 grams), then a multinomial logistic
regression per dimension. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
from typing import Any

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from fuwu.complaints.classifier import ARTIFACT, DIMENSIONS, tokenize
from fuwu.complaints.textgen import corpus


def features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=tokenize,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    min_df=2,
                    max_features=3000,
                    sublinear_tf=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(1, 3), min_df=3, max_features=4000, sublinear_tf=True
                ),
            ),
        ]
    )


def train(samples: int, seed: int) -> dict[str, Any]:
    data = corpus(samples, seed)
    texts = [s.text for s in data]
    union = features()
    matrix = union.fit_transform(texts)
    for _name, vectorizer in union.transformer_list:
        vectorizer.stop_words_ = None  # only kept for introspection, and the biggest part of the pickle
    models: dict[str, Any] = {"features": union}
    for dim in DIMENSIONS:
        model = LogisticRegression(C=4.0, max_iter=2000).fit(matrix, [getattr(s, dim) for s in data])
        model.coef_ = model.coef_.astype("float32")  # halves the artifact; rankings are unchanged
        models[dim] = model
    return models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=20260301)
    args = parser.parse_args()
    models = train(args.samples, args.seed)
    joblib.dump(models, ARTIFACT, compress=9)
    print(
        f"wrote {ARTIFACT} ({ARTIFACT.stat().st_size // 1024} KiB) from {args.samples} samples, seed {args.seed}"
    )


if __name__ == "__main__":
    main()
