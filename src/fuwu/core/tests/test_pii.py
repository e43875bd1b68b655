"""ID and phone numbers: matched by keyed hash, shown masked, revealed only with the right, never logged."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from fuwu.core import pii, services
from fuwu.core.errors import Forbidden, NotFound
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers import selectors as customer_selectors
from fuwu.customers.services import customer_create

ID = "11010819900307018X"  # valid: check character X
PHONE = "13812345678"


def test_id_check_digit() -> None:
    assert pii.is_valid_id_number(ID)
    assert not pii.is_valid_id_number("110108199003070181")
    assert pii.id_check_char(ID[:17]) == "X"


def test_masks() -> None:
    assert pii.mask_id(ID) == "110***********018X"
    assert pii.mask_phone("+86 138-1234-5678") == "138****5678"
    assert pii.mask_card("6222021234567890123") == "622202*********0123"


def test_scrub_masks_numbers_in_free_text() -> None:
    text = f"客户{ID}来电，手机{PHONE}，卡号6222021234567890123"
    cleaned = pii.scrub(text)
    assert ID not in cleaned and PHONE not in cleaned and "6222021234567890123" not in cleaned
    assert "110***********018X" in cleaned and "138****5678" in cleaned


def test_hash_is_keyed_and_namespaced() -> None:
    assert pii.keyed_hash("id", ID) != pii.keyed_hash("phone", ID)
    assert len(pii.keyed_hash("id", ID)) == 64


@pytest.fixture
def customer(world: Any) -> Any:
    return customer_create(
        actor=SYSTEM,
        customer_no="C1",
        name="王芳",
        home_outlet=world.outlet_a,
        id_number=ID,
        phone=PHONE,
        card_number="6222021234567890123",
        tier="wealth",
    )


def test_customer_stores_no_plain_identifier(customer: Any) -> None:
    stored = " ".join(str(v) for v in customer.__dict__.values())
    assert ID not in stored and PHONE not in stored
    assert customer.id_masked == "110***********018X"


def test_recognition_by_any_identifier(customer: Any) -> None:
    assert customer_selectors.recognize(id_number=ID.lower()) == customer
    assert customer_selectors.recognize(phone="+86 138 1234 5678") == customer
    assert customer_selectors.recognize(card="6222 0212 3456 7890 123") == customer
    assert customer_selectors.recognize(phone="13900000000") is None


def test_invalid_id_is_refused_with_the_field(world: Any) -> None:
    from django.utils import translation

    from fuwu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err, translation.override("zh-hans"):
        customer_create(
            actor=SYSTEM,
            customer_no="C2",
            name="李",
            home_outlet=world.outlet_a,
            id_number="110108199003070181",
        )
    assert err.value.details == [{"field": "id_number", "reason": "校验位或格式不正确。"}]


def test_only_roles_with_the_right_see_full_values_and_it_is_audited(world: Any, customer: Any) -> None:
    with pytest.raises(Forbidden):
        services.pii_reveal(actor=world.teller_a, obj=customer, field="id", org_unit=customer.home_outlet)
    assert (
        services.pii_reveal(actor=world.auditor, obj=customer, field="id", org_unit=customer.home_outlet)
        == ID
    )
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.actor == world.auditor and event.data == {"field": "id"}


def test_reveal_outside_ones_scope_is_not_found(world: Any, customer: Any) -> None:
    handler = services.staff_create(
        actor=SYSTEM,
        org_unit=world.outlet_x,
        username="ch",
        display_name="投诉专员",
        roles=["complaint_handler"],
    )
    with pytest.raises(NotFound):
        services.pii_reveal(actor=handler, obj=customer, field="phone", org_unit=customer.home_outlet)


# The ten ordinary spellings of one phone number and one ID number that free text carries (#18).
SPELLINGS = [
    ("13912345678", "139****5678"),
    ("+8613912345678", "139****5678"),
    ("8613912345678", "139****5678"),
    ("139-1234-5678", "139****5678"),
    ("139 1234 5678", "139****5678"),
    ("１３９１２３４５６７８", "139****5678"),
    ("+86 139 1234 5678", "139****5678"),
    ("110108198506123015", "110***********3015"),
    ("110108 19850612 3015", "110***********3015"),
    ("１１０１０８１９８５０６１２３０１５", "110***********3015"),
]


def _digits_of(value: str) -> str:
    wide = {chr(0xFF10 + i): str(i) for i in range(10)}
    return "".join(wide.get(c, c) for c in value if c.isdigit() or c in wide)


@pytest.mark.parametrize(("spelling", "masked"), SPELLINGS)
def test_scrub_masks_every_ordinary_spelling(spelling: str, masked: str) -> None:
    cleaned = pii.scrub(f"客户说：我的号码是{spelling}，请回电。")
    assert masked in cleaned
    # No run of the number's significant digits survives (the middle digits are what identify).
    assert _digits_of(spelling)[-8:-4] not in _digits_of(cleaned).replace(masked.replace("*", ""), "")


@pytest.mark.parametrize(("spelling", "masked"), SPELLINGS)
def test_log_filter_masks_every_ordinary_spelling(spelling: str, masked: str, caplog: Any) -> None:
    logger = logging.getLogger("fuwu.test.spellings")
    logger.addFilter(pii.PiiLogFilter())
    with caplog.at_level(logging.INFO, logger="fuwu.test.spellings"):
        logger.info("caller left %s", spelling)
    assert spelling not in caplog.text and masked in caplog.text


def test_log_filter_masks_a_number_right_after_an_escaped_character(caplog: Any) -> None:
    # Django logs a request path with non-ASCII escaped: `/q/\u780113912345678` (码 then the number). The
    # escape's last hex digit must not join the number and hide it from the scrubber.
    logger = logging.getLogger("fuwu.test.escapes")
    logger.addFilter(pii.PiiLogFilter())
    with caplog.at_level(logging.INFO, logger="fuwu.test.escapes"):
        logger.warning("Not Found: %s", "/q/\\u780113912345678/\\xe5110108198506123015")
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text
    assert "110108198506123015" not in caplog.text and "\\u7801" in caplog.text


def test_scrub_leaves_dates_times_and_amounts_alone() -> None:
    text = "2026-03-02 09:00 办理转账 12345 元，工号 100234"
    assert pii.scrub(text) == text


def test_log_records_are_scrubbed(caplog: Any) -> None:
    logger = logging.getLogger("fuwu.test")
    logger.addFilter(pii.PiiLogFilter())
    with caplog.at_level(logging.INFO, logger="fuwu.test"):
        logger.info("customer %s phone %s", ID, PHONE)
    assert ID not in caplog.text and PHONE not in caplog.text
    assert "138****5678" in caplog.text


def test_logged_traceback_is_scrubbed_too(caplog: Any) -> None:
    """An exception message quoting the number must not reach the log through the traceback."""
    logger = logging.getLogger("fuwu.test.exc")
    logger.addFilter(pii.PiiLogFilter())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad customer {ID} / {PHONE}")
        except ValueError:
            logger.exception("lookup failed")
    finally:
        logger.removeHandler(handler)
    printed = stream.getvalue()
    assert "ValueError: bad customer" in printed
    assert ID not in printed and PHONE not in printed and "138****5678" in printed


def test_settings_attach_the_filter_to_every_handler() -> None:
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["pii"]


def test_served_access_log_never_shows_a_phone_number(tmp_path: Any) -> None:
    import os

    from fuwu.core.tests.serving import free_port, log_of_one_request

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fuwu.settings",
        "FUWU_DATA_DIR": str(tmp_path),
        "FUWU_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    text = log_of_one_request(
        ["serve", "--port", str(port), "--workers", "1"],
        port,
        f"/login/?phone={PHONE}&id={ID}",
        env,
        tmp_path / "serve.log",
    )
    assert "/login/?phone=" in text  # the request was logged…
    assert PHONE not in text and ID not in text  # …with the numbers masked
