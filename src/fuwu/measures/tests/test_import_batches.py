"""#18: `fuwu import events` writes in short transactions as one import batch that readers see only once it is
published, so the floor keeps working during a large import; a refused or failed run leaves nothing behind."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from fuwu.core import batches, clock
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent, ImportBatch
from fuwu.core.principals import SYSTEM
from fuwu.feedback.models import Evaluation
from fuwu.floor import estimates
from fuwu.floor.models import ServiceType, Ticket, TicketEvent
from fuwu.measures import importers, services
from fuwu.measures.tests import factories as f

DAY = dt.date(2026, 10, 12)
HEADER = list(importers.COLUMNS)


def row(n: int, **change: str) -> list[str]:
    """A served, rated ticket of outlet OA on DAY."""
    issued = dt.datetime(2026, 10, 12, 9, n, tzinfo=clock.SHANGHAI)
    values = {
        "ticket_id": f"Q-{n}",
        "outlet_code": "OA",
        "service_code": "CASH",
        "counter_code": "",
        "staff_code": "",
        "customer_tier": "normal",
        "issued_at": issued.isoformat(),
        "called_at": (issued + dt.timedelta(minutes=10)).isoformat(),
        "started_at": (issued + dt.timedelta(minutes=11)).isoformat(),
        "finished_at": (issued + dt.timedelta(minutes=40)).isoformat(),  # a counter held 30 min
        "outcome": "served",
        "evaluation": "satisfied",
        **change,
    }
    return [values[c] for c in HEADER]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def stored() -> tuple[int, int, int, int]:
    """Every ticket, event, evaluation and batch row, hidden or not."""
    return (
        Ticket._base_manager.count(),
        TicketEvent._base_manager.count(),
        Evaluation._base_manager.count(),
        ImportBatch.objects.count(),
    )


def visible() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), Evaluation.objects.count()


def issued_on_day(*, source: str) -> Any:
    out = StringIO()
    args = ["--period", DAY.isoformat(), "--format", "json", "--measure", "tickets_issued"]
    call_command("measures", *args, "--source", source, stdout=out)
    return {r["code"]: r["values"]["tickets_issued"] for r in json.loads(out.getvalue())["rows"]}["OA"]


def unpublished_batch(rows: list[list[str]]) -> ImportBatch:
    """What a run still writing (or one that died) leaves: its chunks committed, its batch not published."""
    look = importers._Lookups()
    checked = []
    for values in rows:
        problems, parsed = importers._check(dict(zip(HEADER, values, strict=True)), look)
        assert problems == []
        checked.append(parsed)
    batch = batches.import_batch_start(actor=SYSTEM, kind="events", file_name="x.csv")
    importers._write_chunk(checked, batch, {})
    return batch


@pytest.fixture
def floor(world: Any) -> Any:
    f.service(world.outlet_a, "CASH")
    return world


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a transaction, so a five-row file is written in three."""
    monkeypatch.setattr(batches, "CHUNK_ROWS", 2)


@pytest.mark.django_db
def test_a_bad_last_row_leaves_nothing_visible_and_nothing_behind(
    floor: Any, small_chunks: None, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "e.csv", [*(row(n) for n in range(1, 5)), row(5, outcome="lost")])
    with pytest.raises(ValidationFailed) as caught:
        importers.import_events(path)
    assert {d["row"] for d in caught.value.details} == {6}
    assert stored() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_failure_while_writing_deletes_what_was_written_and_a_rerun_takes_every_row(
    floor: Any, small_chunks: None, tmp_path: Path
) -> None:
    # The database refuses the fifth row (as a full disk would): two chunks are committed by then.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_q5 BEFORE INSERT ON floor_ticket WHEN NEW.external_id = 'Q-5' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_q5() RETURNS trigger AS $$ BEGIN IF NEW.external_id = 'Q-5' THEN "
                "RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_q5 BEFORE INSERT ON floor_ticket FOR EACH ROW EXECUTE FUNCTION refuse_q5()"
            )
    path = write_csv(tmp_path / "e.csv", [row(n) for n in range(1, 6)])
    with pytest.raises(DatabaseError, match="disk full"):
        importers.import_events(path)
    assert stored() == (0, 0, 0, 0)
    assert AuditEvent.objects.filter(action="core.import_batch_discard").count() == 1
    assert not AuditEvent.objects.filter(action="measures.import_events").exists()

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_q5" + (" ON floor_ticket" if connection.vendor != "sqlite" else "")
        )
    assert importers.import_events(path) == "已导入 5 张号票，跳过 0 张已导入的号票"
    assert visible() == (5, 20, 5)
    assert importers.import_events(path) == "已导入 0 张号票，跳过 5 张已导入的号票"
    assert stored() == (5, 20, 5, 1)


@pytest.mark.django_db
def test_readers_ignore_an_unpublished_batch_until_it_is_published(floor: Any) -> None:
    batch = unpublished_batch([row(1), row(2)])
    assert stored() == (2, 8, 2, 1)
    assert visible() == (0, 0, 0)
    assert not floor.outlet_a.tickets.exists()
    evening = dt.datetime(2026, 10, 12, 18, 0, tzinfo=clock.SHANGHAI)
    service = ServiceType.objects.get(outlet=floor.outlet_a, code="CASH")
    # The wait estimates learn from finished tickets in SQL of their own: not from hidden ones either.
    assert estimates.occupancy_seconds(floor.outlet_a, evening) == {service.pk: service.mean_service_seconds}
    assert issued_on_day(source="facts") == 0
    services.rollup_rebuild(actor=SYSTEM, start=DAY, end=DAY)
    assert issued_on_day(source="rollups") == 0

    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert visible() == (2, 8, 2)
    assert floor.outlet_a.tickets.count() == 2
    assert estimates.occupancy_seconds(floor.outlet_a, evening)[service.pk] > service.mean_service_seconds
    assert issued_on_day(source="facts") == 2
    services.rollup_rebuild(actor=SYSTEM, start=DAY, end=DAY)
    assert issued_on_day(source="rollups") == 2


@pytest.mark.django_db
def test_a_run_that_died_unpublished_blocks_its_rows_then_is_cleared(floor: Any, tmp_path: Path) -> None:
    started = dt.datetime(2026, 10, 13, 8, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(started):
        unpublished_batch([row(1)])
    path = write_csv(tmp_path / "e.csv", [row(1), row(2)])
    with clock.frozen(started + dt.timedelta(hours=1)), pytest.raises(ValidationFailed) as caught:
        importers.import_events(path)
    assert "另一次导入正在写入这些号票" in caught.value.message
    with clock.frozen(started + batches.STALE_AFTER + dt.timedelta(minutes=1)):
        assert importers.import_events(path) == "已导入 2 张号票，跳过 0 张已导入的号票"
    assert stored() == (2, 8, 2, 1)
    assert visible() == (2, 8, 2)


@pytest.mark.django_db(transaction=True)
def test_committed_chunks_stay_hidden_from_other_connections_until_published(floor: Any) -> None:
    """Real commits, read from another thread's connection (SQLite and PostgreSQL)."""

    def counts() -> tuple[tuple[int, int, int], int]:
        seen: list[Any] = []

        def read() -> None:
            try:
                seen.append((visible(), Ticket._base_manager.count()))
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return seen[0]

    batch = unpublished_batch([row(1), row(2), row(3)])
    assert counts() == ((0, 0, 0), 3)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert counts() == ((3, 12, 3), 3)
