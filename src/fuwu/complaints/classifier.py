"""Suggest the three JR/T 0169 codes and the severity from the complaint text (jieba + scikit-learn).

The model is a small joblib artifact kept in the repo (`ml/classifier.joblib`), trained by
`python -m fuwu.complaints.ml.train` and measured by `python -m fuwu.complaints.ml.evaluate`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTIFACT = Path(__file__).parent / "ml" / "classifier.joblib"
DIMENSIONS = ("channel", "category", "reason", "severity")

_lock = threading.Lock()
_models: dict[str, Any] | None = None


@dataclass(frozen=True)
class Suggestion:
    dimension: str
    code: str
    probability: float


def tokenize(text: str) -> list[str]:
    """jieba words without punctuation or whitespace (the vectorizer adds bigrams)."""
    import jieba  # a third of a second to import: loaded by the first suggestion, not with the URLconf

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


def models() -> dict[str, Any]:
    global _models
    if _models is None:
        import joblib

        with _lock:
            if _models is None:
                _models = joblib.load(ARTIFACT)
    return _models


def rank(text: str, dimension: str) -> list[tuple[str, float]]:
    """Every code of `dimension`, most probable first."""
    loaded = models()
    model = loaded[dimension]
    probs = model.predict_proba(loaded["features"].transform([text]))[0]
    return sorted(zip(model.classes_, (float(p) for p in probs), strict=True), key=lambda cp: -cp[1])


def suggest(text: str, *, top: int = 3) -> list[Suggestion]:
    """The `top` most probable codes per dimension; empty text gives no suggestions."""
    if not text.strip():
        return []
    return [
        Suggestion(dim, str(code), round(p, 3)) for dim in DIMENSIONS for code, p in rank(text, dim)[:top]
    ]
