"""Replacing the JR/T 0169 code tables with the official ones: validated as a whole, applied atomically,
old codes mapped to new ones and every case and library entry migrated (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _

from fuwu.complaints.models import ClassificationCode, Complaint, Dimension, TypicalCase
from fuwu.core import audit
from fuwu.core.access import require
from fuwu.core.errors import ValidationFailed
from fuwu.core.history import by
from fuwu.core.principals import Principal

FIELDS = {"channel": "channel_code", "category": "category_code", "reason": "reason_code"}


@dataclass(frozen=True)
class CodeRow:
    """One row of the official table as read from the file (line: its line number, for messages)."""

    line: int
    dimension: str  # channel | category | reason
    code: str
    name: str
    parent: str = ""
    old_code: str = ""  # the code in use now that this one replaces (blank: none, or the same code)


def _problems(rows: list[CodeRow]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def bad(row: CodeRow, field: str, reason: str) -> None:
        problems.append({"row": row.line, "field": field, "reason": reason})

    by_dim: dict[str, dict[str, CodeRow]] = {}
    existing = {(c.dimension, c.code) for c in ClassificationCode.objects.all()}
    mapped_from: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.dimension not in Dimension.values:
            bad(row, "dimension", _("The dimension must be A, B or C."))
            continue
        if not row.code or len(row.code) > 16:
            bad(row, "code", _("Enter a code of 1 to 16 characters."))
        if not row.name or len(row.name) > 60:
            bad(row, "name", _("Enter a name of 1 to 60 characters."))
        if row.code in by_dim.setdefault(row.dimension, {}):
            bad(row, "code", _("The code %(code)s appears twice.") % {"code": row.code})
        by_dim[row.dimension][row.code] = row
        if row.old_code:
            if (row.dimension, row.old_code) not in existing:
                bad(row, "old_code", _("Unknown old code %(code)s.") % {"code": row.old_code})
            key = (row.dimension, row.old_code)
            if key in mapped_from:
                bad(row, "old_code", _("The old code %(code)s is mapped twice.") % {"code": row.old_code})
            mapped_from[key] = row.line
    for dim, table in by_dim.items():
        for row in table.values():
            seen = {row.code}
            parent = row.parent
            while parent:
                if parent not in table:
                    bad(row, "parent", _("Unknown parent code %(code)s.") % {"code": parent})
                    break
                if parent in seen:
                    bad(row, "parent", _("The parent codes form a loop."))
                    break
                seen.add(parent)
                parent = table[parent].parent
        mapping = _mapping(dim, table)
        parents = {r.parent for r in table.values() if r.parent}
        for old in _in_use(dim):
            new = mapping.get(old)
            if new is None:
                problems.append(
                    {
                        "row": None,
                        "field": "old_code",
                        "reason": _("The code %(code)s is used by cases and has no new code.")
                        % {"code": old},
                    }
                )
            elif new in parents:
                problems.append(
                    {
                        "row": table[new].line,
                        "field": "old_code",
                        "reason": _("Cases coded %(old)s would get %(new)s, which has subclasses.")
                        % {"old": old, "new": new},
                    }
                )
    return problems


def _mapping(dimension: str, table: dict[str, CodeRow]) -> dict[str, str]:
    """Old code → new code: the file's old_code column, and codes kept as they are."""
    explicit = {r.old_code: r.code for r in table.values() if r.old_code}
    kept = {code: code for code in table if code not in explicit}
    return {**kept, **explicit}


def _in_use(dimension: str) -> set[str]:
    field = FIELDS[dimension]
    used = set(Complaint.objects.values_list(field, flat=True).distinct())
    if dimension == "category":
        used |= set(TypicalCase.objects.values_list("category_code", flat=True).distinct())
    return used


def _ordered(table: dict[str, CodeRow]) -> list[CodeRow]:
    """Parents before children, file order otherwise."""
    done: list[CodeRow] = []
    placed: set[str] = set()
    pending = sorted(table.values(), key=lambda r: r.line)
    while pending:
        rest = []
        for row in pending:
            if not row.parent or row.parent in placed:
                done.append(row)
                placed.add(row.code)
            else:
                rest.append(row)
        pending = rest
    return done


@transaction.atomic
def code_table_replace(*, actor: Principal, rows: list[CodeRow]) -> dict[str, int]:
    """Load the official code tables: every dimension in `rows` is replaced, old codes mapped, cases migrated."""
    require(
        actor, "complaints.change_classificationcode", message=_("Your role may not change the code tables.")
    )
    problems = _problems(rows)
    if not rows:
        problems.append({"row": None, "field": None, "reason": _("The file holds no codes.")})
    if problems:
        raise ValidationFailed(_("The code table was not loaded."), details=problems)
    tables: dict[str, dict[str, CodeRow]] = {}
    for row in rows:
        tables.setdefault(row.dimension, {})[row.code] = row
    counts = {"codes": 0, "cases": 0, "library": 0}
    for dim, table in tables.items():
        before = {c.code: c for c in ClassificationCode.objects.filter(dimension=dim)}
        mapping = _mapping(dim, table)
        seed_of = {new: before[old].seed_key for old, new in mapping.items() if old in before}
        ClassificationCode.objects.filter(dimension=dim).update(is_active=False)
        saved: dict[str, ClassificationCode] = {}
        for order, row in enumerate(_ordered(table)):
            code = before.get(row.code) or ClassificationCode(dimension=dim, code=row.code)
            code.name = row.name
            code.parent = saved[row.parent] if row.parent else None
            code.sort_order = order
            code.is_active = True
            code.verified = True
            code.seed_key = seed_of.get(row.code, "")
            by(code, actor).save()
            saved[row.code] = code
            counts["codes"] += 1
        moves = {old: new for old, new in mapping.items() if old != new}
        if moves:
            field = FIELDS[dim]
            # One statement per field, so chains and swaps (01 → 02, 02 → 01) move together.
            counts["cases"] += Complaint.objects.filter(**{f"{field}__in": list(moves)}).update(
                **{field: Case(*[When(Q(**{field: old}), then=Value(new)) for old, new in moves.items()])}
            )
            if dim == "category":
                counts["library"] += TypicalCase.objects.filter(category_code__in=list(moves)).update(
                    category_code=Case(
                        *[When(category_code=old, then=Value(new)) for old, new in moves.items()]
                    )
                )
    audit.record(actor=actor, action="complaint.codes_import", data=counts)
    return counts
