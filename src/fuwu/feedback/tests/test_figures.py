"""F2 arithmetic on hand-made cases: evaluation rate = evaluated ÷ finished; satisfaction = 满意 ÷ evaluations."""

from __future__ import annotations

import datetime as dt

import pytest

from fuwu.core import clock, roles
from fuwu.core.errors import Forbidden
from fuwu.feedback.models import Evaluation
from fuwu.feedback.selectors import EvaluationCounts, evaluation_rate, evaluation_table, satisfaction
from fuwu.feedback.tests import factories as f

pytestmark = pytest.mark.django_db


def rate(ticket, rating):
    return Evaluation.objects.create(
        ticket=ticket,
        outlet=ticket.outlet,
        counter=ticket.counter,
        staff=ticket.staff,
        rating=rating,
        at=ticket.finished_at,
    )


def test_definitions_on_counts():
    counts = EvaluationCounts(finished=8, evaluated=5, satisfied=3, basically_satisfied=1, dissatisfied=1)
    assert evaluation_rate(counts) == pytest.approx(62.5)
    assert satisfaction(counts) == pytest.approx(60.0)
    assert satisfaction(counts, include_basic=True) == pytest.approx(80.0)
    assert evaluation_rate(EvaluationCounts()) is None and satisfaction(EvaluationCounts()) is None


@pytest.fixture
def day(world, frozen_clock):
    """Outlet A: counter 1 (teller_a) finishes 4, counter 2 (head_a) finishes 2; outlet B finishes 2 — hand-made."""
    c1 = f.counter(world.outlet_a, 1, staff=world.teller_a)
    c2 = f.counter(world.outlet_a, 2, staff=world.head_a)
    cb = f.counter(world.outlet_b, 1, staff=world.teller_b)
    a = [f.finished_ticket(world.outlet_a, counter=c1, staff=world.teller_a) for _ in range(4)]
    b = [f.finished_ticket(world.outlet_a, counter=c2, staff=world.head_a) for _ in range(2)]
    o = [f.finished_ticket(world.outlet_b, counter=cb, staff=world.teller_b) for _ in range(2)]
    f.finished_ticket(
        world.outlet_a, counter=c1, staff=world.teller_a, status="no_show"
    )  # not finished: excluded
    rate(a[0], "satisfied")
    rate(a[1], "basically_satisfied")
    rate(a[2], "dissatisfied")  # a[3] not rated → counter 1: 3/4 rated, 1/3 satisfied, 2/3 broad
    rate(b[0], "satisfied")
    rate(b[1], "satisfied")  # counter 2: 2/2 rated, 2/2 satisfied
    rate(o[0], "dissatisfied")  # outlet B: 1/2 rated, 0/1 satisfied
    return clock.today()


def test_per_counter_and_staff(world, day):
    rows = {
        r.key: r for r in evaluation_table(fetched_by=world.hq_manager, start=day, end=day, group="counter")
    }
    assert rows["OA-01"].counts == EvaluationCounts(4, 3, 1, 1, 1)
    assert rows["OA-01"].evaluation_rate == pytest.approx(75.0)
    assert rows["OA-01"].satisfaction == pytest.approx(100 / 3)
    assert rows["OA-01"].satisfaction_broad == pytest.approx(200 / 3)
    assert rows["OA-02"].evaluation_rate == pytest.approx(100.0)
    assert rows["OA-02"].satisfaction == pytest.approx(100.0)
    staff = {
        r.key: r for r in evaluation_table(fetched_by=world.hq_manager, start=day, end=day, group="staff")
    }
    assert staff["teller_a"].counts.finished == 4 and staff["teller_b"].satisfaction == pytest.approx(0.0)


def test_per_outlet_and_org_level_sum_the_parts_not_the_ratios(world, day):
    outlets = {
        r.label: r for r in evaluation_table(fetched_by=world.hq_manager, start=day, end=day, group="outlet")
    }
    assert outlets["中关村支行"].evaluation_rate == pytest.approx(500 / 6)
    assert outlets["中关村支行"].satisfaction == pytest.approx(60.0)
    assert outlets["五道口支行"].evaluation_rate == pytest.approx(50.0)
    (tier2,) = evaluation_table(fetched_by=world.hq_manager, start=day, end=day, group="tier2")
    assert tier2.label == "海淀支行"
    assert tier2.evaluation_rate == pytest.approx(75.0)  # 6/8, not the mean of 5/6 and 1/2
    assert tier2.satisfaction == pytest.approx(50.0)
    assert tier2.satisfaction_broad == pytest.approx(400 / 6)


def test_periods_bucket_by_business_date(world, day, frozen_clock):
    c1 = world.outlet_a.counters.get(number=1)
    later = f.finished_ticket(
        world.outlet_a, counter=c1, finished_at=frozen_clock.now() + dt.timedelta(days=10)
    )
    rate(later, "satisfied")
    weeks = evaluation_table(
        fetched_by=world.hq_manager, start=day, end=day + dt.timedelta(days=10), group="outlet", period="week"
    )
    oa = [r for r in weeks if r.label == "中关村支行"]
    assert [r.period for r in oa] == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    assert [r.counts.finished for r in oa] == [6, 1]
    months = evaluation_table(
        fetched_by=world.hq_manager,
        start=day,
        end=day + dt.timedelta(days=10),
        group="outlet",
        period="month",
    )
    assert {r.period for r in months} == {dt.date(2026, 3, 1)}


def test_outsider_sees_only_own_outlet_and_tellers_read_no_figures(world, day):
    head_b = world.person("head_b", world.outlet_b, roles.OUTLET_HEAD)
    rows = evaluation_table(fetched_by=head_b, start=day, end=day, group="outlet")
    assert [r.label for r in rows] == ["五道口支行"]
    with pytest.raises(Forbidden):
        evaluation_table(fetched_by=world.teller_b, start=day, end=day, group="outlet")


def test_figures_api_and_page(client, world, day):
    client.force_login(world.head_a)
    rows = client.get(f"/api/v1/feedback/evaluation-figures?start={day}&end={day}&group=counter").json()
    assert {r["key"]: r["evaluation_rate"] for r in rows} == {"OA-01": 75.0, "OA-02": 100.0}
    page = client.get(f"/feedback/figures/?start={day}&end={day}&group=outlet&period=day")
    assert page.status_code == 200 and "中关村支行" in page.content.decode()
    assert "五道口支行" not in page.content.decode()
    assert (
        client.get(f"/api/v1/feedback/evaluation-figures?start={day}&end={day}&group=nonsense").status_code
        == 422
    )


def test_the_live_simulated_days_customers_are_not_in_the_figures(world, day):
    """Its customers are never asked for a rating (#19): counted as finished, they would lower the rate."""
    from fuwu.floor.models import Counter, Ticket

    c1 = Counter.objects.get(code="OA-01")
    for _ in range(4):
        sim = f.finished_ticket(world.outlet_a, counter=c1, staff=world.teller_a)
        Ticket.objects.filter(pk=sim.pk).update(is_simulated=True)
    rows = {
        r.key: r for r in evaluation_table(fetched_by=world.hq_manager, start=day, end=day, group="counter")
    }
    assert rows["OA-01"].counts == EvaluationCounts(4, 3, 1, 1, 1)
    assert rows["OA-01"].evaluation_rate == pytest.approx(75.0)
