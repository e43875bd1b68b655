"""The case file as in Pega/Salesforce (#19): timeline, documents checked by their bytes, letters as PDF,
only the allowed actions, the assignment default, and a feedback message turned into a complaint."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fuwu.complaints import selectors, services
from fuwu.complaints.models import Attachment, Complaint
from fuwu.complaints.tests import factories as f
from fuwu.complaints.tests.access_table import PNG
from fuwu.core import clock, roles
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    world.case = f.complaint(world)
    return world


def _decided(ctx: Any) -> Complaint:
    services.complaint_assign(actor=SYSTEM, complaint=ctx.case, handler=ctx.handler)
    services.complaint_investigate(
        actor=ctx.handler, complaint=ctx.case, root_cause="柜员未按规范解释等候原因"
    )
    services.complaint_decide(
        actor=ctx.handler,
        complaint=ctx.case,
        facts="经调取监控，客户等候四十分钟属实，柜员未作解释。",
        basis="《营业网点服务规范》第五条",
        remedy="向客户致歉，并对柜员进行服务培训。",
        upheld=True,
    )
    return Complaint.objects.get(pk=ctx.case.pk)


def test_timeline_has_every_step_alert_and_document_newest_first(ctx: Any) -> None:
    """#19 case timeline."""
    import datetime as dt

    services.complaint_assign(actor=SYSTEM, complaint=ctx.case, handler=ctx.handler)
    clock.advance(dt.timedelta(minutes=5))
    services.attachment_add(
        actor=ctx.handler, complaint=ctx.case, name="来信.pdf", content=PDF, note="客户来信"
    )
    clock.advance(dt.timedelta(minutes=5))
    services.complaint_investigate(actor=ctx.handler, complaint=ctx.case, root_cause="未解释等候原因")
    lines = selectors.timeline(fetched_by=ctx.handler, complaint=ctx.case)
    kinds = [e.kind for e in lines]
    assert {"step", "document"} <= set(kinds)
    assert [e.at for e in lines] == sorted((e.at for e in lines), reverse=True)
    titles = [e.title for e in lines]
    assert titles[-1] == "登记投诉"  # the first step is last
    assert any(e.kind == "document" and "来信.pdf" in e.detail for e in lines)
    # An alert (special customer group, fast track…) is a line too.
    special = f.complaint(ctx, tags=["public_opinion"])
    assert any(e.kind == "alert" for e in selectors.timeline(fetched_by=ctx.handler, complaint=special))


def test_documents_are_typed_by_their_bytes_and_limited_in_size(ctx: Any) -> None:
    """#19 attachments: letters, recordings, photos; an executable named .pdf is refused."""
    letter = services.attachment_add(actor=ctx.handler, complaint=ctx.case, name="信.PDF", content=PDF)
    photo = services.attachment_add(actor=ctx.handler, complaint=ctx.case, name="现场.jpg", content=PNG)
    sound = services.attachment_add(actor=ctx.handler, complaint=ctx.case, name="录音", content=WAV)
    assert (letter.kind, letter.content_type, letter.name) == ("letter", "application/pdf", "信.pdf")
    assert (photo.kind, photo.content_type, photo.name) == ("photo", "image/png", "现场.png")
    assert (sound.kind, sound.name) == ("recording", "录音.wav")
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_add(
            actor=ctx.handler, complaint=ctx.case, name="letter.pdf", content=b"MZ\x90\x00" * 64
        )
    assert refused.value.details[0]["field"] == "file"
    with pytest.raises(ValidationFailed):
        services.attachment_add(
            actor=ctx.handler, complaint=ctx.case, name="big.pdf", content=PDF + b"0" * (20 * 1024 * 1024)
        )
    assert Attachment.objects.filter(complaint=ctx.case).count() == 3


def test_document_download_is_scoped_and_audited(ctx: Any, client: Client) -> None:
    """#19 access-scoped downloads, audited; the staff member complained about and other outlets get 404."""
    accused = f.complaint(ctx, staff=ctx.teller_a, actor=ctx.head_a)
    doc = services.attachment_add(actor=ctx.handler, complaint=accused, name="信.pdf", content=PDF)
    client.force_login(ctx.handler)
    r = client.get(f"/complaints/documents/{doc.pk}/")
    assert r.status_code == 200 and r.content == PDF and r["Content-Type"] == "application/pdf"
    assert r["X-Content-Type-Options"] == "nosniff" and "attachment" in r["Content-Disposition"]
    assert AuditEvent.objects.filter(action="complaint.document_download", actor=ctx.handler).count() == 1
    for outsider in (ctx.teller_a, ctx.teller_b):  # the accused teller; a teller of another outlet
        client.force_login(outsider)
        assert client.get(f"/complaints/documents/{doc.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="complaint.document_download").count() == 1


def test_upload_page_refuses_a_disguised_file_in_chinese_and_keeps_the_note(ctx: Any, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.complaint_assign(actor=SYSTEM, complaint=ctx.case, handler=ctx.handler)
    client.force_login(ctx.handler)
    bad = SimpleUploadedFile("scan.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    r = client.post(f"/complaints/{ctx.case.pk}/documents/", {"file": bad, "note": "现场照片"})
    page = r.content.decode()
    assert r.status_code == 422 and "现场照片" in page and "仅限" in page
    good = SimpleUploadedFile("scan.jpg", PNG, content_type="image/jpeg")
    r = client.post(f"/complaints/{ctx.case.pk}/documents/", {"file": good, "note": "现场照片"})
    assert r.status_code == 302
    detail = client.get(f"/complaints/{ctx.case.pk}/").content.decode()
    assert "scan.png" in detail and 'data-testid="timeline"' in detail


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", "", out.stdout)  # pdftotext spaces CJK characters apart


def test_decision_and_reply_letters_are_pdfs_with_the_cases_fields(
    ctx: Any, client: Client, tmp_path: Path
) -> None:
    """#19 letter templates: the real PDF opened and its Chinese text read back."""
    case = _decided(ctx)
    client.force_login(ctx.handler)
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert 'data-testid="letter-decision"' in page and 'data-testid="letter-reply"' in page
    r = client.get(f"/complaints/{case.pk}/letters/decision.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = _pdftotext(r.content, tmp_path)
    for expected in (
        "投诉处理决定书",
        "刘建华",
        case.reference,
        "客户等候四十分钟属实",
        "您的投诉成立",
        "30日内",
    ):
        assert expected in text, expected
    assert "13812345678" not in text
    services.complaint_reply(
        actor=ctx.handler, complaint=case, method="letter", text="已电话致歉并说明整改措施。"
    )
    reply = _pdftotext(client.get(f"/complaints/{case.pk}/letters/reply.pdf").content, tmp_path)
    assert "投诉答复函" in reply and "已电话致歉并说明整改措施" in reply
    assert AuditEvent.objects.filter(action="complaint.letter_download").count() == 2
    # Before a decision there is nothing to announce: no letter links, and the URL refuses.
    fresh = f.complaint(ctx)
    assert 'data-testid="letter-decision"' not in client.get(f"/complaints/{fresh.pk}/").content.decode()
    assert client.get(f"/complaints/{fresh.pk}/letters/decision.pdf").status_code == 409


def test_the_case_page_shows_only_the_allowed_actions(ctx: Any, client: Client) -> None:
    """#19: forms come from core.transitions' allowed actions, not from status comparisons."""
    client.force_login(ctx.handler)
    page = client.get(f"/complaints/{ctx.case.pk}/").content.decode()
    assert 'data-testid="assign"' in page and 'data-testid="reply"' not in page
    case = _decided(ctx)
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert 'data-testid="reply"' in page and 'data-testid="decide"' not in page
    client.force_login(ctx.teller_a)  # registered it: may read, may not handle
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert 'data-testid="reply"' not in page and 'data-testid="attach"' not in page


def test_assignment_defaults_to_a_handler_of_the_cases_own_unit(ctx: Any, client: Client) -> None:
    """#19: the nearest unit's complaint handler is pre-selected (the outlet's own before the sub-branch's)."""
    assert selectors.default_handler(fetched_by=ctx.head_a, complaint=ctx.case) == ctx.handler
    own = f.staff(ctx.outlet_a, "handler_oa", roles.COMPLAINT_HANDLER, "孙处理")
    assert selectors.default_handler(fetched_by=ctx.head_a, complaint=ctx.case) == own
    client.force_login(ctx.head_a)
    page = client.get(f"/complaints/{ctx.case.pk}/").content.decode()
    assert re.search(r'<option value="handler_oa" selected>', page)


def test_a_feedback_message_becomes_one_linked_complaint_in_one_step(ctx: Any, client: Client) -> None:
    """#19: one step, linked both ways, audited, and doing it twice yields one complaint."""
    from fuwu.feedback.services import feedback_submit

    item, _token = feedback_submit(
        actor=SYSTEM,
        outlet=ctx.outlet_a,
        text="今天在网点排队一个多小时，柜员态度冷淡，也没有人解释原因，希望给个说法。",
        client="1.2.3.4",
        contact_name="王女士",
        phone="13700001111",
    )
    item.is_anonymous = False
    item.save()
    before = Complaint.objects.count()
    client.force_login(ctx.head_a)
    page = client.get(f"/feedback/inbox/{item.pk}/").content.decode()
    assert 'data-testid="to-complaint"' in page
    r = client.post(f"/complaints/from-feedback/{item.pk}/")
    assert r.status_code == 302
    made = Complaint.objects.get(feedback_item=item)
    assert r["Location"] == f"/complaints/{made.pk}/"
    assert made.outlet == ctx.outlet_a and made.source == "online" and made.complainant_name == "王女士"
    assert made.phone_masked == "137****1111" and made.received_at == item.submitted_at
    assert "排队一个多小时" in made.content
    again = client.post(f"/complaints/from-feedback/{item.pk}/")
    assert again["Location"] == r["Location"] and Complaint.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="complaint.from_feedback").count() == 1
    item.refresh_from_db()
    assert item.complaint == made
    page = client.get(f"/feedback/inbox/{item.pk}/").content.decode()
    assert made.reference in page and 'data-testid="to-complaint"' not in page


def test_a_letter_pdf_is_never_cached(ctx: Any, client: Client) -> None:
    """#18: a decision letter names the customer; no browser or proxy cache keeps it."""
    case = _decided(ctx)
    client.force_login(ctx.handler)
    r = client.get(f"/complaints/{case.pk}/letters/decision.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "no-store" in r["Cache-Control"]


def test_an_over_long_title_through_the_api_is_a_422_and_nothing_is_stored(ctx: Any) -> None:
    """#18: over-long text was stored on SQLite and a 500 (DataError) on PostgreSQL; the schema declares the
    model's length, so both databases answer 422 naming the field."""
    import json

    from fuwu.complaints.models import TypicalCase

    case = _decided(ctx)
    services.complaint_reply(actor=ctx.handler, complaint=case, method="phone", text="已向您致歉")
    client = Client(raise_request_exception=False)
    client.force_login(ctx.hq_manager)
    body = {"polarity": "negative", "title": "长" * 101, "lesson": "加强培训"}
    r = client.post(
        f"/api/v1/complaints/{case.pk}/typical-case", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    assert [d["field"] for d in r.json()["error"]["details"]] == ["title"]
    assert not TypicalCase.objects.exists()


def test_an_over_long_title_on_the_library_form_is_a_form_error_and_nothing_is_stored(
    ctx: Any, client: Client
) -> None:
    """The same schema parses the HTML form: the page comes back (422) with the typed title and its error."""
    from fuwu.complaints.models import TypicalCase

    case = _decided(ctx)
    services.complaint_reply(actor=ctx.handler, complaint=case, method="phone", text="已向您致歉")
    client.force_login(ctx.hq_manager)
    title = "等候未解释" * 21  # 105 characters; TypicalCase.title holds 100
    r = client.post(
        f"/complaints/{case.pk}/typical_case_create/",
        {"polarity": "negative", "title": title, "lesson": "培训"},
    )
    assert r.status_code == 422
    assert title in r.content.decode()  # kept for the user to shorten
    assert not TypicalCase.objects.exists()


def test_an_over_long_note_on_the_upload_form_is_a_form_error_and_nothing_is_stored(
    ctx: Any, client: Client
) -> None:
    """Already checked by the service (Attachment.note); kept as coverage of the upload page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.complaint_assign(actor=SYSTEM, complaint=ctx.case, handler=ctx.handler)
    client.force_login(ctx.handler)
    good = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    note = "现场照片" * 60  # 240 characters; Attachment.note holds 200
    r = client.post(f"/complaints/{ctx.case.pk}/documents/", {"file": good, "note": note})
    assert r.status_code == 422
    assert note in r.content.decode()  # kept for the user to shorten
    assert not Attachment.objects.exists()
