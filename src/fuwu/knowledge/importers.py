"""`fuwu import faq FILE.csv` (question,answer[,category]) and `fuwu import transcripts FILE.csv`
(call_id,agent,time,text).

A CSV file (UTF-8, with or without BOM, or GBK as Excel in China saves it) or an Excel workbook with a header
row, read through core.tabular. Every row is checked first and every problem is
reported with its line number; one bad row means nothing is imported. FAQ rows with the same answer text
are paraphrases of one entry (the first row's question is the standard question). The assistant is
retrained before the command returns, so the new entries answer at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from fuwu.core import batches, clock
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM, Principal, system
from fuwu.core.tabular import read_table, too_long
from fuwu.knowledge import services
from fuwu.knowledge.html import sanitize
from fuwu.knowledge.models import Entry
from fuwu.knowledge.text import normalize

FAQ_COLUMNS = {
    "question": "question",
    "问题": "question",
    "answer": "answer",
    "答案": "answer",
    "category": "category",
    "分类": "category",
}
TRANSCRIPT_COLUMNS = {
    "call_id": "call_id",
    "通话编号": "call_id",
    "agent": "agent",
    "坐席": "agent",
    "time": "time",
    "时间": "time",
    "text": "text",
    "文本": "text",
    "unit": "unit",
    "机构": "unit",
}


def _rows(
    path: Path, columns: dict[str, str], required: tuple[str, ...], limits: dict[str, int]
) -> tuple[list[tuple[int, dict[str, str]]], list[dict[str, Any]]]:
    """(line number, record) for every data row, and the rows that are not records of the header's shape.

    Read through core.tabular like every import (#18): UTF-8 or GBK CSV (as Excel in China saves it) or an
    Excel workbook, a size cap, blank lines skipped without shifting the line numbers (the line where a record
    starts: a quoted field may span lines). Fields longer than `limits` are reported, not cut.
    """
    table = read_table(path)
    names = {h: columns.get(h.strip().lower(), columns.get(h.strip(), "")) for h in table.columns}
    missing = [c for c in required if c not in names.values()]
    if missing:
        raise ValidationFailed(
            _("Missing columns."),
            details=[{"row": 1, "field": c, "reason": _("missing column")} for c in missing],
        )
    out: list[tuple[int, dict[str, str]]] = []
    problems: list[dict[str, Any]] = []
    try:
        for line, raw in table.rows:
            record = {names[h]: v for h, v in raw.items() if names.get(h)}
            out.append((line, record))
            for name, limit in limits.items():
                if (problem := too_long(record.get(name, ""), limit, row=line, field=name)) is not None:
                    problems.append(problem)
    except csv.Error as exc:
        problems.append(
            {
                "row": (out[-1][0] + 1) if out else 2,
                "field": "file",
                "reason": _("not valid CSV: %(error)s") % {"error": exc},
            }
        )
    width = len(table.columns)
    for line, found in table.misfits:
        problems.append(
            {
                "row": line,
                "field": "",
                "reason": _("%(found)s columns, the header has %(expected)s")
                % {"found": found, "expected": width},
            }
        )
    wrong = {line for line, _found in table.misfits}
    return [(line, record) for line, record in out if line not in wrong], problems


def import_faq(path: Path, out: TextIO | Any = None, *, actor: Principal = SYSTEM) -> str:
    """Validate the whole file, create the entries (public FAQ) atomically, then retrain the assistant."""
    rows, problems = _rows(path, FAQ_COLUMNS, ("question", "answer"), {})
    groups: dict[str, dict[str, Any]] = {}
    for line, record in tqdm(rows, desc="checking", unit=" rows", file=out, disable=out is None):
        question = record.get("question", "").strip()
        answer = record.get("answer", "").strip()
        category = record.get("category", "").strip()
        if not question:
            problems.append({"row": line, "field": "question", "reason": _("This field is required.")})
        elif len(question) > 300:
            problems.append(
                {
                    "row": line,
                    "field": "question",
                    "reason": _("Enter at most %(max_length)s characters.") % {"max_length": 300},
                }
            )
        if not answer:
            problems.append({"row": line, "field": "answer", "reason": _("This field is required.")})
        elif not sanitize(answer).strip():
            problems.append(
                {
                    "row": line,
                    "field": "answer",
                    "reason": _("The answer has no text once unsafe HTML is removed."),
                }
            )
        if len(category) > 100:
            problems.append(
                {
                    "row": line,
                    "field": "category",
                    "reason": _("Enter at most %(max_length)s characters.") % {"max_length": 100},
                }
            )
        if not question or not answer:
            continue
        group = groups.setdefault(answer, {"line": line, "questions": [], "category": category, "keys": {}})
        key = normalize(question)
        if key in group["keys"]:
            problems.append(
                {
                    "row": line,
                    "field": "question",
                    "reason": _("the same question as line %(line)s") % {"line": group["keys"][key]},
                }
            )
            continue
        group["keys"][key] = line
        group["questions"].append(question)
        if category and group["category"] and category != group["category"]:
            problems.append(
                {
                    "row": line,
                    "field": "category",
                    "reason": _("line %(line)s gives the same answer the category “%(category)s”")
                    % {"line": group["line"], "category": group["category"]},
                }
            )
    if problems:
        problems.sort(key=lambda p: p["row"])
        raise ValidationFailed(_("The FAQ file has errors."), details=problems)
    actor = actor if actor is not SYSTEM else system("import faq")
    with transaction.atomic():
        for answer, group in tqdm(
            groups.items(), desc="writing", unit=" entries", file=out, disable=out is None
        ):
            first, *rest = group["questions"]
            services.entry_create(
                actor=actor,
                data=services.EntryData(
                    kind=Entry.Kind.FAQ,
                    question=first,
                    answer_html=answer,
                    category=group["category"],
                    visibility=Entry.Visibility.PUBLIC,
                    paraphrases=tuple(rest),
                ),
                note=_("Imported from %(file)s") % {"file": path.name},
                source="import",
            )
    from fuwu.knowledge import engine

    model = engine.train_from_db()
    done = _("imported %(entries)s entries from %(questions)s questions") % {
        "entries": len(groups),
        "questions": len(rows),
    }
    if model is None:
        return done
    return _("%(done)s; assistant retrained on %(count)s questions") % {
        "done": done,
        "count": model.n_questions,
    }


def _moment(value: str) -> dt.datetime:
    text = value.strip().replace("/", "-")
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    return moment


def import_transcripts(path: Path, out: TextIO | Any = None) -> str:
    """Call transcripts: stored, checked for forbidden and missing required phrases, findings reported.

    The whole file is checked first, outside any transaction; then it is written in short transactions as one
    import batch published at once (core.batches, #18), so the floor keeps its turn at the database."""
    rows, problems = _rows(path, TRANSCRIPT_COLUMNS, ("call_id", "agent", "time", "text"), {})
    staff = {
        u.staff_code: u for u in User.objects.filter(staff_code__isnull=False).select_related("org_unit")
    }
    units = {u.code: u for u in OrgUnit.objects.all()}
    seen: dict[str, int] = {}
    actor = system("import transcripts")
    # A run that died long ago gives its calls back; one still running keeps them (they count as taken).
    batches.import_batches_discard_stale(
        actor=actor, kind=services.TRANSCRIPTS_KIND, tables=services.transcript_tables()
    )
    existing = set(services.transcripts_taken([r.get("call_id", "").strip() for _l, r in rows]))
    checked: list[services.TranscriptRow] = []
    for line, record in tqdm(rows, desc="checking", unit=" calls", file=out, disable=out is None):
        call_id = record.get("call_id", "").strip()
        agent_code = record.get("agent", "").strip()
        if not call_id:
            problems.append({"row": line, "field": "call_id", "reason": _("This field is required.")})
        elif call_id in seen:
            problems.append(
                {
                    "row": line,
                    "field": "call_id",
                    "reason": _("the same call as line %(line)s") % {"line": seen[call_id]},
                }
            )
        elif len(call_id) > 64:
            problems.append(
                {
                    "row": line,
                    "field": "call_id",
                    "reason": _("Enter at most %(max_length)s characters.") % {"max_length": 64},
                }
            )
        elif call_id in existing:
            problems.append({"row": line, "field": "call_id", "reason": _("already imported")})
        seen.setdefault(call_id, line)
        agent = staff.get(agent_code)
        unit_code = record.get("unit", "").strip()
        unit = units.get(unit_code) if unit_code else (agent.org_unit if agent else None)
        if not agent_code:
            problems.append({"row": line, "field": "agent", "reason": _("This field is required.")})
        elif len(agent_code) > 32:
            problems.append(
                {
                    "row": line,
                    "field": "agent",
                    "reason": _("Enter at most %(max_length)s characters.") % {"max_length": 32},
                }
            )
        elif unit is None:
            problems.append(
                {
                    "row": line,
                    "field": "unit" if unit_code else "agent",
                    "reason": _("unknown agent or unit: %(code)s") % {"code": unit_code or agent_code},
                }
            )
        try:
            at = _moment(record.get("time", ""))
        except ValueError:
            problems.append({"row": line, "field": "time", "reason": _("Enter a date and time.")})
            continue
        text = record.get("text", "").strip()
        if not text:
            problems.append({"row": line, "field": "text", "reason": _("This field is required.")})
        if unit is not None and call_id and text:
            checked.append(services.TranscriptRow(call_id, agent, agent_code, unit, at, text))
    if not rows and not problems:
        problems.append({"row": 2, "field": "call_id", "reason": _("the file has no data rows")})
    if problems:
        raise ValidationFailed(_("The transcripts file has errors."), details=problems)
    calls, hits = services.transcripts_record(actor=actor, rows=checked, file_name=path.name)
    return _("checked %(calls)s calls, %(hits)s forbidden phrases found") % {"calls": calls, "hits": hits}


LABEL_COLUMNS = {"text": "text", "文本": "text", "label": "label", "标签": "label"}
LABEL_WORDS = {
    "positive": "positive",
    "neutral": "neutral",
    "negative": "negative",
    "正面": "positive",
    "中性": "neutral",
    "负面": "negative",
}


def import_sentiment_labels(path: Path, out: TextIO | Any = None) -> str:
    """The bank's labelled comments (text,label): stored, then the sentiment model is retrained before returning."""
    rows, problems = _rows(path, LABEL_COLUMNS, ("text", "label"), {"text": 2000})
    labelled: list[tuple[str, str]] = []
    for line, record in tqdm(rows, desc="checking", unit=" rows", file=out, disable=out is None):
        text = record.get("text", "").strip()
        label = LABEL_WORDS.get(record.get("label", "").strip().lower())
        if not text:
            problems.append({"row": line, "field": "text", "reason": _("This field is required.")})
        if label is None:
            problems.append(
                {"row": line, "field": "label", "reason": _("must be positive, neutral or negative")}
            )
        if text and label:
            labelled.append((text[:2000], label))
    if problems:
        problems.sort(key=lambda p: p["row"])
        raise ValidationFailed(_("The labels file has errors."), details=problems)
    stored = services.sentiment_labels_add(actor=system("import sentiment-labels"), rows=labelled)
    model = services.sentiment_retrain()
    return _("stored %(count)s labelled comments; sentiment model retrained on %(sources)s") % {
        "count": stored,
        "sources": model["sources"],
    }


IMPORTERS = {
    "faq": import_faq,
    "transcripts": import_transcripts,
    "sentiment-labels": import_sentiment_labels,
}
