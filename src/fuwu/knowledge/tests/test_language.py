"""A3: forbidden phrases found through width, traditional characters, spacing and punctuation; required ones
missing reported; staff replies and imported call transcripts checked; findings handed to the ledger hook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM, system
from fuwu.knowledge import language, selectors, services
from fuwu.knowledge.importers import import_transcripts
from fuwu.knowledge.models import CallTranscript, LanguageCheck, LanguageFinding


@pytest.mark.parametrize(
    "said",
    [
        "这个不归我管",  # as written
        "这个不歸我管",  # traditional
        "这个不 归 我 管",  # spaced
        "这个ｂｕ不归我管！",  # full width around it
        "这个不，归。我管",  # punctuation inside
    ],
)
def test_forbidden_phrase_variants_are_found(db: Any, said: str) -> None:
    hits = language.check(said).forbidden
    assert [h.phrase for h in hits] == ["不归我管"]
    assert hits[0].matched.replace(" ", "").replace("，", "").replace("。", "") in ("不归我管", "不歸我管")


def test_a_listed_variant_counts_as_its_phrase(db: Any) -> None:
    assert [h.phrase for h in language.check("你问我我问谁啊").forbidden] == ["你问我我问谁"]
    assert [h.phrase for h in language.check("我哪知道").forbidden] == ["不知道"]


def test_required_phrases_missing_are_reported(db: Any) -> None:
    missing = language.check("请问办理什么业务？好的。", required=True).required_missing
    assert {name for _pk, name in missing} == {"您好", "再见"}
    assert language.check("您好，请问办理什么业务？请慢走。", required=True).required_missing == []
    assert language.check("您好，再見", required=True).required_missing == []  # traditional variants


def test_an_edited_dictionary_applies_at_once(world: Any) -> None:
    assert language.check("你排错队了").forbidden == []
    services.phrase_save(
        actor=world.hq_manager, phrase=None, kind="forbidden", text="排错队了", variants="排錯隊"
    )
    assert [h.phrase for h in language.check("你排错队了").forbidden] == ["排错队了"]


def test_a_staff_reply_with_a_forbidden_phrase_becomes_a_finding(world: Any) -> None:
    thread = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OA"
    ).conversation
    lobby = world.person("lobby_a", world.outlet_a, "lobby")
    services.conversation_reply(actor=lobby, conversation=thread, text="这个不归我管，你去柜台问")
    finding = LanguageFinding.objects.get()
    assert finding.staff == lobby and finding.unit == world.outlet_a and finding.phrase.text == "不归我管"
    assert "不归我管" in finding.excerpt
    assert list(selectors.language_findings(fetched_by=world.head_a)) == [finding]
    assert (
        list(selectors.language_findings(fetched_by=world.person("head_b", world.outlet_b, "outlet_head")))
        == []
    )


def _transcripts(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_transcript_import_checks_calls_and_computes_rates(world: Any, tmp_path: Path) -> None:
    path = _transcripts(
        tmp_path,
        "call_id,agent,time,text\n"
        'C1,TELLER_A,2026-03-02 09:10,"您好，这个我不知道，你问我我问谁。再见"\n'
        "C2,TELLER_A,2026-03-02 09:20,您好，请稍等，马上为您查询。请慢走\n"
        "C3,TELLER_B,2026-03-02 09:30,喂？卡丢了？下班了明天再来\n",
    )
    summary = import_transcripts(path)
    assert "已检查 3 通电话" in summary
    assert CallTranscript.objects.get(call_id="C3").missing_required == ["您好", "再见"]
    assert LanguageFinding.objects.filter(source_ref="C1").count() == 2
    from fuwu.core import rollups
    from fuwu.core.principals import SYSTEM

    # the rates are the measure catalogue's (#20): read from the rollups the sweep builds
    rollups.rebuild(actor=SYSTEM, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 2))
    rates = {r["key"]: r for r in selectors.language_rates(fetched_by=world.hq_manager, by="staff")}
    assert rates["TELLER_A"]["checked"] == 2 and rates["TELLER_A"]["hits"] == 2
    assert rates["TELLER_A"]["hit_rate"] == 100.0 and rates["TELLER_A"]["required_compliance"] == 1.0
    assert rates["TELLER_B"]["required_compliance"] == 0.0
    by_unit = {r["key"]: r for r in selectors.language_rates(fetched_by=world.hq_manager, by="unit")}
    assert by_unit["OA"]["checked"] == 2 and by_unit["OB"]["hits"] == 1
    assert LanguageCheck.objects.count() == 3


def test_transcript_import_errors_are_named_by_line(world: Any, tmp_path: Path) -> None:
    path = _transcripts(
        tmp_path,
        "call_id,agent,time,text\nC1,NOBODY,2026-03-02 09:10,您好\nC1,TELLER_A,yesterday,您好\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        import_transcripts(path)
    rows = {(d["row"], d["field"]) for d in caught.value.details}
    assert rows >= {(2, "agent"), (3, "call_id"), (3, "time")}
    assert CallTranscript.objects.count() == 0


def test_each_forbidden_hit_is_reported_to_the_ledger_hook(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fuwu.core import defects

    received: list[defects.Defect] = []

    class Ledger:
        @staticmethod
        def receive(*, actor: Any, defect: defects.Defect) -> object:
            received.append(defect)
            return defect

    monkeypatch.setattr(defects, "_ledgers", lambda: [Ledger])
    thread = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OA"
    ).conversation
    services.conversation_reply(actor=SYSTEM, conversation=thread, text="急什么，找领导去")
    assert [d.source_kind for d in received] == ["language", "language"]
    assert {d.unit for d in received} == {world.outlet_a}
    assert all(d.reason_code.startswith("phrase:") for d in received)
