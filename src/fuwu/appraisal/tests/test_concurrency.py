"""Real threads against PostgreSQL: the satisfaction cap holds under racing weight changes, one star round
per outlet and month, racing nominations all count, a briefing is built once however many workers claim it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from fuwu.appraisal import services
from fuwu.appraisal.models import BriefingJob, ItemWeight, Nomination, StarRound
from fuwu.appraisal.tests.factories import rollup
from fuwu.core import clock, roles
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.concurrency import race_all

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def test_racing_weight_changes_never_push_satisfaction_over_the_cap(world: Any) -> None:
    card = services.scorecard_create(actor=SYSTEM, level="outlet", name="网点")
    a = services.scorecard_item_add(
        actor=SYSTEM, scorecard=card, measure="satisfaction", rule="target", target=90.0
    )
    b = services.scorecard_item_add(
        actor=SYSTEM, scorecard=card, measure="satisfaction_broad", rule="target", target=95.0
    )
    day = dt.date(2027, 1, 1)
    calls = [
        (
            lambda item=item: services.scorecard_weight_set(
                actor=SYSTEM, item=item, effective_from=day, weight=30
            )
        )
        for item in (a, b, a, b)
    ]
    results, errors = race_all(calls)
    # The first item to win keeps both of its calls (30 twice); both calls on the other item are refused.
    assert len(results) == 2 and len(errors) == 2
    assert all(isinstance(e, ValidationFailed) for e in errors), errors
    total = sum(
        ItemWeight.objects.filter(item__scorecard=card, effective_from=day).values_list("weight", flat=True)
    )
    assert total <= 40
    assert {w.item_id for w in ItemWeight.objects.filter(effective_from=day)} in ({a.pk}, {b.pk})


def test_racing_outlet_heads_open_one_round_and_every_nomination_counts(world: Any) -> None:
    tellers = [world.teller_a, *(world.person(f"t{i}", world.outlet_a, roles.TELLER) for i in range(3))]
    for t in tellers:
        rollup(world.outlet_a, dt.date(2026, 10, 9), cut="staff", key=str(t.pk), evaluated=20, satisfied=18)
    results, errors = race_all(
        [lambda: services.star_round_open(actor=world.head_a, outlet=world.outlet_a, month="2026-10")] * 4
    )
    assert not errors, errors
    assert StarRound.objects.count() == 1 and len({r.pk for r in results}) == 1
    r = StarRound.objects.get()
    _results, errors = race_all(
        [
            (lambda t=t: services.star_nominate(actor=world.head_a, round=r, staff=t, reason="服务热情"))
            for t in tellers
        ]
    )
    assert not errors, errors
    assert Nomination.objects.filter(round=r).count() == len(tellers)
    # The last ranking (each runs under the round's row lock) saw every nomination.
    assert all(any(x["kind"] == "nomination" for x in c.reasons) for c in r.candidates.all())
    assert r.candidates.count() == len(tellers)


def test_a_briefing_claimed_by_several_workers_is_built_once(world: Any) -> None:
    job = BriefingJob.objects.create(unit=world.t2, quarter="2026-Q3", requested_at=clock.now())
    results, errors = race_all(
        [lambda: services.briefing_run(actor=SYSTEM, job=BriefingJob.objects.get(pk=job.pk))] * 3
    )
    assert not errors, errors
    assert {r.status for r in results} <= {BriefingJob.Status.DONE, BriefingJob.Status.RUNNING}
    job.refresh_from_db()
    assert job.status == BriefingJob.Status.DONE and job.files == [
        "briefing-T2-2026-Q3.pdf",
        "briefing-T2-2026-Q3.xlsx",
    ]


def test_racing_rule_changes_for_one_month_leave_one_rule_and_every_change_audited(world: Any) -> None:
    """K5: six head-office users set the same month's star rule at once: no error, one row, six audit rows."""
    from fuwu.appraisal.models import StarPolicy
    from fuwu.core.models import AuditEvent

    month = dt.date(2027, 3, 1)
    rule: dict[str, Any] = {
        "upheld_action": StarPolicy.Upheld.DISQUALIFY,
        "deduction": 20.0,
        "critical_action": StarPolicy.Upheld.DISQUALIFY,
        "critical_deduction": 20.0,
        "min_evaluations": 10,
        "nomination_bonus": 10.0,
        "max_compliments": 3,
        "stars_per_outlet": 1,
    }
    calls = [
        (
            lambda points=points: services.star_policy_set(
                actor=SYSTEM, effective_from=month, compliment_points=float(points), **rule
            )
        )
        for points in range(1, 7)
    ]
    results, errors = race_all(calls)
    assert not errors and len(results) == 6
    rows = StarPolicy.objects.filter(effective_from=month)
    assert rows.count() == 1 and rows.get().compliment_points in {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    assert AuditEvent.objects.filter(action="appraisal.star_policy_set").count() == 6
