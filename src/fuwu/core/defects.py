"""The hand-over point to the rectification ledger (整改台账): every app that finds a service defect reports it here.

Complaints (an upheld case's root cause), feedback (a follow-up that found a fault), knowledge (a forbidden
phrase) and inspections (a failed checklist item) all call `report(...)` inside their own transaction; the app
that keeps the ledger (inspections) receives it through its `ledger.py` hook module and opens a rectification
task. The reporting apps never import the ledger's app, so the layering stays downward: core ← every domain
app, and the ledger is found at run time like the other per-app hooks (`core.discovery`).

A ledger module defines:
    receive(*, actor: Principal, defect: Defect) -> object       # open (or return the existing) task
    view(task: object) -> TaskView | None                         # a task it opened, as other apps show it
    tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]
and may define, when receiving a defect starts other work than a task (training assigned from it):
    follow_ups_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[FollowUpView]
and, to take many defects at once in few statements (an import's findings, where it cannot hide them):
    receive_many(*, actor: Principal, defects: Sequence[Defect]) -> list[object]
and, to take an import's findings while the import runs, hidden with its unpublished batch (#18):
    receive_batch(*, actor, defects, batch: ImportBatch) -> set[tuple[int, date]]  # in a chunk's transaction;
        # writes tagged with `batch` only, tells nobody; returns the (unit id, business date) pairs of the
        # measures' facts those rows change once published
    batch_published(*, actor, batch: ImportBatch) -> None  # after the publish committed: notifications etc.
    batch_tables() -> Sequence[type[Model]]  # what receive_batch writes, children first (deleted on discard)

An import's findings therefore cost its closing (publishing) transaction nothing (#18): a kiosk call that
arrives then waits for a few statements, not for one insert per finding. `report_hidden` gives them to the
ledgers during the import's chunks, `report_published` finishes after the publish: ledgers with
`receive_batch` send their notifications, the others (training assignments, which cannot be hidden) receive
the defects then, a slice per short transaction. A crash between the publish and that step loses those
follow-ups, never the tasks (their notification keys let the step run again).

One source opens one task per `source_id`; a source that needs several (a complaint's handler opens further
remediation tasks after its decision) numbers them `<id>/<n>`, and `tasks_for(<id>)` returns them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fuwu.core.discovery import app_modules

if TYPE_CHECKING:
    from django.db.models import Model

    from fuwu.core.models import ImportBatch, OrgUnit, User
    from fuwu.core.principals import Principal


class SourceKind:
    INSPECTION = "inspection"
    COMPLAINT = "complaint"
    EVALUATION = "evaluation"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Defect:
    """One service defect, whatever found it."""

    source_kind: str  # a SourceKind value
    source_id: str  # the finding's / case's / follow-up's / hit's primary key, as text
    label: str  # what a person recognises it by: a case reference, a checklist item
    unit: OrgUnit  # the unit that must fix it (usually an outlet)
    description: str  # what is wrong, already de-identified / masked by the reporter
    severity: str = "normal"  # minor | normal | major | critical: sets the due date in business days
    staff: User | None = None  # the staff member concerned, when there is one
    reason_code: str = ""  # checklist item code, complaint reason code or phrase id (training rules, T3)
    url: str = ""  # where the source can be opened
    owner: User | None = None  # who must fix it, when the reporter chose (else the unit's head)
    due: dt.date | None = None  # the deadline, when the reporter set one (else business days by severity)


@dataclass(frozen=True)
class TaskView:
    """A rectification task as other apps show it beside their own object."""

    id: int
    state: str
    state_label: str
    owner: str
    due: Any
    url: str
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class FollowUpView:
    """Other work started from the same defect (a course assigned from a finding), shown beside its task."""

    kind: str  # what it is, in the reader's language ("培训")
    title: str  # e.g. the course
    person: str
    state_label: str
    due: Any
    done: bool
    done_at: Any


def _ledgers() -> list[Any]:
    return [module for _app, module in app_modules("ledger")]


def report(*, actor: Principal, defect: Defect) -> list[object]:
    """Hand `defect` to the ledger in the caller's transaction; returns what the ledger opened (none: no ledger)."""
    return [module.receive(actor=actor, defect=defect) for module in _ledgers()]


def report_hidden(
    *, actor: Principal, defects: Sequence[Defect], batch: ImportBatch
) -> set[tuple[int, dt.date]]:
    """An import's findings, in one of its chunk transactions: ledgers that can hide their rows with `batch`
    write them now; returns the (unit id, business date) pairs for the publishing transaction to mark dirty."""
    pairs: set[tuple[int, dt.date]] = set()
    for module in _ledgers():
        hidden = getattr(module, "receive_batch", None)
        if hidden is not None:
            pairs |= hidden(actor=actor, defects=defects, batch=batch)
    return pairs


def report_published(*, actor: Principal, defects: Sequence[Defect], batch: ImportBatch) -> None:
    """After `batch`'s publish committed (outside any transaction): each ledger's follow-ups of the findings
    `report_hidden` was given, in short transactions with the floor let in between."""
    from django.db import transaction

    from fuwu.core import batches  # at run time: this module is imported before the models are ready

    for module in _ledgers():
        if getattr(module, "receive_batch", None) is not None:
            module.batch_published(actor=actor, batch=batch)
            continue
        many = getattr(module, "receive_many", None)
        for part in batches.chunks(defects):
            with transaction.atomic():
                if many is not None:
                    many(actor=actor, defects=part)
                else:
                    for defect in part:
                        module.receive(actor=actor, defect=defect)


def batch_tables() -> list[type[Model]]:
    """The ledgers' tables `report_hidden` writes to, children first: what a discarded batch deletes."""
    found: list[type[Model]] = []
    for module in _ledgers():
        tables = getattr(module, "batch_tables", None)
        if tables is not None:
            found.extend(tables())
    return found


def view(task: object) -> TaskView | None:
    """A rectification task `report` returned, as other apps show it; None for what no ledger shows as one
    (another hook's answer, such as a training assignment)."""
    for module in _ledgers():
        describe = getattr(module, "view", None)
        found: TaskView | None = describe(task) if describe is not None else None
        if found is not None:
            return found
    return None


def tasks_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[TaskView]:
    """The rectification tasks opened for one source, as `fetched_by` may see them."""
    found: list[TaskView] = []
    for module in _ledgers():
        found.extend(module.tasks_for(fetched_by=fetched_by, source_kind=source_kind, source_id=source_id))
    return found


def follow_ups_for(*, fetched_by: Principal, source_kind: str, source_id: str) -> list[FollowUpView]:
    """What else the defect set going (training and its completion, T3), as `fetched_by` may see it."""
    found: list[FollowUpView] = []
    for module in _ledgers():
        hook = getattr(module, "follow_ups_for", None)
        if hook is not None:
            found.extend(hook(fetched_by=fetched_by, source_kind=source_kind, source_id=source_id))
    return found
