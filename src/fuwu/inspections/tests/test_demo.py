"""The demo's supervision year: visits by kind, rectifications in every state, appeals, escalations."""

from __future__ import annotations

import io
from typing import Any

import pytest

from fuwu.demo import bank as demo_bank
from fuwu.inspections import demo
from fuwu.inspections.models import Inspection, Photo, RectificationTask

pytestmark = pytest.mark.django_db


def test_demo_quarter_of_inspections(seeded_calendar: Any, frozen_clock: Any) -> None:
    bank = demo_bank.build(customers=200)
    out = io.StringIO()
    demo.build(bank, out=out, options={"quick": True})
    print(out.getvalue())
    assert Inspection.objects.filter(status="submitted").count() >= 3 * len(bank.outlets)
    assert set(Inspection.objects.values_list("kind", flat=True)) == {"mystery", "video", "onsite"}
    states = set(RectificationTask.objects.values_list("status", flat=True))
    assert {"open", "submitted", "verified"} <= states
    assert Photo.objects.exists()
    assert frozen_clock.today().isoformat() == "2026-03-02"  # the caller's clock is restored
