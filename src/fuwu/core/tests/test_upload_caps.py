"""Every upload route refuses a file over its cap with a Chinese message and stores nothing (#18).

Each view reads one byte over the cap and the service refuses it, so an over-size upload is never read
whole into memory. The files here are real over-size uploads (the caps are a few MB)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fuwu.inspections import xlsx
from fuwu.inspections.models import TemplateVersion
from fuwu.training import services as training
from fuwu.training.models import Question

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _over(cap: int, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"PK\x03\x04" + b"\x00" * cap, content_type=XLSX)


def test_an_over_size_question_bank_is_refused_in_chinese(world: Any) -> None:
    response = _client(world.hq_manager).post(
        "/training/bank/import/", {"file": _over(training.MAX_BANK_BYTES, "题库.xlsx")}
    )
    assert response.status_code == 422
    assert "文件超过 5 MB。" in response.content.decode()
    assert not Question.objects.exists()


def test_an_over_size_inspection_template_is_refused_in_chinese_on_the_page(world: Any) -> None:
    response = _client(world.hq_manager).post(
        "/inspections/templates/import/", {"file": _over(xlsx.MAX_IMPORT_BYTES, "模板.xlsx")}
    )
    assert response.status_code == 422
    assert "文件超过 5 MB。" in response.content.decode()
    assert not TemplateVersion.objects.exists()


def test_an_over_size_inspection_template_is_refused_in_chinese_through_the_api(world: Any) -> None:
    response = _client(world.hq_manager).post(
        "/api/v1/inspections/templates/import",
        {"file": _over(xlsx.MAX_IMPORT_BYTES, "模板.xlsx")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["message"] == "文件超过 5 MB。"
    assert not TemplateVersion.objects.exists()


def test_an_over_size_complaint_document_is_refused_in_chinese(world: Any, frozen_clock: Any) -> None:
    from fuwu.complaints import sniff
    from fuwu.complaints.models import Attachment
    from fuwu.complaints.tests import factories as f

    case = f.complaint(world)
    big = SimpleUploadedFile("录音.mp3", b"ID3" + b"\x00" * sniff.MAX_BYTES, content_type="audio/mpeg")
    response = _client(world.head_a).post(f"/complaints/{case.pk}/documents/", {"file": big, "note": "录音"})
    assert response.status_code in (403, 422)
    if response.status_code == 422:
        assert "文件超过 20 MB。" in response.content.decode()
    assert not Attachment.objects.exists()
