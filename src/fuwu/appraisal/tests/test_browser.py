"""In a real browser: head office builds the quarterly briefing from the page, watches its progress and
downloads both files."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from fuwu.appraisal.models import BriefingJob
from fuwu.appraisal.tasks import build_briefing
from fuwu.appraisal.tests.factories import card, satisfaction_day
from fuwu.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker(stop: threading.Event) -> None:
    """Stands in for `fuwu worker`: runs each queued briefing as the background task does."""
    from django.db import connection

    try:
        while not stop.is_set():
            job = BriefingJob.objects.filter(status=BriefingJob.Status.QUEUED).first()
            if job is not None:
                build_briefing.call(job.pk)
            time.sleep(0.2)
    finally:
        connection.close()


def test_hq_builds_the_briefing_from_the_page_and_downloads_pdf_and_excel(
    world: Any, browser_page: Any, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    card("tier2", [("satisfaction", "target", 90.0, None, {"2026-01-01": 30})])
    satisfaction_day(world.outlet_a, dt.date(2026, 8, 3), 10, 9)
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(stop,), daemon=True)
    worker.start()
    try:
        page = browser_page
        browser_login(page, "hq")
        page.goto("/appraisal/briefings/")
        form = page.get_by_test_id("briefing-form")
        form.locator("input[name=quarter]").fill("2026-Q3")
        form.locator("select[name=unit_code]").select_option("T1")
        form.get_by_role("button").click()
        page.wait_for_selector("[data-testid=job] progress")
        page.wait_for_selector("a:has-text('briefing-T1-2026-Q3.xlsx')", timeout=60_000)
        assert "100%" in page.get_by_test_id("job").first.inner_text()
        saved = {}
        for ext in ("pdf", "xlsx"):
            with page.expect_download() as info:
                page.click(f"a:has-text('briefing-T1-2026-Q3.{ext}')")
            path = tmp_path / info.value.suggested_filename
            info.value.save_as(path)
            saved[ext] = path
        assert saved["pdf"].read_bytes().startswith(b"%PDF")
        book = load_workbook(saved["xlsx"])
        assert "海淀支行" in [c.value for c in book[book.sheetnames[1]]["C"]]
        page.screenshot(path=str(tmp_path / "briefings.png"), full_page=True)
    finally:
        stop.set()
        worker.join(timeout=30)
