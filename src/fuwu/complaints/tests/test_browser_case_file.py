"""The case file in a real Chromium (#19): codes pre-filled as the text is typed, a document uploaded and
seen on the timeline, the decision letter downloaded as a PDF; at 1366×768 and on a 390 px phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fuwu.complaints import services
from fuwu.complaints.codes import seed_codes
from fuwu.complaints.models import ClassificationCode, Complaint
from fuwu.complaints.tests import factories as f
from fuwu.conftest import browser_login
from fuwu.core.principals import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_intake_prefills_the_suggested_codes_and_keeps_a_hand_choice(
    world: Any, seeded_calendar: Any, frozen_clock: Any, browser_page: Any
) -> None:
    seed_codes(ClassificationCode)
    page = browser_page
    browser_login(page, "teller_a")
    page.goto("/complaints/new/")
    before = page.input_value("select[name=category_code]")
    page.select_option("select[name=channel_code]", index=2)  # chosen by hand: never overwritten
    hand = page.input_value("select[name=channel_code]")
    page.fill("textarea[name=content]", "催收公司天天打电话到我单位辱骂威胁，还骚扰我的亲戚")
    page.locator("textarea[name=content]").dispatch_event("change")
    page.locator("[data-testid=suggestions] button[data-top]").first.wait_for()
    page.wait_for_selector("[data-testid=prefilled]")
    top = page.get_attribute("[data-testid=suggestions] button[data-dim=category][data-top]", "data-code")
    assert page.input_value("select[name=category_code]") == top != before
    assert page.input_value("select[name=channel_code]") == hand
    assert "按建议预填" in page.inner_text("form#intake")
    page.screenshot(path="var/screenshot-complaint-intake-prefilled.png", full_page=True)


def test_case_file_timeline_upload_and_letter(
    world: Any, seeded_calendar: Any, frozen_clock: Any, browser_page: Any, tmp_path: Path
) -> None:
    seed_codes(ClassificationCode)
    handler = f.handler(world)
    case = f.complaint(world)
    services.complaint_assign(actor=SYSTEM, complaint=case, handler=handler)
    services.complaint_investigate(actor=handler, complaint=case, root_cause="柜员未解释等候原因")
    services.complaint_decide(
        actor=handler,
        complaint=case,
        facts="经调取监控，客户等候四十分钟属实。",
        basis="《营业网点服务规范》第五条",
        remedy="向客户致歉。",
        upheld=True,
    )
    frozen_clock.advance(dt.timedelta(minutes=30))  # the document comes after the decision
    page = browser_page
    browser_login(page, "handler")
    page.goto(f"/complaints/{case.pk}/")
    letter = tmp_path / "客户来信.pdf"
    letter.write_bytes(PDF)
    page.set_input_files("[data-testid=attach-form] input[type=file]", str(letter))
    page.fill("[data-testid=attach-form] input[name=note]", "客户手写来信扫描件")
    page.click("[data-testid=attach]")
    page.wait_for_selector("[data-testid=document]")
    assert page.inner_text("[data-testid=document]") == "客户来信.pdf"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "登记投诉" in timeline and "客户手写来信扫描件" in timeline
    first = page.locator("[data-testid=timeline] li").first.inner_text()
    assert "客户来信.pdf" in first  # newest first
    with page.expect_download() as download:
        page.click("[data-testid=letter-decision]")
    saved = tmp_path / "decision.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    page.screenshot(path="var/screenshot-complaint-case-file.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("[data-testid=timeline]").scroll_into_view_if_needed()
    page.screenshot(path="var/screenshot-complaint-case-file-390.png", full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391"
        " && ![...e.children].some(c => c.getBoundingClientRect().right > 391))"
        ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30)).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    assert Complaint.objects.get(pk=case.pk).attachments.count() == 1
