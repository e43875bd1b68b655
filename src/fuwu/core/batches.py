"""Large imports written beside the floor's own writes (#18).

SQLite has one writer at a time: an import of 200k rows in one transaction held the lock for a minute and a
half, and kiosks and counters got "database is locked". So an importer validates the whole file first (no
transaction), then writes its rows in short transactions (`chunks`), pausing between them, into rows
tagged with an `ImportBatch`. Readers see those rows only once one short update publishes the batch
(`PublishedManager`), so the file still lands all at once or not at all; a failed run deletes its rows.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection, models, transaction

from fuwu.core import audit, clock
from fuwu.core.history import by
from fuwu.core.models import ImportBatch, ImportUndo
from fuwu.core.principals import Principal

# The most rows one transaction writes (and one IN list names); each chunk is sized to hold the lock about
# TARGET_HOLD_SECONDS on the machine as loaded now, starting from FIRST_CHUNK_ROWS.
CHUNK_ROWS = 5000
FIRST_CHUNK_ROWS = 500
TARGET_HOLD_SECONDS = 0.2
# SQLite's busy handler lets a waiting writer retry at most every 100 ms: a longer pause between two chunks
# lets every kiosk or counter call that queued behind a chunk in before the next one.
FLOOR_PAUSE_SECONDS = 0.12
# A batch still unpublished this long after its start belongs to a run that died (killed, power cut).
STALE_AFTER = dt.timedelta(hours=6)

T = TypeVar("T")


def chunks(rows: Sequence[T]) -> Iterator[Sequence[T]]:
    """`rows` in consecutive slices for the caller to write, one short transaction each, with the floor's
    writers let in between; a slice that took longer than the target halves the next, a quick one doubles it."""
    size = min(FIRST_CHUNK_ROWS, CHUNK_ROWS)
    start = 0
    while start < len(rows):
        began = time.perf_counter()
        yield rows[start : start + size]
        start += size
        took = time.perf_counter() - began
        if took > TARGET_HOLD_SECONDS:
            size = max(1, size // 2)
        elif took < TARGET_HOLD_SECONDS / 2:
            size = min(CHUNK_ROWS, size * 2)
        if start < len(rows):
            yield_to_floor()


def stored(model: type[models.Model], field: str, values: Sequence[str]) -> list[str]:
    """Which of `values` a row of `model` already holds in `field`, rows of running (unpublished) imports
    included, looked up in IN lists of at most CHUNK_ROWS (SQLite's variable limit)."""
    found: set[str] = set()
    for start in range(0, len(values), CHUNK_ROWS):
        found.update(
            model._base_manager.filter(**{f"{field}__in": values[start : start + CHUNK_ROWS]}).values_list(
                field, flat=True
            )
        )
    return sorted(found)


def published_sql(column: str) -> str:
    """A WHERE condition for statements written out in SQL: `column` (an import_batch link) is empty or names a
    published batch — what `PublishedManager` adds to every ORM read."""
    table = ImportBatch._meta.db_table
    return f"({column} IS NULL OR {column} NOT IN (SELECT id FROM {table} WHERE published_at IS NULL))"


def yield_to_floor() -> None:
    """Between two chunks: give the floor's writers their turn (PostgreSQL locks rows, not the database)."""
    if connection.vendor == "sqlite":
        time.sleep(FLOOR_PAUSE_SECONDS)


def import_batches_discard_stale(
    *, actor: Principal, kind: str, tables: Sequence[type[models.Model]]
) -> None:
    """Delete the rows of earlier runs of this kind that died unpublished, so their ids can be imported."""
    for stale in ImportBatch.objects.filter(
        kind=kind, published_at=None, started_at__lt=clock.now() - STALE_AFTER
    ):
        import_batch_discard(actor=actor, batch=stale, tables=tables)


def import_batch_start(*, actor: Principal, kind: str, file_name: str) -> ImportBatch:
    """A new unpublished batch: the rows written with it stay hidden until `import_batch_publish`."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, file_name=file_name[:255], started_at=clock.now())
        audit.record(actor=actor, action="core.import_batch_start", target=batch, data={"kind": kind})
    return batch


def import_batch_publish(*, actor: Principal, batch: ImportBatch) -> None:
    """Make every row of the batch visible at once; call inside the importer's closing transaction."""
    published = ImportBatch.objects.filter(pk=batch.pk, published_at=None).update(published_at=clock.now())
    if published != 1:
        raise RuntimeError(f"import batch {batch.pk} was discarded or published by someone else")
    audit.record(actor=actor, action="core.import_batch_publish", target=batch, data={"kind": batch.kind})


def import_batch_discard(
    *, actor: Principal, batch: ImportBatch, tables: Sequence[type[models.Model]]
) -> None:
    """Delete an unpublished batch and its rows, `tables` children first, in short transactions."""
    for table in tables:
        pks = list(table._base_manager.filter(import_batch=batch).values_list("pk", flat=True))
        for part in chunks(pks):
            with transaction.atomic():
                table._base_manager.filter(pk__in=part).delete()
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk, published_at=None).delete()
        audit.record(
            actor=actor, action="core.import_batch_discard", data={"kind": batch.kind, "id": batch.pk}
        )


# --- upsert imports: an undo log instead of hidden rows -------------------------------------------------------
#
# Customers and holdings are upserts: most rows of a file update rows the floor reads and writes all day
# (a counter confirming a form changes a customer's address), so they cannot hide behind an unpublished batch.
# Such an import writes in the same short chunks, each chunk logging in the same transaction how to take back
# every row it wrote (`ImportUndo`): delete what it created, put back the old values of what it updated. A
# failed run (bad data caught late, a database error, Ctrl-C) replays that log in short transactions before
# re-raising, so it still leaves nothing behind; a run that died without replaying it (killed, power cut) is
# replayed by the next run of its kind once STALE_AFTER has passed. Publishing (one short update) makes the
# run final and drops its log. Readers see each chunk as it commits — the file is the core system's truth and
# every row is valid on its own; what the log guarantees is that a run which does not finish leaves nothing.


def snapshot(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The JSON form of `fields` of `obj` (foreign keys by id), as `ImportUndo.before`/`after` keep them."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = field.value_from_object(obj)  # type: ignore[union-attr]
        if isinstance(value, dt.date | Decimal):
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
        values[field.attname] = value  # type: ignore[union-attr]
    return values


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of every obj by primary key: one prepared UPDATE run for all rows (executemany).
    Django's bulk_update builds a CASE expression per field and row, which cost an import milliseconds a row."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in columns)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]  # type: ignore[union-attr]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def undo_log(
    *,
    batch: ImportBatch,
    model: type[models.Model],
    created: Sequence[int] = (),
    changed: Sequence[tuple[int, dict[str, Any], dict[str, Any]]] = (),
) -> None:
    """Log, inside the chunk's own transaction, the rows it created and the (pk, before, after) it changed."""
    label = model._meta.label_lower
    ImportUndo.objects.bulk_create(
        [ImportUndo(batch=batch, model=label, row_id=pk, created=True) for pk in created]
        + [
            ImportUndo(batch=batch, model=label, row_id=pk, before=before, after=after)
            for pk, before, after in changed
        ]
    )


def import_batch_settle(*, actor: Principal, batch: ImportBatch, data: dict[str, Any]) -> None:
    """Publish an upsert batch with its audit row (`data`: the counts), then drop its undo log in chunks."""
    with transaction.atomic():
        import_batch_publish(actor=actor, batch=batch)
        audit.record(actor=actor, action=f"{batch.kind}.import", data=data)
    _undo_forget(batch)


def _undo_forget(batch: ImportBatch) -> None:
    pks = list(ImportUndo.objects.filter(batch=batch).values_list("pk", flat=True))
    for part in chunks(pks):
        with transaction.atomic():
            ImportUndo.objects.filter(pk__in=part).delete()


def import_batch_undo(*, actor: Principal, batch: ImportBatch) -> dict[str, int]:
    """Take back every row of an unpublished upsert batch, newest first, in short transactions; then delete
    the batch. A value the floor changed since the import wrote it stays; a created row something else now
    points to (a ticket, a form) stays too and is counted as `kept` in the audit row."""
    counts = {"restored": 0, "deleted": 0, "kept": 0}
    newest_first = list(ImportUndo.objects.filter(batch=batch).order_by("-pk").values_list("pk", flat=True))
    for part in chunks(newest_first):
        with transaction.atomic():
            by_model: dict[str, list[ImportUndo]] = {}
            for entry in ImportUndo.objects.filter(pk__in=part).order_by("-pk"):
                by_model.setdefault(entry.model, []).append(entry)
            for label, entries in by_model.items():
                model = apps.get_model(label)
                counts["restored"] += _restore(actor, model, [e for e in entries if not e.created])
                deleted, kept = _delete_unreferenced(model, [e.row_id for e in entries if e.created])
                counts["deleted"] += deleted
                counts["kept"] += kept
            ImportUndo.objects.filter(pk__in=part).delete()
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk, published_at=None).delete()
        audit.record(
            actor=actor,
            action="core.import_batch_undo",
            data={"kind": batch.kind, "id": batch.pk, **counts},
        )
    return counts


def _restore(actor: Principal, model: type[models.Model], entries: Sequence[ImportUndo]) -> int:
    if not entries:
        return 0
    current = model._base_manager.select_for_update().in_bulk([e.row_id for e in entries])
    restored, fields = [], set()
    for entry in entries:
        obj = current.get(entry.row_id)
        if obj is None:
            continue
        touched = False
        for attname, old in entry.before.items():
            field = next(f for f in model._meta.concrete_fields if f.attname == attname)
            if field.to_python(entry.after.get(attname)) != getattr(obj, attname):
                continue  # the floor wrote this column since: its value stands
            setattr(obj, attname, field.to_python(old))
            fields.add(field.name)
            touched = True
        if touched:
            restored.append(by(obj, actor))
    if restored:
        update_rows(model, restored, sorted(fields))
        history = getattr(model, "history", None)
        if history is not None:
            history.bulk_history_create(restored, update=True)
    return len(restored)


def _delete_unreferenced(model: type[models.Model], pks: Sequence[int]) -> tuple[int, int]:
    """Delete the rows `pks` of `model` nothing else refers to (so no cascade reaches the floor's rows)."""
    if not pks:
        return 0, 0
    referenced: set[int] = set()
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.related_model is None:
            continue
        remote = relation.field
        referenced.update(
            remote.model._base_manager.filter(**{f"{remote.name}__in": pks}).values_list(
                remote.attname, flat=True
            )
        )
    free = [pk for pk in pks if pk not in referenced]
    # Through Django's collector (not a raw DELETE): each deleted row gets its history row, like any other.
    model._base_manager.filter(pk__in=free).delete()
    return len(free), len(pks) - len(free)


def import_batches_undo_stale(*, actor: Principal, kind: str) -> None:
    """Take back the rows of earlier upsert runs of this kind that died before publishing or undoing."""
    for stale in ImportBatch.objects.filter(
        kind=kind, published_at=None, started_at__lt=clock.now() - STALE_AFTER
    ):
        import_batch_undo(actor=actor, batch=stale)
    for settled in ImportBatch.objects.filter(
        kind=kind, published_at__isnull=False, undo__isnull=False
    ).distinct():
        _undo_forget(settled)
