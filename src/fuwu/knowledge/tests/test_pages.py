"""The staff pages render in Chinese, forms keep typed input on errors, and the one-click paraphrase works."""

from __future__ import annotations

from typing import Any

from fuwu.conftest import PASSWORD
from fuwu.core.principals import system
from fuwu.knowledge import services
from fuwu.knowledge.models import Entry, Paraphrase


def _login(client: Any, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def test_staff_pages_render(faq: Any, client: Any) -> None:
    _login(client, "hq")
    entry = Entry.objects.get(question="信用卡怎么还款")
    for url in [
        "/knowledge/",
        "/knowledge/?q=信用卡还款",
        "/knowledge/entries/new/",
        f"/knowledge/entries/{entry.pk}/",
        f"/knowledge/entries/{entry.pk}/edit/",
        "/knowledge/queue/",
        "/knowledge/unanswered/",
        "/knowledge/language/",
        "/knowledge/chat/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
    assert "信用卡可通过手机银行" in client.get("/knowledge/?q=信用卡还款").content.decode()


def test_entry_form_errors_keep_what_was_typed(faq: Any, client: Any) -> None:
    _login(client, "hq")
    r = client.post(
        "/knowledge/entries/new/",
        {
            "kind": "product",
            "question": "薪金宝是什么",
            "answer_html": "一款理财",
            "visibility": "public",
            "risk_level": "",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "薪金宝是什么" in body and "公开的产品必须标明风险等级" in body


def test_edit_diff_and_restore_through_the_pages(faq: Any, client: Any) -> None:
    _login(client, "hq")
    entry = Entry.objects.get(question="信用卡怎么还款")
    r = client.post(
        f"/knowledge/entries/{entry.pk}/edit/",
        {
            "kind": "faq",
            "question": "信用卡怎么还款",
            "answer_html": "新的还款说明",
            "visibility": "public",
            "note": "改答案",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/knowledge/entries/{entry.pk}/?old=1&new=2").content.decode()
    assert "改答案" in page and "新的还款说明" in page and "王总" in page
    client.post(f"/knowledge/entries/{entry.pk}/restore/1/")
    entry.refresh_from_db()
    assert entry.version == 3 and "到期还款日" in entry.answer_html


def test_queue_reply_and_one_click_paraphrase_pages(faq: Any, client: Any) -> None:
    faq.person("lobby_a", faq.outlet_a, "lobby")
    turn = services.conversation_ask(actor=system("assistant"), question="转人工", outlet_code="OA")
    question = services.conversation_ask(
        actor=system("assistant"), question="信用卡的钱怎么还上", conversation=turn.conversation
    ).messages[0]
    _login(client, "lobby_a")
    page = client.get(f"/knowledge/queue/{turn.conversation.pk}/").content.decode()
    assert "加为相似问法" in page
    r = client.post(f"/knowledge/queue/{turn.conversation.pk}/reply/", {"text": ""})
    assert r.status_code == 422
    client.post(f"/knowledge/queue/{turn.conversation.pk}/reply/", {"text": "您好，可以用手机银行还款"})
    entry = Entry.objects.get(question="信用卡怎么还款")
    client.post(
        f"/knowledge/queue/{turn.conversation.pk}/paraphrase/",
        {"message_id": question.pk, "entry_id": entry.pk},
    )
    assert Paraphrase.objects.filter(entry=entry, text="信用卡的钱怎么还上", source="handoff").exists()


def test_teller_cannot_open_the_editor_or_other_units_threads(faq: Any, client: Any) -> None:
    turn = services.conversation_ask(actor=system("assistant"), question="转人工", outlet_code="OB")
    _login(client, "teller_a")
    assert client.get("/knowledge/entries/new/").status_code == 200  # the form; saving is refused
    r = client.post("/knowledge/entries/new/", {"kind": "faq", "question": "x", "answer_html": "y"})
    assert r.status_code in (403, 404)
    assert client.get(f"/knowledge/queue/{turn.conversation.pk}/").status_code == 404
