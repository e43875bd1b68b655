"""A1: import with line-numbered errors, versions with diff and restore, visibility, safe HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.knowledge import assistant, selectors, services
from fuwu.knowledge.importers import import_faq
from fuwu.knowledge.models import Entry


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faq.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_faq_import_names_every_bad_line_and_imports_nothing(world: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "question,answer,category\n"
        "怎么开卡,带身份证到网点,借记卡\n"
        ",没有问题的答案,借记卡\n"
        '"多行\n问题",,借记卡\n'
        "太少,列\n"
        "怎么开卡,带身份证到网点,借记卡\n"
        '挂失,"<script>x</script>",借记卡\n',
    )
    with pytest.raises(ValidationFailed) as caught:
        import_faq(path)
    rows = {(d["row"], d["field"]) for d in caught.value.details}
    assert (3, "question") in rows
    assert (4, "answer") in rows  # the quoted field spans lines 4-5; the record starts on line 4
    assert (6, "") in rows  # two columns where the header has three
    assert (7, "question") in rows  # same question as line 2
    assert (8, "answer") in rows  # nothing left once the script is removed
    assert Entry.objects.count() == 0


def test_faq_import_missing_column_is_line_one(world: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_faq(_csv(tmp_path, "question,category\n怎么开卡,借记卡\n"))
    assert caught.value.details[0]["row"] == 1 and caught.value.details[0]["field"] == "answer"


def test_faq_rows_with_one_answer_are_paraphrases_and_answer_at_once(world: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "question,answer,category\n"
        '怎么开卡,"带身份证, 到网点",借记卡\n'
        '我想办一张银行卡,"带身份证, 到网点",借记卡\n'
        '新开储蓄卡要什么,"带身份证, 到网点",\n'
        "信用卡怎么还款,手机银行还款,信用卡\n"
        "信用卡在哪里还钱,手机银行还款,信用卡\n"
        "还信用卡的方式,手机银行还款,信用卡\n",
    )
    summary = import_faq(path)
    assert "已由 6 个问题导入 2 个条目" in summary
    card = Entry.objects.get(question="怎么开卡")
    assert sorted(card.paraphrases.values_list("text", flat=True)) == ["我想办一张银行卡", "新开储蓄卡要什么"]
    assert card.visibility == Entry.Visibility.PUBLIC and card.category == "借记卡"
    assert "带身份证, 到网点" in card.answer_html  # RFC 4180 quoting keeps the comma
    result = assistant.answer("我想办一张银行卡")
    assert result is not None and result["entry_id"] == card.pk


def _data(**kw: Any) -> services.EntryData:
    base = {"kind": "faq", "question": "怎么开卡", "answer_html": "<p>带身份证</p>", "visibility": "public"}
    return services.EntryData(**{**base, **kw})


def test_every_change_is_a_version_with_who_and_a_diff_and_restore(world: Any) -> None:
    entry = services.entry_create(actor=world.hq_manager, data=_data(paraphrases=("开卡要什么",)))
    entry = services.entry_update(
        actor=world.hq_manager,
        entry=entry,
        data=_data(answer_html="<p>带身份证和手机</p>", paraphrases=("开卡要什么", "新办银行卡")),
        note="加手机",
    )
    assert entry.version == 2
    versions = list(selectors.entry_versions(fetched_by=world.hq_manager, entry=entry))
    assert [v.number for v in versions] == [2, 1]
    assert versions[0].changed_by == world.hq_manager and versions[0].note == "加手机"
    diff = {
        d.field: d.lines
        for d in selectors.version_diff(fetched_by=world.hq_manager, entry=entry, old=1, new=2)
    }
    assert ("-", "<p>带身份证</p>") in diff["answer_html"] and ("+", "<p>带身份证和手机</p>") in diff[
        "answer_html"
    ]
    assert ("+", "新办银行卡") in diff["paraphrases"]
    restored = services.entry_restore(actor=world.hq_manager, entry=entry, number=1)
    assert restored.version == 3 and restored.answer_html == "<p>带身份证</p>"
    assert list(restored.paraphrases.values_list("text", flat=True)) == ["开卡要什么"]
    assert "1" in restored.versions.get(number=3).note


def test_saving_without_a_change_makes_no_version(world: Any) -> None:
    entry = services.entry_create(actor=world.hq_manager, data=_data())
    services.entry_update(actor=world.hq_manager, entry=entry, data=_data())
    assert entry.versions.count() == 1


def test_answers_are_sanitised(world: Any) -> None:
    entry = services.entry_create(
        actor=world.hq_manager,
        data=_data(
            answer_html='<p onclick="x()">带<a href="javascript:alert(1)">证件</a><script>bad()</script></p>'
        ),
    )
    assert "script" not in entry.answer_html and "onclick" not in entry.answer_html
    assert "javascript" not in entry.answer_html and "证件" in entry.answer_html


def test_published_product_needs_a_risk_level(world: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.entry_create(actor=world.hq_manager, data=_data(kind="product"))
    assert caught.value.details[0]["field"] == "risk_level"
    product = services.entry_create(
        actor=world.hq_manager,
        data=_data(kind="product", risk_level="R2", fees=(("认购费", "0", ""),), documents=("身份证",)),
    )
    assert product.fees == [{"item": "认购费", "price": "0", "basis": ""}] and product.documents == ["身份证"]


@pytest.mark.parametrize(
    ("visibility", "valid_from", "valid_to", "answered"),
    [
        ("public", None, None, True),
        ("draft", None, None, False),
        ("staff", None, None, False),
        ("public", None, dt.date(2020, 1, 1), False),  # expired
        ("public", dt.date(2099, 1, 1), None, False),  # scheduled, not yet published
    ],
)
def test_customers_never_get_drafts_staff_only_or_expired_entries(
    world: Any, visibility: str, valid_from: dt.date | None, valid_to: dt.date | None, answered: bool
) -> None:
    other = services.entry_create(
        actor=SYSTEM,
        data=_data(question="信用卡怎么还款", answer_html="手机银行", paraphrases=("信用卡在哪还",)),
    )
    entry = services.entry_create(
        actor=SYSTEM,
        data=_data(
            visibility=visibility,
            valid_from=valid_from,
            valid_to=valid_to,
            paraphrases=("开卡要带什么", "怎么办银行卡"),
        ),
    )
    result = assistant.answer("开卡要带什么")
    if answered:
        assert result is not None and result["entry_id"] == entry.pk
    else:
        assert result is None or result["entry_id"] != entry.pk
        assert all(c["entry_id"] != entry.pk for c in (result or {}).get("candidates", []))
    assert other.pk  # the other entry stays answerable
    staff = assistant.answer("开卡要带什么", audience="staff")
    if visibility == "staff":
        assert staff is not None and staff["entry_id"] == entry.pk


def test_drafts_are_hidden_from_non_editors(world: Any) -> None:
    draft = services.entry_create(actor=world.hq_manager, data=_data(visibility="draft"))
    with pytest.raises(NotFound):
        selectors.entry(fetched_by=world.teller_a, pk=draft.pk)
    assert selectors.entry(fetched_by=world.hq_manager, pk=draft.pk) == draft
    assert draft not in selectors.entries(fetched_by=world.teller_a)


def test_export_writes_a_reimportable_file(faq: Any, tmp_path: Path) -> None:
    from fuwu.knowledge.exporters import export_faq

    export_faq(tmp_path / "out")
    text = (tmp_path / "out" / "faq.csv").read_text(encoding="utf-8-sig")
    # The header and the demo FAQ's 570 questions, one per row.
    assert text.startswith("question,answer,category") and text.count("\n") == 571
