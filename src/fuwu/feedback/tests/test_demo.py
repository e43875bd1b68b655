"""Demo step: ratings on the floor's history (more dissatisfaction after longer waits), feedback, survey import."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from fuwu.core import clock
from fuwu.core.roles import sync_role_groups
from fuwu.demo import bank as demo_bank
from fuwu.feedback import demo
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp, SurveyResponse, SurveyTarget
from fuwu.feedback.tests import factories as f
from fuwu.floor.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_without_floor_history_rates_nothing_but_fills_box_and_survey(frozen_clock):
    sync_role_groups()
    bank = demo_bank.build(customers=100)
    out = io.StringIO()
    demo.build(bank, out=out, options={"quick": True})
    assert not Evaluation.objects.exists()
    assert FeedbackItem.objects.count() == 2 * len(bank.outlets)
    assert SurveyResponse.objects.count() == 3 * len(bank.outlets)
    assert SurveyTarget.objects.get(org_unit=bank.head_office, measure="overall_csat").target == 92
    assert "调查答卷" in out.getvalue()  # the import summary, as the page shows it


def test_dissatisfaction_rises_with_wait(world, frozen_clock):
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    start = clock.now() - dt.timedelta(days=3)
    short = [
        f.finished_ticket(world.outlet_a, counter=counter, finished_at=start, wait=dt.timedelta(minutes=2))
        for _ in range(300)
    ]
    long = [
        f.finished_ticket(world.outlet_a, counter=counter, finished_at=start, wait=dt.timedelta(minutes=50))
        for _ in range(300)
    ]
    rated = demo._ratings(random.Random(1))
    assert 450 < rated < 600  # most, not all, customers press the pad

    def share(tickets: list[Ticket]) -> float:
        ratings = list(Evaluation.objects.filter(ticket__in=tickets).values_list("rating", flat=True))
        return ratings.count("dissatisfied") / len(ratings)

    assert share(long) > share(short) + 0.1
    assert (
        FollowUp.objects.filter(source="evaluation").count()
        == Evaluation.objects.filter(rating="dissatisfied").count()
    )
    again = demo._ratings(random.Random(2))  # only tickets still without a rating are considered
    assert again <= 600 - rated and Evaluation.objects.count() == rated + again
