"""ID and phone numbers: a keyed hash to find them, a masked form to show, ciphertext for the few who may see it.

Full values are never logged: PiiLogFilter rewrites any ID-, phone- or card-shaped digits in log records
(with `scrub`, so a reference such as SP20260302000001 reads the same in the log as on the page).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings

ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(\d{6})(\d{6,9})(\d{4})(?!\d)")

# Free text spells numbers every way people type them: grouped with spaces or hyphens, with the +86
# country code, in full-width digits (a Chinese IME's default). The scrubber finds all of them; one
# separator at most between groups, so two numbers side by side are not read as one.
_SEP = r"[ \-\u00a0\u3000]?"
_FREE_ID_RE = re.compile(rf"(?<![\d*])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}{_SEP}[\dXx](?![\d])")
_FREE_CARD_RE = re.compile(rf"(?<![\d*])\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}\d{{1,3}})?(?![\d])")
_FREE_PHONE_RE = re.compile(
    rf"(?<![\d*])(?:(?:\+|＋|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?![\d])"
)
# Our own references, as their generators write them: an approval case (approvals.services.case_start,
# SP + business date + case id), a complaint (complaints.services.intake.next_reference, TS + date + the
# day's number), a training certificate (training.services._certify, FW-date-attempt). Never a card,
# however long the id part grows.
OUR_REFERENCE_RE = re.compile(r"(?:SP\d{14,}|TS\d{12,}|FW-\d{8}-\d{6,})")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_CODE_PREFIX_RE = re.compile(r"[A-Za-z]+-?$")
_RUN_RE = re.compile(r"\d+")
_ESCAPE_RE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8})")
_WIDE = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x", "－": "-"})


def normalize_id(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def normalize_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value.translate(_WIDE))
    if digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_valid_id_number(value: str) -> bool:
    """Mainland resident ID (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""
    value = normalize_id(value)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


def id_check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def keyed_hash(kind: str, normalized: str) -> str:
    """HMAC-SHA256 of the normalised value, namespaced by kind so an ID never matches a phone."""
    key = settings.FUWU_PII_KEY.encode()
    return hmac.new(key, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()


def mask_id(value: str) -> str:
    value = normalize_id(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    value = normalize_phone(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**: the surname is enough for a teller to greet the customer."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def mask_card(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 10:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"fernet:{key}".encode()).digest()))


def encrypt(value: str) -> str:
    return _fernet(settings.FUWU_PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FUWU_PII_KEY).decrypt(token.encode()).decode()


@dataclass(frozen=True)
class ProtectedValue:
    """What a model stores for one PII value."""

    hash: str
    masked: str
    cipher: str


def protect_id(value: str) -> ProtectedValue:
    norm = normalize_id(value)
    return ProtectedValue(keyed_hash("id", norm), mask_id(norm), encrypt(norm))


def protect_phone(value: str) -> ProtectedValue:
    norm = normalize_phone(value)
    return ProtectedValue(keyed_hash("phone", norm), mask_phone(norm), encrypt(norm))


def _digits(value: str) -> str:
    return re.sub(r"[^\dXx]", "", value)


def luhn_ok(digits: str) -> bool:
    """The check digit every bank card number ends with (ISO/IEC 7812)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _code_is_card(prefix: str, run: str) -> bool:
    # A code's digits are a card only when they could be one: 16-19 of them with a valid check digit
    # (a 1-in-10 chance for a code, so at worst an odd code is masked), and never one of our references.
    return 16 <= len(run) <= 19 and luhn_ok(run) and not OUR_REFERENCE_RE.fullmatch(prefix + run)


def _mask_cards(text: str, pattern: re.Pattern[str]) -> str:
    """Mask the card-shaped numbers `pattern` finds, except the digits of a code glued to ASCII letters.

    SP20260302000001, TS202603020001, FW-20260302-000001 or an order number ORD2026… are references
    people type to name a record: masking them garbles the text and hides nothing personal. A bare digit
    run is masked whatever its check digit: customers mistype, and a card with one wrong digit is still
    their card. ID and phone numbers are masked before this, glued to letters or not.
    """
    parts: list[str] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start, end = m.span()
        before = start - 1 if start > 1 and text[start - 1] == "-" else start  # FW-…, ORD-…
        glued_left = before > 0 and text[before - 1] in _ASCII_LETTERS
        glued_right = end < len(text) and text[end] in _ASCII_LETTERS
        runs = list(_RUN_RE.finditer(text, start, end))
        # A card spelled in groups of four is a card even right after letters ("card6222 0212 …").
        grouped_card = len(runs) > 1 and len((runs[0] if glued_left else runs[-1]).group(0)) == 4
        if glued_left and not grouped_card:
            first = runs[0]
            prefix_match = _CODE_PREFIX_RE.search(text, max(start - 32, 0), start)
            prefix = prefix_match.group(0) if prefix_match else ""
            if not _code_is_card(prefix, first.group(0)):
                # The code ends where its digits end; whatever follows a separator is looked at afresh.
                parts.append(text[pos : first.end()])
                pos = first.end()
                continue
        elif glued_right and not grouped_card:
            last = runs[-1]
            if not _code_is_card("", last.group(0)):
                head = text[start : last.start()]
                parts.append(text[pos:start])
                parts.append(_mask_cards(head, pattern) if len(runs) > 1 else head)
                parts.append(last.group(0))
                pos = end
                continue
        parts.append(text[pos:start])
        parts.append(mask_card(m.group(0)))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def scrub(text: str) -> str:
    """Mask every ID-, card- or phone-shaped number in free text, however it is spaced or written.

    Full-width digits become ASCII first (the masked form is what is stored and shown). A phone number
    written with +86/86 keeps no country code in its masked form. A code glued to ASCII letters (our own
    references SP…, TS…, FW-…, an order number) is no card and keeps its digits (see _mask_cards).
    """
    text = text.translate(_WIDE)
    if "\\" in text and _ESCAPE_RE.search(text):
        # Text quoted with escapes (Django logs a request path as `/\u7801139…`): the escape's hex digits
        # would run into the number and hide it, so each stretch between two escapes is scrubbed on its own.
        parts = _ESCAPE_RE.split(text)
        escapes = _ESCAPE_RE.findall(text)
        return "".join(scrub(part) + (escapes[i] if i < len(escapes) else "") for i, part in enumerate(parts))
    text = _FREE_ID_RE.sub(lambda m: mask_id(_digits(m.group(0))), text)
    text = _FREE_PHONE_RE.sub(lambda m: mask_phone(normalize_phone(m.group(0))), text)
    text = _mask_cards(text, _FREE_CARD_RE)
    text = ID_RE.sub(lambda m: mask_id(m.group(0)), text)
    text = _mask_cards(text, CARD_RE)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class PiiLogFilter(logging.Filter):
    """Masks PII in every log record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A traceback's exception message can carry the number too (a ValueError quoting its input);
        # formatters reuse a cached exc_text, so caching the scrubbed text is what every handler prints.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
