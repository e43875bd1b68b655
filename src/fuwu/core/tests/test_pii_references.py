"""The scrubber masks personal numbers, not our own references (#18).

Every 12-19-digit run used to be taken for a bank card, so an approval reference typed in a comment,
SP20260302000001, came out as SP202603****0001 (complaint and certificate numbers likewise). A code glued
to ASCII letters keeps its digits now; every spelling of an ID, phone and card number is still masked, in
text and in the log.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from fuwu.approvals.tests import factories as approval_factories
from fuwu.complaints.services.intake import next_reference
from fuwu.core import pii
from fuwu.core.tests.test_pii import SPELLINGS
from fuwu.training import services as training_services
from fuwu.training.models import Certificate
from fuwu.training.tests import factories as training_factories

# Card numbers as people write them, and what the scrubber leaves: the first six and last four digits.
CARDS = [
    ("卡号6222021234567890123", "卡号622202*********0123"),  # glued to Chinese: still a card
    ("6222021234567890123", "622202*********0123"),
    ("6222 0212 3456 7890 123", "622202*********0123"),
    ("6222-0212-3456-7890", "622202******7890"),
    ("卡号：6217 0000 1001 2345 677", "卡号：621700*********5677"),
    ("card6222 0212 3456 7890", "card622202******7890"),  # grouped by four: a card even after letters
    ("card6217000010012345677", "card621700*********5677"),  # glued to letters, valid check digit
    ("NO.4111111111111111", "NO.411111******1111"),
    ("6222021234567890124", "622202*********0124"),  # a mistyped card (bad check digit) is still masked
    ("１２３４５６７８９０１２３４５６７", "123456*******4567"),
]

# Codes glued to ASCII letters that are no card (their digits fail the card check): left as typed.
CODES = ["ORD2026030212345678", "ORD-2026030212345678", "20260302000001A", "No2026030212345678x"]


def _references(world: Any) -> list[str]:
    """One reference of every kind the product generates, each made by its real generator."""
    approval_factories.small_loan()
    approval = approval_factories.start(world, "50000").reference
    complaints = [next_reference(dt.date(2026, 3, 2)) for _ in range(2)] + [
        next_reference(dt.date(2026, 12, 31))
    ]
    exam = training_factories.exam(world)
    attempt = training_services.attempt_start(actor=world.teller_a, exam=exam)
    training_factories.answer_all(world.teller_a, attempt)
    training_services.attempt_submit(actor=world.teller_a, attempt=attempt)
    certificate = Certificate.objects.get(attempt=attempt).number
    found = [approval, *complaints, certificate]
    assert [r[:2] for r in found] == ["SP", "TS", "TS", "TS", "FW"]  # a new kind belongs in this list
    return found


def _in_text(reference: str) -> list[str]:
    return [
        reference,
        f"审批单{reference}已通过",
        f"请查询{reference}，谢谢",
        f"编号：{reference} 金额1000元",
        f"ref:{reference}; see {reference}.",
    ]


@pytest.mark.django_db
def test_every_reference_the_product_generates_survives_scrub(world: Any, frozen_clock: Any) -> None:
    for reference in _references(world):
        for text in _in_text(reference):
            assert pii.scrub(text) == text


@pytest.mark.django_db
def test_a_number_next_to_a_reference_is_masked_and_the_reference_kept(world: Any, frozen_clock: Any) -> None:
    for reference in _references(world):
        for spelling, masked in SPELLINGS:
            cleaned = pii.scrub(f"客户就{reference}来电，号码{spelling}，卡号6222021234567890123")
            assert cleaned == f"客户就{reference}来电，号码{masked}，卡号622202*********0123"


def test_a_reference_outgrowing_its_digits_is_still_no_card() -> None:
    # Case id 10,000,000 and up: 16 digits after SP; this one passes the card check digit.
    reference = "SP2026030210000017"
    assert pii.luhn_ok(reference[2:])
    assert pii.scrub(f"审批单{reference}") == f"审批单{reference}"


@pytest.mark.parametrize(("text", "masked"), CARDS)
def test_cards_are_masked_however_written(text: str, masked: str) -> None:
    assert pii.scrub(text) == masked


@pytest.mark.parametrize("code", CODES)
def test_codes_glued_to_letters_keep_their_digits(code: str) -> None:
    assert pii.scrub(f"订单{code}已受理") == f"订单{code}已受理"


def test_id_and_phone_are_masked_even_glued_to_letters() -> None:
    assert pii.scrub("tel13912345678 ID110108198506123015") == "tel139****5678 ID110***********3015"


def _logged(text: str, caplog: Any) -> str:
    logger = logging.getLogger("fuwu.test.references")
    logger.addFilter(pii.PiiLogFilter())
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fuwu.test.references"):
        logger.info("note: %s", text)
    return str(caplog.records[-1].getMessage())


@pytest.mark.django_db
def test_log_filter_keeps_references_and_masks_numbers(world: Any, frozen_clock: Any, caplog: Any) -> None:
    for reference in _references(world):
        for text in _in_text(reference):
            assert _logged(text, caplog) == f"note: {text}"
        for spelling, masked in SPELLINGS:
            assert _logged(f"{reference} 号码{spelling}", caplog) == f"note: {reference} 号码{masked}"
    for text, masked in CARDS:
        assert _logged(text, caplog) == f"note: {masked}"
    for code in CODES:
        assert _logged(code, caplog) == f"note: {code}"
