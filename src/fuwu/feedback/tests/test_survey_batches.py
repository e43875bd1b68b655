"""#18: `fuwu import survey` writes in short transactions as one import batch that readers see only once it is
published; the detractors' follow-ups (and their history) are part of the batch, so a refused or failed run
leaves nothing behind and the escalation sweep never sees a follow-up of an unpublished file."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from fuwu.core import batches, clock
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent, ImportBatch
from fuwu.core.principals import SYSTEM
from fuwu.feedback import importers, selectors, services
from fuwu.feedback.models import FollowUp, SurveyBatch, SurveyResponse

HEADER = "response_id,outlet_code,date,nps,service_csat,overall_csat,comment\n"
# R1, R3 and R6 are detractors (NPS ≤ 6): each opens a follow-up at its outlet.
SEVEN = [
    "R1,OA,2026-02-20,3,2,2,排队太久",
    "R2,OA,2026-02-20,9,5,5,很好",
    "R3,OB,2026-02-21,5,3,3,态度一般",
    "R4,OB,2026-02-21,10,5,5,",
    "R5,OA,2026-02-22,8,4,4,",
    "R6,OA,2026-02-22,0,1,1,很差",
    "R7,OB,2026-02-23,9,4,5,",
]
FEBRUARY = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(world: Any, path: Path) -> str:
    return importers.survey_import_file(path, actor=world.hq_manager, org_unit=world.ho, file_name=path.name)


def stored() -> dict[str, int]:
    """Every row the import writes, hidden or not."""
    return {
        "responses": SurveyResponse._base_manager.count(),
        "files": SurveyBatch._base_manager.count(),
        "follow-ups": FollowUp._base_manager.count(),
        "follow-up history": FollowUp.history.model.objects.count(),
        "batches": ImportBatch.objects.count(),
    }


def seen(who: Any) -> tuple[int, int, int]:
    """What the readers see: the survey figures, the follow-up list, the model's manager."""
    figures = selectors.survey_figures(fetched_by=who, unit=who.org_unit, start=FEBRUARY[0], end=FEBRUARY[1])
    return figures.responses, selectors.follow_ups(fetched_by=who).count(), SurveyResponse.objects.count()


def unpublished_batch(world: Any, lines: list[str]) -> ImportBatch:
    """What a run still writing (or one that died) leaves: its chunks committed, its batch not published."""
    rows = [
        services.SurveyRow(
            rid,
            world.outlet_a if code == "OA" else world.outlet_b,
            dt.date.fromisoformat(day),
            int(nps),
            int(s),
            int(o),
            c,
        )
        for rid, code, day, nps, s, o, c in (line.split(",") for line in lines)
    ]
    batch = batches.import_batch_start(actor=SYSTEM, kind=services.SURVEY_KIND, file_name="x.csv")
    survey = SurveyBatch.objects.create(
        org_unit=world.ho, file_name="x.csv", imported_at=clock.now(), rows=len(rows), import_batch=batch
    )
    owners = {world.outlet_a.pk: world.head_a, world.outlet_b.pk: None}
    services._survey_write(rows, actor=SYSTEM, survey=survey, batch=batch, owners=owners)
    return batch


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a transaction, so a seven-row file is written in four."""
    monkeypatch.setattr(batches, "CHUNK_ROWS", 2)


@pytest.mark.django_db
def test_a_bad_last_row_leaves_nothing_stored(
    world: Any, frozen_clock: Any, small_chunks: None, tmp_path: Path
) -> None:
    path = write(tmp_path, [*SEVEN[:-1], "R7,OB,2026-02-23,11,4,5,"])
    with pytest.raises(ValidationFailed) as caught:
        run(world, path)
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(8, "nps")]
    assert caught.value.message == "调查文件有 1 处问题，首处在第 8 行；未导入任何数据。"
    assert set(stored().values()) == {0}


@pytest.mark.django_db
def test_rows_and_follow_ups_stay_hidden_between_chunks_and_appear_at_publishing(
    world: Any, frozen_clock: Any, small_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    observed: list[tuple[int, int, int, int, int]] = []
    pause = batches.yield_to_floor

    def look() -> None:
        # Each time the import lets the floor in (the real pause still runs).
        observed.append(
            (
                SurveyResponse._base_manager.count(),
                FollowUp._base_manager.count(),
                SurveyResponse.objects.count(),
                FollowUp.objects.count(),
                SurveyBatch.objects.count(),
            )
        )
        pause()

    monkeypatch.setattr(batches, "yield_to_floor", look)
    assert run(world, write(tmp_path, SEVEN)) == "已导入 7 条调查答卷"
    monkeypatch.undo()
    assert observed == [(2, 1, 0, 0, 0), (4, 2, 0, 0, 0), (6, 3, 0, 0, 0)]
    assert stored() == {"responses": 7, "files": 1, "follow-ups": 3, "follow-up history": 3, "batches": 1}
    assert seen(world.hq_manager) == (7, 3, 7)
    assert (
        FollowUp.objects.filter(outlet=world.outlet_a).get(survey_response__external_id="R1").owner
        == world.head_a
    )


@pytest.mark.django_db
def test_a_failure_in_a_middle_chunk_deletes_what_was_written_and_a_rerun_takes_every_row(
    world: Any, frozen_clock: Any, small_chunks: None, tmp_path: Path
) -> None:
    # The database refuses the fourth response (as a full disk would): the first chunk, with a detractor's
    # follow-up and its history, is committed by then; the second fails, two more never start.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_r4 BEFORE INSERT ON feedback_surveyresponse WHEN NEW.external_id = 'R4' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_r4() RETURNS trigger AS $$ BEGIN IF NEW.external_id = 'R4' THEN "
                "RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_r4 BEFORE INSERT ON feedback_surveyresponse "
                "FOR EACH ROW EXECUTE FUNCTION refuse_r4()"
            )
    path = write(tmp_path, SEVEN)
    with pytest.raises(DatabaseError, match="disk full"):
        run(world, path)
    assert set(stored().values()) == {0}
    assert AuditEvent.objects.filter(action="core.import_batch_discard").count() == 1
    assert not AuditEvent.objects.filter(action="survey.import").exists()

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_r4"
            + (" ON feedback_surveyresponse" if connection.vendor != "sqlite" else "")
        )
    assert run(world, path) == "已导入 7 条调查答卷"
    assert stored() == {"responses": 7, "files": 1, "follow-ups": 3, "follow-up history": 3, "batches": 1}
    assert seen(world.hq_manager) == (7, 3, 7)
    # The same file again changes nothing: its responses are known, so it is refused whole, row by row.
    with pytest.raises(ValidationFailed) as caught:
        run(world, path)
    assert {(d["row"], d["reason"]) for d in caught.value.details} == {
        (n + 1, "已导入过") for n in range(1, 8)
    }
    assert stored()["responses"] == 7
    assert AuditEvent.objects.filter(action="survey.import").count() == 1


@pytest.mark.django_db
def test_readers_and_the_escalation_sweep_ignore_an_unpublished_batch(world: Any, frozen_clock: Any) -> None:
    batch = unpublished_batch(world, SEVEN[:2])
    assert stored()["responses"] == 2 and stored()["follow-ups"] == 1
    assert seen(world.hq_manager) == (0, 0, 0)
    # Long past its deadline, the hidden follow-up is not escalated (nobody could see or work it).
    frozen_clock.advance(dt.timedelta(days=10))
    assert services.follow_ups_escalate(actor=SYSTEM) == 0
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert seen(world.hq_manager) == (2, 1, 2)
    assert services.follow_ups_escalate(actor=SYSTEM) == 1


@pytest.mark.django_db
def test_a_run_that_died_unpublished_blocks_its_ids_then_is_cleared(world: Any, tmp_path: Path) -> None:
    started = dt.datetime(2026, 3, 3, 8, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(started):
        unpublished_batch(world, SEVEN[:1])
    path = write(tmp_path, SEVEN[:2])
    with clock.frozen(started + dt.timedelta(hours=1)), pytest.raises(ValidationFailed) as caught:
        run(world, path)
    assert [(d["row"], d["reason"]) for d in caught.value.details] == [(2, "已导入过")]
    with clock.frozen(started + batches.STALE_AFTER + dt.timedelta(minutes=1)):
        assert run(world, path) == "已导入 2 条调查答卷"
    assert stored() == {"responses": 2, "files": 1, "follow-ups": 1, "follow-up history": 1, "batches": 1}


@pytest.mark.django_db(transaction=True)
def test_committed_chunks_stay_hidden_from_other_connections_until_published(world: Any) -> None:
    """Real commits, read from another thread's connection (SQLite and PostgreSQL)."""

    def counts() -> tuple[int, int, int, int]:
        found: list[tuple[int, int, int, int]] = []

        def read() -> None:
            try:
                found.append(
                    (
                        SurveyResponse.objects.count(),
                        FollowUp.objects.count(),
                        SurveyResponse._base_manager.count(),
                        FollowUp._base_manager.count(),
                    )
                )
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return found[0]

    batch = unpublished_batch(world, SEVEN[:3])
    assert counts() == (0, 0, 3, 2)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert counts() == (3, 2, 3, 2)
