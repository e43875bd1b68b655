"""Terms a manager can act on (F6): a real stop list, phrase extraction, and rising terms tested against their
own history.

- Stop list: stopwords-iso's Chinese list (794 words, MIT, the `stopwordsiso` package) plus the feedback
  module's own list plus fragments and fillers that are not complaints (希望, 两个, 低于, 下文, 小时 …).
- Phrases: jieba words of two or more characters that are not stop words, and adjacent pairs of such words
  joined ("排队" + "时间" → "排队时间"), so "窗口少" and "手续费高" surface as what was said, not as "少", "高".
- Rising terms: a term's share of messages in the current window against the same term's share in the
  history window; under "no change" the current count is Binomial(k, n_cur / (n_cur + n_hist)) given the
  k messages in both windows that mention it. One-sided p-values, Benjamini–Hochberg over all terms tested.
- The pad's reason tags are not text: callers count them as a dimension of their own (`reason_counts`),
  never mixed into the terms.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from fuwu.feedback.text import analysis

# Fillers, quantities, time words and connectives that carry no complaint or praise in bank feedback.
DOMAIN_STOP = frozenset(
    [
        "希望",
        "建议",
        "感觉",
        "觉得",
        "认为",
        "知道",
        "一下",
        "一点",
        "有点",
        "有些",
        "一些",
        "两个",
        "三个",
        "几个",
        "一个",
        "一次",
        "两次",
        "这次",
        "那次",
        "每次",
        "小时",
        "分钟",
        "半天",
        "今天",
        "昨天",
        "明天",
        "上午",
        "下午",
        "早上",
        "晚上",
        "时候",
        "之后",
        "之前",
        "以后",
        "以前",
        "当时",
        "现在",
        "已经",
        "还是",
        "就是",
        "而且",
        "但是",
        "可是",
        "不过",
        "因为",
        "所以",
        "如果",
        "虽然",
        "然后",
        "还有",
        "还要",
        "需要",
        "可以",
        "能够",
        "应该",
        "可能",
        "是否",
        "低于",
        "高于",
        "下文",
        "上文",
        "以上",
        "以下",
        "其他",
        "这个",
        "那个",
        "这些",
        "那些",
        "这样",
        "那样",
        "怎么",
        "什么",
        "为什么",
        "问题",
        "情况",
        "事情",
        "东西",
        "方面",
        "地方",
        "银行",
        "网点",
        "支行",
        "我们",
        "你们",
        "他们",
        "大家",
        "自己",
        "人家",
        "客户",
        "工作人员",
        "工作",
        "办理",
        "业务",
        "一直",
        "非常",
        "特别",
        "比较",
        "真的",
        "确实",
        "实在",
        "总是",
    ]
)


@cache
def stop_words() -> frozenset[str]:
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords("zh")) | analysis.STOPWORDS | DOMAIN_STOP


# Where a clause ends: words on either side of these are never joined into one phrase.
_CLAUSE_BREAK = re.compile(r"[，。！？；：、,.!?;:\n]+")


def _content(words: Iterable[str]) -> list[str]:
    stops = stop_words()
    return [w for w in words if len(w) >= 2 and w not in stops and not w.isdigit()]


def phrases(text: str) -> list[str]:
    """The message's content words and adjacent two-word phrases (each once, in order of appearance).

    Words are paired only inside one clause: "太长，只开了" never makes "长只开".
    """
    stops = stop_words()
    out: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        words = analysis.segment(clause) if clause else []
        out += _content(words)
        for a, b in itertools.pairwise(words):
            if a in stops or b in stops or a.isdigit() or b.isdigit():
                continue
            if len(a) + len(b) >= 3 and (len(a) >= 2 or len(b) >= 2):
                out.append(a + b)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class RisingTerm:
    term: str
    current: int  # messages in the current window that mention it
    history: int  # messages in the history window that mention it
    current_share: float
    history_share: float
    p_value: float  # one-sided, "its share rose"
    q_value: float  # Benjamini–Hochberg adjusted


def rising_terms(
    current: Sequence[Sequence[str]],
    history: Sequence[Sequence[str]],
    *,
    min_count: int = 3,
    alpha: float = 0.05,
    limit: int = 20,
) -> list[RisingTerm]:
    """Terms whose share of messages rose significantly in `current` against `history` (lists of terms each)."""
    from scipy.stats import binom

    n_cur, n_hist = len(current), len(history)
    if n_cur == 0 or n_hist == 0:
        return []
    cur: Counter[str] = Counter()
    hist: Counter[str] = Counter()
    for terms in current:
        cur.update(set(terms))
    for terms in history:
        hist.update(set(terms))
    share = n_cur / (n_cur + n_hist)
    tested = []
    for term, c in cur.items():
        if c < min_count:
            continue
        h = hist.get(term, 0)
        if c / n_cur <= h / n_hist:
            continue
        p = float(binom.sf(c - 1, c + h, share))  # P(X ≥ c) with X ~ Binomial(c + h, share)
        tested.append((term, c, h, p))
    # Benjamini–Hochberg over every term that could have risen.
    tested.sort(key=lambda row: row[3])
    m = len(tested)
    q_values = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        running = min(running, tested[rank - 1][3] * m / rank)
        q_values[rank - 1] = running
    rising = [
        RisingTerm(term, c, h, c / n_cur, h / n_hist, p, q)
        for (term, c, h, p), q in zip(tested, q_values, strict=True)
        if q <= alpha
    ]
    rising.sort(key=lambda r: (r.q_value, -r.current))
    return rising[:limit]


def reason_counts(reason_lists: Iterable[Iterable[str]]) -> list[tuple[str, int]]:
    """The pad's reason tags counted as their own dimension (never mixed with text terms)."""
    counter: Counter[str] = Counter()
    for reasons in reason_lists:
        counter.update(set(reasons))
    return counter.most_common()


def mentions(texts: Sequence[tuple[int, str]], term: str) -> list[int]:
    """Drill-down: the ids of the messages whose phrases include `term`."""
    return [pk for pk, text in texts if term in phrases(text)]
