"""Evidence photos: the content decides the type (Pillow), a size limit, EXIF time kept, sha256, a thumbnail."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.errors import ValidationFailed

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
ALLOWED = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
THUMB_SIZE = (320, 320)
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769


@dataclass(frozen=True)
class Checked:
    content: bytes
    sha256: str
    content_type: str
    extension: str
    width: int
    height: int
    taken_at: dt.datetime | None
    thumbnail: bytes


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(_("The photo was not accepted."), details=[{"field": "photo", "reason": reason}])


def _exif_time(image: object) -> dt.datetime | None:
    getexif = getattr(image, "getexif", None)
    if getexif is None:
        return None
    exif = getexif()
    raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if not raw:
        return None
    try:
        # Cameras write local time without a zone; the bank's business time is Shanghai.
        return dt.datetime.strptime(str(raw).strip("\x00 ") + " +0800", "%Y:%m:%d %H:%M:%S %z").astimezone(
            clock.SHANGHAI
        )
    except ValueError:
        return None


def check(content: bytes) -> Checked:
    """Accept `content` only if it is a JPEG, PNG or WebP image under the limits; refuse with a field error."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(content) > MAX_BYTES:
        raise _refuse(_("The photo is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not content:
        raise _refuse(_("The file is empty."))
    try:
        with Image.open(io.BytesIO(content)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _refuse(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            taken_at = _exif_time(image)
            thumb = ImageOps.exif_transpose(image).convert("RGB")
            thumb.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            thumb.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse(_("The file is not an image.")) from exc
    if fmt not in ALLOWED:
        raise _refuse(_("Send a JPEG, PNG or WebP photo."))
    content_type, extension = ALLOWED[fmt]
    return Checked(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=content_type,
        extension=extension,
        width=width,
        height=height,
        taken_at=taken_at,
        thumbnail=out.getvalue(),
    )


def files(checked: Checked) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
    """The original and the thumbnail as Django files named by their hash (through the default storage)."""
    name = checked.sha256[:32]
    return (
        ContentFile(checked.content, name=f"{name}.{checked.extension}"),
        ContentFile(checked.thumbnail, name=f"{name}_t.jpg"),
    )


@contextmanager
def removed_if_failed() -> Iterator[list[str]]:
    """Collect the storage names written in the block; if the block fails (so its transaction rolls back, taking the
    Photo rows with it) delete those files, so a refused submission leaves no file without its row.

    Files are written before the commit rather than after it: a write after the commit could fail and leave a
    committed Photo row whose file never existed."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
