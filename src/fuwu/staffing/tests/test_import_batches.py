"""#18: `fuwu import calls` writes in short transactions as one import batch that readers see only once it is
published, so the floor keeps working during a large import; a refused or failed run leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from fuwu.core import batches, clock, roles
from fuwu.core import services as core_services
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent, ImportBatch
from fuwu.core.principals import SYSTEM
from fuwu.staffing import fact_tables, selectors, services
from fuwu.staffing.importers import import_calls
from fuwu.staffing.models import CallLine, CallRecord
from fuwu.staffing.tests.factories import CALL_HEADER

DAY = dt.date(2026, 3, 2)


def line(n: int, **change: str) -> str:
    """An answered 95599 call offered at 09:n on DAY."""
    at = dt.datetime(2026, 3, 2, 9, n, tzinfo=clock.SHANGHAI)
    values = {
        "call_id": f"c{n}",
        "line": "95599",
        "offered_at": at.isoformat(),
        "answered_at": (at + dt.timedelta(seconds=10)).isoformat(),
        "ended_at": (at + dt.timedelta(minutes=3)).isoformat(),
        "abandoned_at": "",
        "agent": "A01",
        **change,
    }
    return ",".join(values.values())


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(CALL_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored() -> tuple[int, int]:
    """Every call record, hidden or not, and every batch."""
    return CallRecord._base_manager.count(), ImportBatch.objects.count()


def offered_on_day(manager: Any) -> tuple[int, int, int]:
    """What the readers see: the model's manager, the measures' fact rows, the contact-centre page's days."""
    days = selectors.line_days(fetched_by=manager, line=CallLine.HOTLINE, first=DAY, last=DAY)
    return (
        CallRecord.objects.count(),
        len(list(fact_tables.call_rows(DAY, DAY))),
        days[0].total.offered,
    )


def unpublished_batch(world: Any, ids: list[int]) -> ImportBatch:
    """What a run still writing (or one that died) leaves: its chunks committed, its batch not published."""
    batch = batches.import_batch_start(actor=SYSTEM, kind="calls", file_name="x.csv")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    rows = [
        services.CallRow(f"c{n}", CallLine.HOTLINE, at, at, at + dt.timedelta(minutes=3), None, "A01")
        for n in ids
    ]
    CallRecord.objects.bulk_create(services._record(world.ho, r, batch=batch) for r in rows)
    return batch


@pytest.fixture
def manager(world: Any) -> Any:
    return core_services.staff_create(
        actor=SYSTEM, org_unit=world.ho, username="cc", display_name="cc", roles=[roles.CC_MANAGER]
    )


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a transaction, so a five-row file is written in three."""
    monkeypatch.setattr(batches, "CHUNK_ROWS", 2)


@pytest.mark.django_db
def test_a_bad_last_row_leaves_nothing_visible_and_nothing_behind(
    world: Any, small_chunks: None, tmp_path: Path
) -> None:
    path = write(tmp_path, [*(line(n) for n in range(1, 5)), line(5, line="fax")])
    with pytest.raises(ValidationFailed) as caught:
        import_calls(path)
    assert {d["row"] for d in caught.value.details} == {6}
    assert stored() == (0, 0)


@pytest.mark.django_db
def test_a_failure_while_writing_deletes_what_was_written_and_a_rerun_takes_every_row(
    world: Any, manager: Any, small_chunks: None, tmp_path: Path
) -> None:
    # The database refuses the fifth row (as a full disk would): two chunks are committed by then.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_c5 BEFORE INSERT ON staffing_callrecord WHEN NEW.call_id = 'c5' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_c5() RETURNS trigger AS $$ BEGIN IF NEW.call_id = 'c5' THEN "
                "RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_c5 BEFORE INSERT ON staffing_callrecord "
                "FOR EACH ROW EXECUTE FUNCTION refuse_c5()"
            )
    path = write(tmp_path, [line(n) for n in range(1, 6)])
    with pytest.raises(DatabaseError, match="disk full"):
        import_calls(path)
    assert stored() == (0, 0)
    assert AuditEvent.objects.filter(action="core.import_batch_discard").count() == 1
    assert not AuditEvent.objects.filter(action="staffing.calls_import").exists()

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_c5" + (" ON staffing_callrecord" if connection.vendor != "sqlite" else "")
        )
    assert import_calls(path) == "已导入 5 条话务记录"
    assert offered_on_day(manager) == (5, 5, 5)
    # Importing the same file again changes nothing: its calls are known, so the file is refused whole.
    with pytest.raises(ValidationFailed) as caught:
        import_calls(path)
    assert {d["reason"] for d in caught.value.details} == {f"已导入过：c{n}" for n in range(1, 6)}
    assert stored() == (5, 1)
    assert AuditEvent.objects.filter(action="staffing.calls_import").count() == 1


@pytest.mark.django_db
def test_readers_ignore_an_unpublished_batch_until_it_is_published(world: Any, manager: Any) -> None:
    batch = unpublished_batch(world, [1, 2])
    assert stored() == (2, 1)
    assert offered_on_day(manager) == (0, 0, 0)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert offered_on_day(manager) == (2, 2, 2)


@pytest.mark.django_db
def test_a_run_that_died_unpublished_blocks_its_calls_then_is_cleared(
    world: Any, manager: Any, tmp_path: Path
) -> None:
    started = dt.datetime(2026, 3, 3, 8, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(started):
        unpublished_batch(world, [1])
    path = write(tmp_path, [line(1), line(2)])
    with clock.frozen(started + dt.timedelta(hours=1)), pytest.raises(ValidationFailed):
        import_calls(path)
    with clock.frozen(started + batches.STALE_AFTER + dt.timedelta(minutes=1)):
        assert import_calls(path) == "已导入 2 条话务记录"
    assert stored() == (2, 1)
    assert offered_on_day(manager) == (2, 2, 2)


@pytest.mark.django_db(transaction=True)
def test_committed_chunks_stay_hidden_from_other_connections_until_published(world: Any) -> None:
    """Real commits, read from another thread's connection (SQLite and PostgreSQL)."""

    def counts() -> tuple[int, int]:
        seen: list[tuple[int, int]] = []

        def read() -> None:
            try:
                seen.append((CallRecord.objects.count(), CallRecord._base_manager.count()))
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return seen[0]

    batch = unpublished_batch(world, [1, 2, 3])
    assert counts() == (0, 3)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert counts() == (3, 3)
