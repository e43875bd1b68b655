"""K5 inputs: compliments in feedback — captured in the box, set by staff triage (audited), offered as facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.facts import fact_table
from fuwu.core.models import AuditEvent
from fuwu.feedback import services
from fuwu.feedback.models import FeedbackItem
from fuwu.feedback.tests.factories import counter, finished_ticket

pytestmark = pytest.mark.django_db

PRAISE = "三号窗口的柜员非常耐心，帮我把业务办得又快又好，谢谢"


def _box(client: Client, **data: str) -> Any:
    return client.post(
        "/feedback/box/OA/?qr=1", {"subject": "staff", "text": PRAISE, **data}, REMOTE_ADDR="10.1.1.1"
    )


def test_a_compliment_naming_a_window_credits_whoever_served_there_last(
    client: Client, world: Any, frozen_clock: Any
) -> None:
    window = counter(world.outlet_a, 3)
    finished_ticket(
        world.outlet_a, counter=window, staff=world.teller_b, finished_at=clock.now() - dt.timedelta(hours=1)
    )
    finished_ticket(
        world.outlet_a,
        counter=window,
        staff=world.teller_a,
        finished_at=clock.now() - dt.timedelta(minutes=5),
    )
    assert _box(client, compliment="1", counter_number="3").status_code == 302
    item = FeedbackItem.objects.get()
    assert item.is_compliment and item.counter == window and item.staff == world.teller_a


def test_a_compliment_by_badge_number_and_an_unknown_window_is_a_field_error(
    client: Client, world: Any
) -> None:
    assert _box(client, compliment="on", staff_code="TELLER_A").status_code == 302
    assert FeedbackItem.objects.get().staff == world.teller_a
    refused = _box(client, compliment="on", counter_number="9")
    assert refused.status_code == 422 and "没有这个窗口" in refused.content.decode()


def test_triage_marks_a_compliment_names_the_staff_and_is_audited(client: Client, world: Any) -> None:
    assert _box(client).status_code == 302
    item = FeedbackItem.objects.get()
    assert not item.is_compliment
    client.force_login(world.head_a)
    page = client.get(f"/feedback/inbox/{item.pk}/")
    assert 'data-testid="compliment-form"' in page.content.decode()
    done = client.post(
        f"/feedback/inbox/{item.pk}/",
        {"action": "compliment", "is_compliment": "1", "staff": world.teller_a.pk},
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.is_compliment and item.staff == world.teller_a
    event = AuditEvent.objects.filter(action="feedback.compliment_set").get()
    assert event.data["before"]["is_compliment"] is False and event.data["staff"] == world.teller_a.pk
    # A staff member of another outlet cannot be credited.
    bad = client.post(
        f"/feedback/inbox/{item.pk}/",
        {"action": "compliment", "is_compliment": "1", "staff": world.teller_b.pk},
    )
    assert bad.status_code == 422
    with pytest.raises(ValidationFailed):
        services.feedback_compliment_set(
            actor=world.head_a, item=item, is_compliment=True, staff=world.teller_b
        )


def test_a_teller_cannot_triage_and_another_outlet_sees_nothing(client: Client, world: Any) -> None:
    assert _box(client).status_code == 302
    item = FeedbackItem.objects.get()
    with pytest.raises(NotFound):
        services.feedback_compliment_set(actor=world.teller_b, item=item, is_compliment=True)
    api = Client()
    api.force_login(world.head_a)
    answer = api.post(
        f"/api/v1/feedback/items/{item.pk}/compliment",
        {"is_compliment": True, "staff": world.teller_a.pk},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["is_compliment"] is True


def test_compliments_are_offered_to_measures_as_facts(client: Client, world: Any, frozen_clock: Any) -> None:
    assert _box(client, compliment="1", staff_code="TELLER_A").status_code == 302
    assert _box(client).status_code == 302  # not a compliment
    table = fact_table("compliments")
    assert table is not None
    today = clock.today()
    rows = list(table.rows(today, today, [world.t2]))
    assert [(r["unit_id"], r["staff_id"], r["business_date"]) for r in rows] == [
        (world.outlet_a.pk, world.teller_a.pk, today)
    ]
    assert list(table.rows(today, today, [world.t1x])) == []
    assert table.span() == [today, today]
    assert (world.outlet_a.pk, today) in table.touched_since(clock.now() - dt.timedelta(minutes=1))
