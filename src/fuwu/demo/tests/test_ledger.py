"""The demo's rectification ledger holds defects from every source, not only inspections (#14, S3)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from fuwu.core import calendar, clock
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
    # The escalation sweep runs after every app has built, so every task overdue by a business day climbed the
    # tree, whatever its source: the forbidden phrases the knowledge step reports after the inspections step
    # included. (The quick demo's evaluations are a week old: none of theirs is overdue yet.)
    today = clock.today()
    left = [
        (t.source_kind, t.pk)
        for t in RectificationTask.objects.filter(RectificationTask.overdue_on(today))
        .exclude(status=RectificationTask.Status.APPEALED)
        .select_related("unit")
        if calendar.business_days_between(t.due, today) > 0 and t.escalation_level == 0
    ]
    assert left == []
    escalated = RectificationTask.objects.filter(escalation_level__gt=0, escalated_to__isnull=False)
    assert {"inspection", "complaint", "language"} <= set(escalated.values_list("source_kind", flat=True))
