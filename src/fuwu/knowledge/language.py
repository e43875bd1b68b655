"""The service-language checker (A3): forbidden and required phrases found by Aho–Corasick over normalised text.

Phrases and texts go through `text.normalize` (full width → half width, traditional → simplified, case,
spacing and punctuation dropped), so "不 归 我 管", "不歸我管" and "不归我管！" are one hit. The automaton is
rebuilt when the dictionary changes (its rows' count and last change are the cache key).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from fuwu.knowledge.text import normalize, normalize_with_map


@dataclass(frozen=True)
class Hit:
    phrase_id: int
    phrase: str
    matched: str  # the text as written (original characters, spacing and width included)
    start: int  # index in the original text
    end: int


@dataclass
class CheckResult:
    forbidden: list[Hit] = field(default_factory=list)
    required_missing: list[tuple[int, str]] = field(default_factory=list)  # (phrase id, phrase)


@dataclass
class _Dictionary:
    automaton: Any
    required: dict[int, tuple[str, list[str]]]  # phrase id → (phrase, normalised variants)
    names: dict[int, str]


_cache: dict[str, Any] = {"key": None, "dict": None}
_lock = threading.Lock()


def _dictionary() -> _Dictionary:
    from fuwu.knowledge.models import Phrase

    state = Phrase.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    key = f"{state['n']}:{state['last']}"
    if _cache["key"] == key:
        return _cache["dict"]
    with _lock:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        required: dict[int, tuple[str, list[str]]] = {}
        names: dict[int, str] = {}
        patterns: dict[str, list[int]] = {}
        for phrase in Phrase.objects.filter(is_active=True):
            names[phrase.pk] = phrase.text
            forms = [normalize(v) for v in [phrase.text, *phrase.variant_list()]]
            forms = [f for f in forms if f]
            if phrase.kind == Phrase.Kind.REQUIRED:
                required[phrase.pk] = (phrase.text, forms)
                continue
            for form in forms:
                patterns.setdefault(form, []).append(phrase.pk)
        for form, ids in patterns.items():
            automaton.add_word(form, (form, tuple(ids)))
        if patterns:
            automaton.make_automaton()
        built = _Dictionary(automaton if patterns else None, required, names)
        _cache["key"], _cache["dict"] = key, built
        return built


def check(text: str, *, required: bool = False) -> CheckResult:
    """Forbidden phrases in `text` (each with the original wording); with `required`, the required ones missing."""
    book = _dictionary()
    norm, where = normalize_with_map(text)
    result = CheckResult()
    spans: dict[int, list[tuple[int, int]]] = {}  # phrase id → normalised spans already reported
    if book.automaton is not None and norm:
        for end, (form, ids) in book.automaton.iter(norm):
            start = end - len(form) + 1
            o_start, o_end = where[start], where[end] + 1
            for pk in ids:
                taken = spans.setdefault(pk, [])
                # A phrase and its own variant inside it ("你问我我问谁" ⊃ "问我我问谁") are one hit: keep the longer.
                overlapping = [s for s in taken if s[0] <= end and start <= s[1]]
                if any(s[1] - s[0] >= end - start for s in overlapping):
                    continue
                for s in overlapping:
                    taken.remove(s)
                    result.forbidden = [
                        h for h in result.forbidden if not (h.phrase_id == pk and h.start == where[s[0]])
                    ]
                taken.append((start, end))
                result.forbidden.append(Hit(pk, book.names[pk], text[o_start:o_end], o_start, o_end))
    if required:
        for pk, (name, forms) in book.required.items():
            if not any(f in norm for f in forms):
                result.required_missing.append((pk, name))
    result.forbidden.sort(key=lambda h: h.start)
    return result


def excerpt(text: str, hit: Hit, around: int = 20) -> str:
    start, end = max(0, hit.start - around), min(len(text), hit.end + around)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
