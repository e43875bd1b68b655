"""Knowledge gaps (A2): the questions the assistant handed over or was unsure of, clustered by meaning so the
editors see the top missing answers with their counts and examples, not one row per wording.

Words by jieba over the normalised text (core of a Chinese question: 信用卡/挂失/额度) plus character bigrams
(robust to jieba's splits of product names and typos), TF-IDF weighted; average-linkage agglomerative
clustering on cosine distance with a distance threshold, so the number of gaps is not fixed in advance and a
one-off question stays on its own. Pure functions over text: the service feeds them the open questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fuwu.knowledge.text import normalize

# Average cosine distance under which questions share a cluster. Chosen on the hand-written questions of
# tests/test_gaps.py (a smoke test: no public Chinese question set with labels ships in a PyPI package).
DISTANCE = 0.85
MAX_QUESTIONS = 3000  # the newest open questions; the distance matrix is N² floats
TERMS = 3
EXAMPLES = 3

_STOP = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "我",
        "你",
        "您",
        "是",
        "在",
        "有",
        "和",
        "要",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "可以",
        "能",
        "能否",
        "请问",
        "一下",
        "为什么",
        "哪里",
        "多少",
        "几",
        "个",
        "想",
        "这个",
        "那个",
        "么",
    ]
)


@dataclass(frozen=True)
class Cluster:
    members: list[int]  # indexes into the input, the most central first
    terms: list[str]  # the words that weigh most in the cluster


def _words(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(normalize(text)) if w.strip() and w not in _STOP]


def _features(texts: list[str]) -> Any:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(tokenizer=_words, token_pattern=None, lowercase=False, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), preprocessor=normalize, sublinear_tf=True)
    word_matrix = words.fit_transform(texts)
    matrix = hstack([word_matrix, chars.fit_transform(texts) * 0.7]).tocsr()
    return matrix, word_matrix, words.get_feature_names_out()


def cluster(texts: list[str], *, distance: float = DISTANCE) -> list[Cluster]:
    """Clusters of `texts` by meaning, largest first (singletons included)."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics.pairwise import cosine_distances
    from sklearn.preprocessing import normalize as l2

    if not texts:
        return []
    if len(texts) == 1:
        return [Cluster([0], _words(texts[0])[:TERMS])]
    matrix, word_matrix, vocabulary = _features(texts)
    matrix = l2(matrix)
    distances = cosine_distances(matrix)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    ).fit_predict(distances)
    out = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        # most central first: the smallest mean distance to the rest of the cluster
        order = members[np.argsort(distances[np.ix_(members, members)].mean(axis=1), kind="stable")]
        weights = np.asarray(word_matrix[members].sum(axis=0)).ravel()
        ranked = [str(vocabulary[i]) for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
        # a gap's name reads better in words than in single characters (到, 丢) unless nothing else is left
        top = ([w for w in ranked if len(w) > 1] or ranked)[:TERMS]
        out.append(Cluster([int(i) for i in order], top))
    out.sort(key=lambda c: (-len(c.members), c.members[0]))
    return out
