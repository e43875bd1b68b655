"""The demo's rectification ledger holds defects from every source, not only inspections (#14, S3)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from fuwu.inspections.models import RectificationTask

pytestmark = pytest.mark.django_db


def test_demo_ledger_has_inspections_complaints_evaluations_and_forbidden_phrases(
    frozen_clock: Any,
) -> None:
    call_command("demo", "--quick", "--customers", "300", stdout=io.StringIO())
    sources = Counter(RectificationTask.objects.values_list("source_kind", flat=True))
    assert set(sources) == {"inspection", "complaint", "evaluation", "language"}, sources
    # The complaint and evaluation tasks were opened at their cases' dates and then lived in the ledger:
    # the older ones are closed like the inspections' (not all open and overdue at once).
    for kind in ("complaint", "evaluation"):
        states = set(RectificationTask.objects.filter(source_kind=kind).values_list("status", flat=True))
        assert "verified" in states and len(states) >= 2, (kind, states)
    opened = RectificationTask.objects.filter(source_kind="complaint").values_list("opened_at", flat=True)
    assert len({o.date() for o in opened}) > 5  # not all stamped with the day the demo ran
