"""#18: `fuwu import transcripts` writes in short transactions as one import batch that readers see only once it
is published; its findings reach the rectification ledger (and its notifications go out) only then, and a
refused or failed run leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fuwu.core import batches, clock, rollups
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent, ImportBatch, Notification
from fuwu.core.principals import SYSTEM
from fuwu.inspections.models import RectificationTask
from fuwu.knowledge import fact_tables, selectors, services
from fuwu.knowledge.importers import import_faq, import_sentiment_labels, import_transcripts
from fuwu.knowledge.models import (
    CallTranscript,
    Entry,
    LanguageCheck,
    LanguageFinding,
    Phrase,
    SentimentLabel,
)

DAY = dt.date(2026, 3, 2)
HIT = "您好，这个不归我管。再见"  # one forbidden phrase, both required ones said
CLEAN = "您好，马上为您查询。再见"


def line(n: int, text: str = CLEAN, agent: str = "TELLER_A") -> str:
    return f"C{n},{agent},2026-03-02 09:{n:02d},{text}"


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text("call_id,agent,time,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


SEVEN = [line(1, HIT), line(2), line(3, HIT), line(4), line(5), line(6, HIT), line(7)]


def stored() -> dict[str, int]:
    """Every row the import writes or sets going, hidden or not."""
    return {
        "transcripts": CallTranscript._base_manager.count(),
        "findings": LanguageFinding._base_manager.count(),
        "checks": LanguageCheck._base_manager.count(),
        "batches": ImportBatch.objects.count(),
        "tasks": RectificationTask._base_manager.filter(source_kind="language").count(),
        "task_history": RectificationTask.history.count(),
        "notifications": Notification.objects.filter(kind="inspections.task_opened").count(),
    }


def seen(who: Any) -> tuple[int, int, int, int, int]:
    """What the readers see: the findings page's selector, the language facts the measures read, the rates."""
    rollups.rebuild(actor=SYSTEM, start=DAY, end=DAY)
    rates = {r["key"]: r for r in selectors.language_rates(fetched_by=who, by="unit")}
    return (
        CallTranscript.objects.count(),
        len(list(selectors.language_findings(fetched_by=who))),
        len(list(fact_tables.check_rows(DAY, DAY))),
        int(rates["OA"]["checked"]) if "OA" in rates else 0,
        RectificationTask.objects.filter(source_kind="language").count(),
    )


def unpublished_batch(world: Any, numbers: list[int]) -> ImportBatch:
    """What a run still writing (or one that died) leaves: its chunks committed, its batch not published."""
    batch = batches.import_batch_start(actor=SYSTEM, kind=services.TRANSCRIPTS_KIND, file_name="x.csv")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
    rows = [
        services.TranscriptRow(f"C{n}", world.teller_a, "TELLER_A", world.outlet_a, at, HIT) for n in numbers
    ]
    services._transcripts_write(rows, batch, dict(Phrase.objects.values_list("pk", "severity")), SYSTEM)
    return batch


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a transaction, so a seven-row file is written in four."""
    monkeypatch.setattr(batches, "CHUNK_ROWS", 2)


def test_a_bad_last_row_leaves_nothing_stored(world: Any, small_chunks: None, tmp_path: Path) -> None:
    path = write(tmp_path, [*SEVEN[:-1], "C7,TELLER_A,yesterday," + HIT])
    with pytest.raises(ValidationFailed) as caught:
        import_transcripts(path)
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(8, "time")]
    assert caught.value.message == "通话文本文件有错误。"
    assert set(stored().values()) == {0}


def test_derived_records_and_notifications_appear_only_at_publishing(
    world: Any,
    small_chunks: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    observed: list[dict[str, int]] = []
    pause = batches.yield_to_floor
    with django_capture_on_commit_callbacks(execute=True):

        def look() -> None:
            # Each time the import lets the floor in (the real pause still runs): stored, visible, queued.
            observed.append(
                {
                    **stored(),
                    "visible": CallTranscript.objects.count()
                    + LanguageFinding.objects.count()
                    + LanguageCheck.objects.count()
                    + RectificationTask.objects.count(),
                    "queued": len(connection.run_on_commit),
                    "published": ImportBatch.objects.filter(published_at__isnull=False).count(),
                }
            )
            pause()

        monkeypatch.setattr(batches, "yield_to_floor", look)
        assert import_transcripts(write(tmp_path, SEVEN)) == "已检查 7 通电话，发现 3 处禁用语"
        monkeypatch.undo()
    # Four chunks, three pauses: the rows and their findings' tasks grow, hidden; nothing queued to notify
    # before publishing.
    before = [o for o in observed if not o["published"]]
    assert [(o["transcripts"], o["findings"], o["checks"], o["tasks"]) for o in before] == [
        (2, 1, 2, 1),
        (4, 2, 4, 2),
        (6, 3, 6, 3),
    ]
    assert {(o["visible"], o["notifications"], o["queued"]) for o in before} == {(0, 0, 0)}
    # Then, the publish committed, the owners are told two tasks a transaction (and training assigned).
    after = [o for o in observed if o["published"]]
    assert after and {(o["visible"], o["tasks"]) for o in after} == {(7 + 3 + 7 + 3, 3)}
    assert after[0]["queued"] == 2
    assert stored() == {
        "transcripts": 7,
        "findings": 3,
        "checks": 7,
        "batches": 1,
        "tasks": 3,
        "task_history": 3,
        "notifications": 3,
    }
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"head_a"}
    assert seen(world.hq_manager) == (7, 3, 7, 7, 3)
    # Opened in bulk as task_open opens one: owner, deadline, history and audit row each.
    finding = LanguageFinding.objects.get(source_ref="C1")
    task = RectificationTask.objects.get(source_kind="language", source_id=str(finding.pk))
    assert (task.owner, task.unit, task.staff, task.reason_code) == (
        world.head_a,
        world.outlet_a,
        world.teller_a,
        f"phrase:{finding.phrase_id}",
    )
    assert task.due > clock.business_date(task.opened_at)
    assert RectificationTask.history.filter(history_type="+").count() == 3
    assert AuditEvent.objects.filter(action="inspections.task.open", target_id=str(task.pk)).count() == 1


def test_a_failure_in_a_middle_chunk_deletes_what_was_written_and_a_rerun_takes_every_row(
    world: Any, small_chunks: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # The database refuses the fourth call (as a full disk would): the first chunk, with a finding, is
    # committed by then, the second fails, two more never start.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_c4 BEFORE INSERT ON knowledge_calltranscript WHEN NEW.call_id = 'C4' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_c4() RETURNS trigger AS $$ BEGIN IF NEW.call_id = 'C4' THEN "
                "RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_c4 BEFORE INSERT ON knowledge_calltranscript "
                "FOR EACH ROW EXECUTE FUNCTION refuse_c4()"
            )
    path = write(tmp_path, SEVEN)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DatabaseError, match="disk full"),
    ):
        import_transcripts(path)
    assert set(stored().values()) == {0}
    assert callbacks == []
    assert AuditEvent.objects.filter(action="core.import_batch_discard").count() == 1
    assert not AuditEvent.objects.filter(action="knowledge.transcripts_record").exists()
    assert seen(world.hq_manager) == (0, 0, 0, 0, 0)

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_c4"
            + (" ON knowledge_calltranscript" if connection.vendor != "sqlite" else "")
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_transcripts(path) == "已检查 7 通电话，发现 3 处禁用语"
    assert stored() == {
        "transcripts": 7,
        "findings": 3,
        "checks": 7,
        "batches": 1,
        "tasks": 3,
        "task_history": 3,
        "notifications": 3,
    }
    assert seen(world.hq_manager) == (7, 3, 7, 7, 3)
    # The same file again changes nothing: its calls are known, so it is refused whole, line by line.
    with pytest.raises(ValidationFailed) as caught:
        import_transcripts(path)
    assert {(d["row"], d["reason"]) for d in caught.value.details} == {
        (n + 1, "已导入过") for n in range(1, 8)
    }
    assert stored()["transcripts"] == 7 and stored()["tasks"] == 3
    assert AuditEvent.objects.filter(action="knowledge.transcripts_record").count() == 1


def test_readers_ignore_an_unpublished_batch_until_it_is_published(world: Any) -> None:
    batch = unpublished_batch(world, [1, 2])
    assert stored()["transcripts"] == 2 and stored()["findings"] == 2
    assert seen(world.hq_manager) == (0, 0, 0, 0, 0)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    # Published by hand, without the importer's closing step: the rows and their tasks show.
    assert seen(world.hq_manager) == (2, 2, 2, 2, 2)


def test_a_run_that_died_unpublished_blocks_its_calls_then_is_cleared(world: Any, tmp_path: Path) -> None:
    started = dt.datetime(2026, 3, 3, 8, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(started):
        unpublished_batch(world, [1])
    path = write(tmp_path, [line(1, HIT), line(2)])
    with clock.frozen(started + dt.timedelta(hours=1)), pytest.raises(ValidationFailed) as caught:
        import_transcripts(path)
    assert [(d["row"], d["reason"]) for d in caught.value.details] == [(2, "已导入过")]
    with clock.frozen(started + batches.STALE_AFTER + dt.timedelta(minutes=1)):
        assert import_transcripts(path) == "已检查 2 通电话，发现 1 处禁用语"
    assert stored()["transcripts"] == 2 and stored()["findings"] == 1 and stored()["batches"] == 1
    assert seen(world.hq_manager)[:2] == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_committed_chunks_stay_hidden_from_other_connections_until_published(world: Any) -> None:
    """Real commits, read from another thread's connection (SQLite and PostgreSQL)."""

    def counts() -> tuple[int, int, int, int, int, int]:
        found: list[tuple[int, int, int, int, int, int]] = []

        def read() -> None:
            try:
                found.append(
                    (
                        CallTranscript.objects.count(),
                        LanguageCheck.objects.count(),
                        RectificationTask.objects.count(),
                        CallTranscript._base_manager.count(),
                        LanguageCheck._base_manager.count(),
                        RectificationTask._base_manager.count(),
                    )
                )
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return found[0]

    batch = unpublished_batch(world, [1, 2, 3])
    assert counts() == (0, 0, 0, 3, 3, 3)
    with transaction.atomic():
        batches.import_batch_publish(actor=SYSTEM, batch=batch)
    assert counts() == (3, 3, 3, 3, 3, 3)


def publishing_statements(tmp_path: Path, prefix: str, findings: int, capture: Any) -> list[str]:
    """The statements of the import's closing (publishing) transaction, for a file of `findings` calls that
    each say a forbidden phrase (one unit, one day)."""
    calls = [f"{prefix}{n},TELLER_A,2026-03-02 09:{n // 60:02d}:{n % 60:02d},{HIT}" for n in range(findings)]
    with CaptureQueriesContext(connection) as captured, capture(execute=True):
        assert import_transcripts(write(tmp_path, calls)).endswith(f"发现 {findings} 处禁用语")
    sql = [q["sql"] for q in captured.captured_queries]
    start = next(i for i, q in enumerate(sql) if q.startswith('UPDATE "core_importbatch" SET "published_at"'))
    # The test's transaction turns the publish's atomic block into a savepoint: it ends at its release.
    end = next(i for i in range(start, len(sql)) if sql[i].startswith("RELEASE SAVEPOINT"))
    return sql[start:end]


def test_the_publish_is_a_few_statements_whatever_the_number_of_findings(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    few = publishing_statements(tmp_path, "A", 10, django_capture_on_commit_callbacks)
    many = publishing_statements(tmp_path, "B", 100, django_capture_on_commit_callbacks)
    assert len(few) == len(many) <= 5, many
    # The tasks were opened during the chunks, their owners are told after the publish.
    assert not [q for q in many if "rectificationtask" in q or "core_notification" in q], many
    assert RectificationTask.objects.filter(source_kind="language").count() == 110
    assert Notification.objects.filter(kind="inspections.task_opened").count() == 110


def test_files_saved_by_excel_in_gbk_import_with_their_lines(world: Any, tmp_path: Path) -> None:
    """Transcripts, FAQ and sentiment labels read GBK CSV through core.tabular, blank lines keeping the numbers."""
    calls = tmp_path / "calls.csv"
    calls.write_bytes(("通话编号,坐席,时间,文本\n\n" + line(1, HIT) + "\n" + line(2) + "\n").encode("gbk"))
    assert import_transcripts(calls) == "已检查 2 通电话，发现 1 处禁用语"
    assert CallTranscript.objects.get(call_id="C1").text == HIT

    faq = tmp_path / "faq.csv"
    faq.write_bytes("问题,答案,分类\n\n怎么挂失,带身份证到网点,借记卡\n,没有问题,借记卡\n".encode("gbk"))
    with pytest.raises(ValidationFailed) as caught:
        import_faq(faq)
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(4, "question")]
    faq.write_bytes("问题,答案,分类\n\n怎么挂失,带身份证到网点,借记卡\n".encode("gbk"))
    assert "导入 1 个条目" in import_faq(faq)
    assert Entry.objects.filter(question="怎么挂失", category="借记卡").exists()

    labels = tmp_path / "labels.csv"
    labels.write_bytes("文本,标签\n\n柜员很耐心,正面\n排队太久,坏\n".encode("gbk"))
    with pytest.raises(ValidationFailed) as caught:
        import_sentiment_labels(labels)
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(4, "label")]
    labels.write_bytes(("文本,标签\n" + "x" * 2001 + ",负面\n").encode("gbk"))
    with pytest.raises(ValidationFailed) as caught:
        import_sentiment_labels(labels)
    assert [(d["row"], d["field"]) for d in caught.value.details] == [(2, "text")]
    assert not SentimentLabel.objects.exists()


def test_training_is_assigned_only_once_the_batch_is_published(
    world: Any, small_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An assignment cannot be hidden with the batch: the findings' courses are assigned after the publish."""
    from fuwu.training.models import Assignment, Course, DefectRule

    phrase = Phrase.objects.get(text="不归我管")
    course = Course.objects.create(code="LANG", title="服务用语", kind="etiquette", org_unit=world.ho)
    DefectRule.objects.create(source_kind="language", reason_code=f"phrase:{phrase.pk}", course=course)
    observed: list[tuple[bool, int]] = []
    pause = batches.yield_to_floor

    def look() -> None:
        published = ImportBatch.objects.filter(published_at__isnull=False).exists()
        observed.append((published, Assignment.objects.count()))
        pause()

    monkeypatch.setattr(batches, "yield_to_floor", look)
    assert import_transcripts(write(tmp_path, SEVEN)) == "已检查 7 通电话，发现 3 处禁用语"
    assert {count for published, count in observed if not published} == {0}
    assert Assignment.objects.filter(user=world.teller_a, course=course).count() >= 1
