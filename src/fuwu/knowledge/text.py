"""One normalisation for matching Chinese text: width, traditional→simplified, case, spacing and punctuation.

The assistant's paraphrases and questions and the language checker's phrases and transcripts go through the
same function, so "您好", "您 好", "您好！" and "您好" (full width) all meet as one string.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _keep(ch: str) -> bool:
    # Letters (all scripts, CJK included) and digits; spacing, punctuation and symbols separate nothing.
    return unicodedata.category(ch)[0] in ("L", "N")


def to_simplified(text: str) -> str:
    return str(_converter().convert(text))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """`text` normalised, with the index in `text` of every kept character (to quote the original back)."""
    simplified = to_simplified(unicodedata.normalize("NFKC", text))
    # NFKC and t2s keep one character per character for CJK and ASCII forms; when a rare compatibility
    # character expands, fall back to positions in the normalised string.
    same_length = len(simplified) == len(text)
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(simplified):
        if _keep(ch):
            out.append(ch.lower())
            where.append(i if same_length else min(i, len(text) - 1))
    return "".join(out), where


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]
