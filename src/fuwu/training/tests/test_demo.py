"""The demo hooks build a coherent training year and approval year on a small bank."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import pytest

from fuwu.approvals import demo as approvals_demo
from fuwu.approvals import selectors as approvals_selectors
from fuwu.approvals.models import Case, CaseStep
from fuwu.core import clock, roles, rollups
from fuwu.core.principals import SYSTEM
from fuwu.demo.bank import DemoBank
from fuwu.training import demo
from fuwu.training.models import Assignment, Attempt, Certificate, Question

pytestmark = pytest.mark.django_db


def _bank(world: Any) -> DemoBank:
    for i in range(3):
        world.person(f"demo_teller{i}", world.outlet_a, roles.TELLER)
        world.person(f"demo_rm{i}", world.outlet_b, roles.RM)
    world.person("demo_trainer", world.t1, roles.TRAINER)
    return DemoBank(
        seed=5,
        rng=random.Random(5),
        head_office=world.ho,
        tier1=[world.t1],
        tier2=[world.t2],
        outlets=[world.outlet_a, world.outlet_b],
        outlet_size={"OA": "large", "OB": "medium"},
        staff=[world.teller_a, world.teller_b],
    )


def test_training_demo_builds_bank_courses_attempts_and_certificates(
    world: Any, seeded_calendar: Any
) -> None:
    out = StringIO()
    demo.build(_bank(world), out=out, options={"quick": True})
    assert Question.objects.count() == 200
    assert Attempt.objects.filter(status="graded").count() >= 6
    assert Certificate.objects.count() >= 1
    assert Assignment.objects.filter(source="defect").count() >= 1
    assert "200 questions" in out.getvalue()


def test_approvals_demo_shows_the_slow_risk_review_as_the_bottleneck(
    world: Any, seeded_calendar: Any
) -> None:
    out = StringIO()
    approvals_demo.build(_bank(world), out=out, options={"quick": True})
    assert Case.objects.count() > 20
    assert CaseStep.objects.filter(status="skipped").exists()  # the fast track
    first = Case.objects.earliest("started_at").started_at.date()
    # The bottleneck figures are the catalogue's, read from the rollups the nightly sweep builds.
    rollups.rebuild(actor=SYSTEM, start=first - dt.timedelta(days=1), end=clock.today())
    rows = approvals_selectors.bottlenecks(
        fetched_by=world.hq_manager,
        process_code="SMALL_LOAN",
        start=dt.date(2020, 1, 1),
        end=dt.date(2030, 1, 1),
    )
    finished = [r for r in rows if r.median_hours is not None]
    slowest = max(finished, key=lambda r: r.median_hours or 0)
    assert slowest.step == "risk" and (slowest.breach_rate or 0) > 0.3
