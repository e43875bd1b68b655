"""The hand-over end to end in Chromium: a customer asks on a phone, staff answer in the queue, the
customer sees the answer in the same thread; the answer branch and "您是想问…" on the same page."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.conftest import browser_login
from fuwu.knowledge.importers import import_faq
from fuwu.knowledge.models import Conversation, LanguageFinding
from fuwu.knowledge.tests.conftest import FAQ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_on_a_phone_is_handed_over_and_sees_the_staff_answer(world: Any, browser_page: Any) -> None:
    import_faq(FAQ)
    world.person("lobby_a", world.outlet_a, "lobby")
    context = browser_page.context
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto("/knowledge/chat/?outlet=OA")
    assert "在线助手" in phone.inner_text(".chat-head")

    phone.fill("#chat-input", "信用卡怎么还款")
    phone.press("#chat-input", "Enter")
    phone.wait_for_selector(".msg.bot >> nth=1")
    assert "还款" in phone.inner_text(".msg.bot >> nth=1")

    phone.fill("#chat-input", "转账")  # fee, limit or a missing transfer: it asks which
    phone.press("#chat-input", "Enter")
    phone.wait_for_selector(".options button")
    assert "您是想问" in phone.inner_text(".msg.bot >> nth=2")
    assert (
        phone.locator(".msg.bot >> nth=2").locator(".options button").count() == 4
    )  # top 3 + "none of these"

    phone.fill("#chat-input", "我要转人工")
    phone.press("#chat-input", "Enter")
    phone.wait_for_function("() => document.getElementById('chat-status').textContent.includes('工作人员')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="var/screenshot-knowledge-chat-phone.png", full_page=True)
    thread = Conversation.objects.get()
    assert thread.status == Conversation.Status.WAITING and thread.unit == world.outlet_a

    page = browser_page
    browser_login(page, "lobby_a")
    page.goto("/knowledge/queue/")
    page.click(f"[data-testid=queue] a[href='/knowledge/queue/{thread.pk}/'] >> nth=0")
    assert "我要转人工" in page.inner_text("[data-testid=thread]")
    page.fill("[data-testid=reply-text]", "您好，我是大堂经理小王，请问您想办理什么业务？")
    page.click("[data-testid=reply-send]")
    page.wait_for_selector(".msg-staff")
    page.screenshot(path="var/screenshot-knowledge-queue.png", full_page=True)

    phone.wait_for_selector(".msg.staff", timeout=15_000)
    assert "大堂经理小王" in phone.inner_text(".msg.staff")
    phone.screenshot(path="var/screenshot-knowledge-chat-answered.png", full_page=True)
    assert not LanguageFinding.objects.exists()
