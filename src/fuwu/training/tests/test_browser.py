"""A teller takes the compliance exam on a phone and downloads the certificate; its QR page verifies it."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.db import OperationalError

from fuwu.conftest import browser_login
from fuwu.training.models import Attempt, AttemptItem
from fuwu.training.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teller_takes_an_exam_on_a_phone_and_downloads_the_certificate(
    world: Any, frozen_clock: Any, browser_page: Any, tmp_path: Any
) -> None:
    from fuwu.core.roles import sync_role_groups

    sync_role_groups()  # a transactional test starts from a flushed database
    exam = f.exam(world)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "teller_a")
    page.goto("/training/")
    page.click(f"[data-testid=start-{exam.pk}]")
    page.wait_for_url("**/training/attempts/*/")
    assert page.locator("[data-testid=question]").count() == 5
    attempt = Attempt.objects.get()
    for item in AttemptItem.objects.filter(attempt=attempt).select_related("version"):
        for index in item.version.correct:
            page.check(f"input[name=q{item.position}][value='{index}']")
    # each answer is saved as it is given (before the submit button)
    saved = False
    for _ in range(50):
        try:
            saved = not AttemptItem.objects.filter(attempt=attempt, answer__isnull=True).exists()
        except OperationalError:  # SQLite's shared test database refuses a read while the server writes
            saved = False
        if saved:
            break
        page.wait_for_timeout(100)
    assert saved
    page.screenshot(path="var/screenshot-training-exam-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=result]")
    result = page.locator("[data-testid=result]").inner_text()
    assert "通过" in result and "5 / 5" in result
    assert "回答正确" in page.content()
    with page.expect_download() as info:
        page.click("[data-testid=certificate]")
    pdf = tmp_path / "cert.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    attempt.refresh_from_db()
    cert = attempt.certificate
    assert "李柜员" in text and "消费者权益保护" in text and cert.number in text
    page.screenshot(path="var/screenshot-training-result-phone.png", full_page=True)
    page.context.clear_cookies()
    page.goto(f"/training/verify/{cert.verify_code}/")
    assert "有效" in page.locator("[data-testid=verify]").inner_text()
