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
from typing import TypeVar

from django.db import connection, models, transaction

from fuwu.core import audit, clock
from fuwu.core.models import ImportBatch
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
