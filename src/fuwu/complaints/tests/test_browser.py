"""One complaint in a real browser: intake with a suggestion, 回避 at assignment, decision, reply, revisit."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.complaints.codes import seed_codes
from fuwu.complaints.models import ClassificationCode, Complaint
from fuwu.complaints.tests import factories as f
from fuwu.conftest import browser_login
from fuwu.core import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complaint_from_intake_to_revisit(
    world: Any, seeded_calendar: Any, frozen_clock: Any, browser_page: Any
) -> None:
    seed_codes(ClassificationCode)  # a transactional test starts from a flushed database
    handler = f.handler(world)
    world.person("lobby_a", world.outlet_a, roles.LOBBY)  # intake; the teller is the one complained about
    page = browser_page

    browser_login(page, "lobby_a")
    page.goto("/complaints/new/")
    page.fill("input[name=complainant_name]", "刘建华")
    page.fill("input[name=phone]", "13812345678")
    page.select_option("select[name=staff_code]", label="中关村支行 · 李柜员")
    page.fill("textarea[name=content]", "催收公司天天打电话到我单位辱骂威胁，还骚扰我的亲戚")
    page.locator("textarea[name=content]").dispatch_event("change")
    suggestion = page.locator("[data-testid=suggestions] button[data-dim=category]").first
    suggestion.wait_for()
    suggestion.click()
    page.locator("[data-testid=suggestions] button[data-dim=reason]").first.click()
    assert page.input_value("select[name=category_code]") == "13"
    assert page.input_value("select[name=reason_code]") == "12"
    page.screenshot(path="var/screenshot-complaint-intake.png", full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/complaints/*/")
    assert "刘建华" in page.locator(".content").inner_text()
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    assert "2026-03-17" in page.locator("[data-testid=clock]").inner_text()
    complaint = Complaint.objects.get()
    assert (complaint.category_code, complaint.reason_code) == ("13", "12")
    url = page.url

    page.context.clear_cookies()
    browser_login(page, "head_a")
    page.goto(url)
    options = page.locator("select[name=handler_username] option").all_inner_texts()
    assert not any("李柜员" in o for o in options)  # the staff member complained about is not offered
    page.select_option("select[name=handler_username]", value=handler.username)
    page.click("[data-testid=assign]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "处理中"

    page.context.clear_cookies()
    browser_login(page, "handler")
    page.goto(url)
    page.click("[data-testid=reveal-phone]")  # 显示完整号码: the handler's role may, and it is audited
    page.locator("[data-testid=full-phone]").wait_for()
    assert page.locator("#phone").inner_text() == "13812345678"
    page.fill("textarea[name=facts]", "经调取通话录音")  # deciding before the findings: refused, text kept
    page.click("[data-testid=decide]")
    page.wait_for_load_state()
    assert page.input_value("textarea[name=facts]") == "经调取通话录音"
    assert page.locator(".field-error").count() >= 1
    page.screenshot(path="var/screenshot-complaint-422.png", full_page=True)
    page.fill("textarea[name=root_cause]", "委外催收机构未按规定时段和对象催收")
    page.click("[data-testid=investigate]")
    page.wait_for_load_state()
    page.fill("textarea[name=facts]", "经调取通话录音，催收人员存在辱骂行为")
    page.fill("textarea[name=basis]", "《信用卡催收管理办法》第十条")
    page.fill("textarea[name=remedy]", "暂停该催收机构合作并致歉")
    page.check("input[name=upheld]")
    page.click("[data-testid=decide]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "已决定"
    page.fill("textarea[name=text]", "已向您致歉，已暂停该机构催收")
    page.click("[data-testid=reply]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "已答复"
    page.select_option("select[name=satisfaction]", value="satisfied")
    page.fill("input[name=note]", "客户表示满意")
    page.click("[data-testid=revisit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "已办结"
    assert "满意" in page.locator("[data-testid=revisit]").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="var/screenshot-complaint-phone.png", full_page=True)
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.satisfaction == "satisfied"
