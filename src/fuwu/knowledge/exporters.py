"""`fuwu export faq --out DIR`: the knowledge base as question,answer,category rows (the import's format)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from fuwu.knowledge.models import Entry


def export_faq(out: Path, start: dt.date | None = None, end: dt.date | None = None) -> str:
    """Every non-draft entry; its paraphrases are extra rows with the same answer (re-importable as is)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "faq.csv"
    n = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer", "category"])
        live = Entry.objects.exclude(visibility=Entry.Visibility.DRAFT).prefetch_related("paraphrases")
        for entry in live.order_by("pk"):
            for question in [entry.question, *(p.text for p in entry.paraphrases.all())]:
                writer.writerow([question, entry.answer_html, entry.category])
                n += 1
    return f"exported {n} questions to {path}"


EXPORTERS = {"faq": export_faq}
