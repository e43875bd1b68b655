"""What an uploaded case document really is, read from its first bytes (the name and the browser's type lie).

A complaint file holds letters (PDF, Word, a scan), call or counter recordings (MP3, WAV, M4A, AMR) and
photos (JPEG, PNG). Anything else — an executable renamed .pdf, an HTML page, a ZIP — is refused, whatever
its extension says.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024  # a 20-minute MP3 at 128 kbit/s; letters and photos are far smaller


@dataclass(frozen=True)
class Sniffed:
    kind: str  # letter | recording | photo
    content_type: str
    extension: str


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _is_mp3(content: bytes) -> bool:
    if content.startswith(b"ID3"):
        return True
    # A bare MPEG audio frame: 11 sync bits, layer III (not the reserved layer value).
    return (
        len(content) > 2
        and content[0] == 0xFF
        and (content[1] & 0xE0) == 0xE0
        and (content[1] & 0x06) == 0x02
    )


def sniff(content: bytes) -> Sniffed | None:
    """The document type its bytes say, or None when it is none we keep."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return Sniffed("letter", "application/pdf", "pdf")
    if head.startswith(b"PK\x03\x04") and _is_docx(content):
        return Sniffed(
            "letter", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
        )
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("photo", "image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("photo", "image/png", "png")
    if head.startswith(b"RIFF") and content[8:12] == b"WAVE":
        return Sniffed("recording", "audio/wav", "wav")
    if content[4:8] == b"ftyp" and content[8:11] in (b"M4A", b"mp4", b"iso"):
        return Sniffed("recording", "audio/mp4", "m4a")
    if head.startswith(b"#!AMR"):
        return Sniffed("recording", "audio/amr", "amr")
    if _is_mp3(content):
        return Sniffed("recording", "audio/mpeg", "mp3")
    return None
