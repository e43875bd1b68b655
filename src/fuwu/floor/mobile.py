"""The customer's mobile ticket link (Q2, Q6): a signed, day-bound token instead of the ticket's id.

The token is `<id>.<yyyymmdd>:<HMAC>` signed with SECRET_KEY under its own salt: nobody can forge one for
another ticket, nothing is stored per ticket (issuing stays one insert), and the business date it carries
lets an expired link be refused before any query. Links die when the business day ends (Asia/Shanghai):
numbers restart the next day, so yesterday's link must not describe anyone's visit.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import segno
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from fuwu.core import clock
from fuwu.core.errors import NotFound
from fuwu.floor.models import Ticket

SALT = "fuwu.floor.my-ticket"


def token_for(ticket: Ticket) -> str:
    return signing.Signer(salt=SALT).sign(f"{ticket.pk}.{ticket.business_date:%Y%m%d}")


def read_token(token: str, *, today: dt.date | None = None) -> tuple[int, dt.date]:
    """The ticket id and business date a valid, unexpired token names; NotFound for anything else.

    Tampered, foreign-key-signed, malformed and expired tokens all get the same answer, so a guesser learns
    nothing from the difference.
    """
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        pk_text, _, day_text = value.partition(".")
        pk = int(pk_text)
        day = dt.date.fromisoformat(day_text)
    except (signing.BadSignature, ValueError) as exc:
        raise NotFound() from exc
    if day != (today or clock.today()):
        raise NotFound()
    return pk, day


def links(ticket: Ticket, request: HttpRequest) -> tuple[str, str]:
    """The page link a phone opens and the QR image the kiosk shows (served by the kiosk's own host)."""
    token = token_for(ticket)
    page = absolute_url(reverse("floor:my_ticket", kwargs={"token": token}), request)
    return page, request.build_absolute_uri(reverse("floor:my_ticket_qr", kwargs={"token": token}))


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """What a phone opens: FUWU_PUBLIC_URL + path when the kiosk's own host is not reachable from outside."""
    base = settings.FUWU_PUBLIC_URL.rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def qr_svg(data: str) -> bytes:
    """An SVG QR code of `data` (error correction M: a creased paper slip still scans)."""
    buffer = BytesIO()
    segno.make_qr(data, error="m").save(buffer, kind="svg", scale=6, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue()
