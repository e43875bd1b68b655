"""Case documents: attachments (letters, recordings, photos) and the decision and reply letters as PDF (#19).

An upload's type is read from its bytes (sniff.py), never from its name; every download of a document or a
letter is an audit row (they carry the complainant's personal data, PIPL).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.complaints import letters, sniff
from fuwu.complaints.models import Attachment, Complaint
from fuwu.complaints.services._common import as_user, audit_case, problem, refuse_if
from fuwu.complaints.states import HANDLE, VIEW, recusal
from fuwu.core import audit, clock, pii
from fuwu.core.access import require
from fuwu.core.principals import Principal


def _safe_name(name: str, extension: str) -> str:
    """The uploader's file name without any path, ending in the extension its content has."""
    # Customers name files after themselves ("身份证 110108….jpg"): the name is free text like the note (#18).
    stem = pii.scrub(PurePath(name.replace("\\", "/")).stem.strip())[:80] or "document"
    return f"{stem}.{extension}"


@transaction.atomic
def attachment_add(
    *, actor: Principal, complaint: Complaint, name: str, content: bytes, note: str = ""
) -> Attachment:
    """Keep a letter, recording or photo with the case; refused unless its bytes are one of those, or too large."""
    require(actor, HANDLE, unit=complaint.outlet, message=_("Your role may not handle complaints."))
    recusal(complaint, actor)
    problems = []
    found = sniff.sniff(content)
    if len(content) > sniff.MAX_BYTES:
        problems.append(
            problem(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": sniff.MAX_BYTES // (1024 * 1024)}
            )
        )
    elif not content:
        problems.append(problem("file", _("The file is empty.")))
    elif found is None:
        problems.append(
            problem(
                "file", _("Only letters (PDF, Word), recordings (MP3, WAV, M4A, AMR) and photos (JPEG, PNG).")
            )
        )
    if len(note) > 200:
        problems.append(problem("note", _("At most %(n)s characters.") % {"n": 200}))
    refuse_if(problems, _("The document was not kept."))
    assert found is not None
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        complaint=complaint,
        kind=found.kind,
        name=_safe_name(name, found.extension),
        content_type=found.content_type,
        size=len(content),
        sha256=digest,
        note=pii.scrub(note.strip()),  # masked like the complaint text it documents (#18)
        uploaded_by=as_user(actor),
        uploaded_at=clock.now(),
    )
    # The stored name is the content hash: nothing the uploader typed reaches the file system.
    attachment.file.save(f"{digest}.{found.extension}", ContentFile(content), save=False)
    attachment.save()
    audit_case(actor, "attach", complaint, attachment=attachment.pk, kind=found.kind, size=len(content))
    return attachment


@transaction.atomic
def attachment_download(*, actor: Principal, attachment: Attachment) -> bytes:
    """The document's bytes for someone who may read the case; the download is audited."""
    complaint = attachment.complaint
    require(actor, VIEW, unit=complaint.outlet, message=_("Your role may not read complaints."))
    with attachment.file.open("rb") as f:
        data = f.read()
    audit.record(
        actor=actor,
        action="complaint.document_download",
        target=complaint,
        org_unit=complaint.outlet,
        data={"attachment": attachment.pk, "kind": attachment.kind},
    )
    return bytes(data)


@transaction.atomic
def letter_render(*, actor: Principal, complaint: Complaint, kind: str) -> bytes:
    """The decision or reply letter of the case as a PDF, its fields filled in; audited as a download."""
    require(actor, HANDLE, unit=complaint.outlet, message=_("Your role may not handle complaints."))
    recusal(complaint, actor)
    pdf = letters.render(complaint, kind)
    audit.record(
        actor=actor,
        action="complaint.letter_download",
        target=complaint,
        org_unit=complaint.outlet,
        data={"letter": kind},
    )
    return pdf
