"""The demo fills a realistic picture: every category, some major, some overdue, and the sweep works on it."""

from __future__ import annotations

import io
from typing import Any

import pytest

from fuwu.complaints import demo, services
from fuwu.complaints.models import Complaint, Severity, TypicalCase
from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.core.roles import sync_role_groups
from fuwu.demo import bank as demo_bank

pytestmark = pytest.mark.django_db


def test_demo_year_of_complaints(seeded_calendar: Any, frozen_clock: Any) -> None:
    sync_role_groups()
    bank = demo_bank.build(customers=2000)
    out = io.StringIO()
    demo.build(bank, out=out, options={"quick": False})
    qs = Complaint.objects.all()
    assert 700 <= qs.count() <= 1200
    assert set(qs.values_list("category_code", flat=True)) == {f"{i:02d}" for i in range(1, 15)}
    assert qs.filter(severity=Severity.MAJOR, is_fast_track=True).exists()
    now = clock.now()
    late_closed = [c for c in qs.filter(closed_at__isnull=False) if c.closed_at > c.due_at]
    assert late_closed, "some cases were decided after their statutory deadline"
    assert qs.filter(closed_at__isnull=True, due_at__lt=now).exists(), "some are still open and overdue"
    span = (now - qs.order_by("received_at").first().received_at).days  # type: ignore[union-attr]
    assert 330 <= span <= 366 and not qs.filter(received_at__gt=now).exists()
    assert TypicalCase.objects.exists()
    for case in TypicalCase.objects.select_related("complaint"):
        assert case.complaint.complainant_name not in case.text
    assert "complaints:" in out.getvalue()
    assert (
        services.deadlines_sweep(actor=SYSTEM)["escalated"] >= 1
    )  # open cases from days ago are past their SOP step


def test_demo_quick_is_small(seeded_calendar: Any, frozen_clock: Any) -> None:
    sync_role_groups()
    bank = demo_bank.build(customers=500)
    demo.build(bank, out=io.StringIO(), options={"quick": True})
    assert 80 <= Complaint.objects.count() <= 250


def test_every_demo_case_under_review_has_its_pending_request(
    seeded_calendar: Any, frozen_clock: Any
) -> None:
    """#18: the demo wrote UNDER_REVIEW cases without a ReviewRequest, so deciding one failed. They now go
    through the review-request service: a pending request at the superior unit, which can decide it."""
    from fuwu.complaints.models import ReviewRequest, Status
    from fuwu.core import roles
    from fuwu.core import services as core_services

    sync_role_groups()
    bank = demo_bank.build(customers=2000)
    demo.build(bank, out=io.StringIO(), options={"quick": False})
    under_review = list(Complaint.objects.filter(status=Status.UNDER_REVIEW).select_related("outlet"))
    assert under_review, "the demo shows some cases under review"
    for c in under_review:
        request = ReviewRequest.objects.get(complaint=c, decided_at__isnull=True)
        assert request.reviewing_unit == c.outlet.get_parent() == c.handling_unit
        assert c.closed_at is None and request.requested_at > c.replied_at
    c = under_review[0]
    reviewer = core_services.staff_create(
        actor=SYSTEM,
        org_unit=c.handling_unit,
        username="reviewer",
        display_name="复核人",
        roles=[roles.COMPLAINT_HANDLER],
        password="test-pass-123",
        staff_code="REVIEWER",
    )
    services.complaint_review_decide(
        actor=reviewer, complaint=c, facts="复核维持原处理", basis="办法第三十一条"
    )
    assert c.status == Status.CLOSED
