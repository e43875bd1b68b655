"""A2: the assistant's answer/clarify/handoff branches, the API, background retraining, the staff queue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from typing import Any

import pytest

from fuwu.core import clock
from fuwu.core.errors import Conflict, NotFound
from fuwu.core.principals import SYSTEM, system
from fuwu.knowledge import assistant, engine, selectors, services
from fuwu.knowledge.models import Conversation, Entry, UnansweredQuestion


def test_answer_has_the_documented_shape_and_calibrated_range(faq: Any) -> None:
    result = assistant.answer("信用卡怎么还款")
    assert result is not None
    assert set(result) == {"answer", "question", "confidence", "entry_id", "candidates"}
    assert result["question"] == "信用卡怎么还款"
    assert 0.0 <= result["confidence"] <= 1.0
    assert all(set(c) == {"answer", "question", "confidence", "entry_id"} for c in result["candidates"])
    assert [c["confidence"] for c in result["candidates"]] == sorted(
        (c["confidence"] for c in result["candidates"]), reverse=True
    )


def test_a_known_paraphrase_is_answered(faq: Any) -> None:
    decision = assistant.decide("借记卡怎么挂失")
    assert decision.outcome == "answer"
    assert decision.result is not None and "挂失" in decision.result["answer"]


def test_out_of_scope_and_asking_for_a_person_hand_over(faq: Any) -> None:
    assert assistant.decide("今天天气怎么样").outcome == "handoff"
    assert assistant.decide("今天天气怎么样").reason == "out_of_scope"
    assert assistant.answer("今天天气怎么样") is None
    assert assistant.decide("我要转人工").reason == "person"
    assert assistant.decide("请帮我找人工客服").reason == "person"


def test_in_between_asks_did_you_mean_with_three_options(faq: Any) -> None:
    # "转账" alone could be the fee, the limit or a missing transfer: the assistant asks which.
    decision = assistant.decide("转账")
    assert decision.outcome == "clarify"
    assert len(decision.options) == 3
    assert {"转账要手续费吗", "转账限额是多少", "转账没到账怎么办"} <= {
        o["question"] for o in decision.options
    }


def test_policy_thresholds_decide_between_branches(faq: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same question moves from answer to clarify to handoff as the thresholds rise.
    monkeypatch.setattr(assistant, "ANSWER_THRESHOLD", 1.01)
    assert assistant.decide("借记卡怎么挂失").outcome == "clarify"
    monkeypatch.setattr(assistant, "CLARIFY_THRESHOLD", 1.01)
    assert assistant.decide("借记卡怎么挂失").outcome == "handoff"


def test_ask_api_hands_over_and_logs_the_question(faq: Any, client: Any) -> None:
    r = client.post(
        "/api/v1/knowledge/ask",
        {"question": "今天天气怎么样", "outlet_code": "OA"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["outcome"] == "handoff" and body["status"] == "waiting"
    thread = Conversation.objects.get(token=body["conversation"])
    assert thread.unit == faq.outlet_a
    assert UnansweredQuestion.objects.filter(text="今天天气怎么样", reason="out_of_scope").exists()
    r = client.post(
        "/api/v1/knowledge/ask",
        {"question": "信用卡怎么还款", "conversation": body["conversation"]},
        content_type="application/json",
    )
    assert r.json()["outcome"] is None  # a person has the thread: the assistant keeps quiet


def test_ask_api_answers_and_rejects_an_empty_question(faq: Any, client: Any) -> None:
    r = client.post("/api/v1/knowledge/ask", {"question": "信用卡怎么还款"}, content_type="application/json")
    assert r.json()["outcome"] == "answer" and r.json()["result"]["question"] == "信用卡怎么还款"
    r = client.post("/api/v1/knowledge/ask", {"question": "  "}, content_type="application/json")
    assert r.status_code == 422


def test_choosing_an_option_answers_that_entry(faq: Any) -> None:
    entry = Entry.objects.get(question="转账要手续费吗")
    turn = services.conversation_ask(actor=system("assistant"), question="", entry_id=entry.pk)
    assert turn.decision is not None and turn.decision.outcome == "answer"
    assert turn.messages[-1].entry_id == entry.pk


def test_staff_reply_in_the_thread_and_one_click_paraphrase(faq: Any) -> None:
    turn = services.conversation_ask(actor=system("assistant"), question="我要转人工", outlet_code="OA")
    thread = turn.conversation
    assert thread.status == Conversation.Status.WAITING
    lobby = faq.person("lobby_a", faq.outlet_a, "lobby")
    assert thread in selectors.queue(fetched_by=lobby)
    services.conversation_reply(actor=lobby, conversation=thread, text="您好，请问您想办理什么业务？")
    thread.refresh_from_db()
    assert thread.status == Conversation.Status.ANSWERED
    assert [m.sender for m in selectors.public_messages(thread)] == ["customer", "bot", "staff"]
    question = services.conversation_ask(
        actor=system("assistant"), question="卡片消磁了能换吗", conversation=thread
    ).messages[0]
    entry = Entry.objects.get(question="挂失后怎么补办卡")
    services.message_to_paraphrase(actor=lobby, message=question, entry=entry)
    assert entry.paraphrases.filter(text="卡片消磁了能换吗", source="handoff").exists()
    assert entry.versions.count() == 2
    with pytest.raises(Conflict):
        services.message_to_paraphrase(actor=lobby, message=question, entry=entry)


def test_the_staff_queue_is_scoped_to_the_unit(faq: Any) -> None:
    at_a = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OA"
    ).conversation
    at_b = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OB"
    ).conversation
    lobby_a = faq.person("lobby_a", faq.outlet_a, "lobby")
    assert list(selectors.queue(fetched_by=lobby_a)) == [at_a]
    with pytest.raises(NotFound):
        selectors.conversation(fetched_by=lobby_a, pk=at_b.pk)
    with pytest.raises(NotFound):
        services.conversation_reply(actor=lobby_a, conversation=at_b, text="好的")
    head = faq.person("sup_t2", faq.t2, "supervisor")
    assert set(selectors.queue(fetched_by=head)) == {at_a, at_b}


def test_a_closed_thread_takes_no_more_questions(faq: Any) -> None:
    thread = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OA"
    ).conversation
    services.conversation_close(actor=SYSTEM, conversation=thread)
    with pytest.raises(Conflict):
        services.conversation_ask(actor=system("assistant"), question="还在吗", conversation=thread)


def test_retraining_in_the_background_does_not_block_answers(faq: Any) -> None:
    old = engine.current()
    assert old is not None
    services.entry_create(
        actor=SYSTEM,
        data=services.EntryData(
            kind="faq",
            question="金条怎么买",
            answer_html="积存金可在手机银行购买",
            visibility="public",
            paraphrases=("黄金怎么买", "积存金怎么开户", "买金条"),
        ),
    )
    fitted, release = threading.Event(), threading.Event()

    def hold() -> None:
        fitted.set()
        release.wait(30)

    texts, labels, signature = engine.kb_questions()
    worker = threading.Thread(
        target=lambda: engine.train_and_publish(texts, labels, signature, before_publish=hold)
    )
    worker.start()
    try:
        assert fitted.wait(60)
        started = time.monotonic()
        result = assistant.answer("信用卡怎么还款")
        assert time.monotonic() - started < 1.0
        assert result is not None and result["question"] == "信用卡怎么还款"
        assert engine.current() is old  # the old model still answers while the new one waits to publish
    finally:
        release.set()
        worker.join(60)
    new = engine.current()
    assert new is not old and new is not None
    gold = assistant.answer("买金条")
    assert gold is not None and gold["question"] == "金条怎么买"


def test_retrain_task_is_enqueued_on_commit(faq: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_create(
            actor=SYSTEM,
            data=services.EntryData(
                kind="faq", question="金条怎么买", answer_html="手机银行", visibility="public"
            ),
        )
    assert DBTaskResult.objects.filter(task_path__endswith="retrain_assistant").exists()


def _as_data(entry: Entry, **changes: Any) -> services.EntryData:
    current = services.EntryData(
        kind=entry.kind,
        question=entry.question,
        answer_html=entry.answer_html,
        category=entry.category,
        visibility=entry.visibility,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        paraphrases=tuple(entry.paraphrases.values_list("text", flat=True)),
    )
    return dataclasses.replace(current, **changes)


def test_an_entry_turned_draft_is_withheld_at_once_before_any_retraining(faq: Any) -> None:
    first = assistant.answer("借记卡怎么挂失")
    assert first is not None  # the live entries are cached in this process now
    entry = Entry.objects.get(pk=first["entry_id"])
    model = engine.current()
    services.entry_update(actor=SYSTEM, entry=entry, data=_as_data(entry, visibility="draft"))
    assert engine.current() is model  # same model: only the cached entries tell it apart
    result = assistant.answer("借记卡怎么挂失")
    assert result is None or result["entry_id"] != entry.pk
    assert assistant.decide("借记卡怎么挂失").outcome == "handoff"


def test_an_entry_expiring_today_is_not_answered_tomorrow(faq: Any) -> None:
    first = assistant.answer("借记卡怎么挂失")
    assert first is not None
    entry = Entry.objects.get(pk=first["entry_id"])
    today = clock.business_date(clock.now())
    services.entry_update(actor=SYSTEM, entry=entry, data=_as_data(entry, valid_to=today))
    answered = assistant.answer("借记卡怎么挂失")
    assert answered is not None and answered["entry_id"] == entry.pk  # still valid today
    clock.set_clock(clock.now() + dt.timedelta(days=1), speed=0)
    try:
        later = assistant.answer("借记卡怎么挂失")
        assert later is None or later["entry_id"] != entry.pk
    finally:
        clock.reset()


def test_bank_synonyms_meet_the_faq_wording(faq: Any) -> None:
    # 按揭 is how customers say 房贷; 储蓄卡 is a 借记卡 (data/synonyms.py).
    assert engine.prepare("按揭需要什么材料") == engine.prepare("房贷需要什么材料")
    assert engine.prepare("储蓄卡") == "借记卡"
    result = assistant.answer("办按揭要准备些啥")
    assert result is not None and result["question"] == "房贷需要什么材料"


def test_the_models_own_features_are_sklearns_tfidf() -> None:
    # The ranking computes a question's TF-IDF itself (speed); it must stay what the classifier was fitted on.
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["怎么办理借记卡", "信用卡怎么还款", "转账要手续费吗", "储蓄卡丢了", "按揭提前还"]
    model = engine.train(texts, [1, 2, 3, 4, 5], with_out_of_scope=False)
    reference = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    reference.fit([engine.prepare(t) for t in texts])
    for question in ("储蓄卡要手续费吗", "按揭怎么还款还款", "完全无关"):
        cols, weights = model.features(question)
        expected = reference.transform([engine.prepare(question)])
        ours = dict(zip(cols.tolist(), weights.tolist(), strict=True))
        assert ours.keys() == set(expected.indices.tolist())
        for column, value in zip(expected.indices, expected.data, strict=True):
            assert ours[int(column)] == pytest.approx(value)


def test_confidence_is_calibrated_and_monotone() -> None:
    calibration = engine.Calibration.fit([0.2, 0.3, 0.5, 0.6, 0.8, 0.9, 0.95, 0.99], [0, 0, 1, 0, 1, 1, 1, 1])
    probs = [0.1, 0.4, 0.7, 0.99, 1.0]
    out = list(calibration.predict(probs))
    assert out == sorted(out) and all(0.0 < c < 1.0 for c in out)
    assert engine.Calibration.fit([0.5] * 4, [True, False, True, False]) == engine.Calibration()
