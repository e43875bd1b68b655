"""F3/F5/F2: the feedback read API answers only roles whose pages show the same data (not pads, not tellers)."""

from __future__ import annotations

import pytest

from fuwu.core.principals import SYSTEM
from fuwu.feedback import services
from fuwu.feedback.tests import factories as f

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/feedback/items",
    "/api/v1/feedback/follow-ups",
    "/api/v1/feedback/evaluation-figures?start=2026-03-02&end=2026-03-02",
    "/api/v1/feedback/trending-terms?unit=OA&start=2026-03-02&end=2026-03-02",
    "/api/v1/feedback/survey-figures?unit=OA&start=2026-03-02&end=2026-03-02",
]


@pytest.fixture
def negative_item(world, frozen_clock):
    item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="柜员态度很差，排队太久了", client="1"
    )
    return item


@pytest.mark.parametrize("url", READS)
def test_counter_pad_token_cannot_read_feedback_api(client, world, negative_item, url):
    token = f.pad_token(world.outlet_a, f.counter(world.outlet_a, 1).code)
    assert client.get(url, **f.bearer(token)).status_code == 403


@pytest.mark.parametrize("url", READS)
def test_teller_cannot_read_colleagues_feedback_over_api(client, world, negative_item, url):
    client.force_login(world.teller_a)
    assert client.get(url).status_code == 403


def test_outlet_head_reads_own_outlet_feedback_over_api(client, world, negative_item):
    client.force_login(world.head_a)
    assert [i["id"] for i in client.get("/api/v1/feedback/items").json()] == [negative_item.pk]
    assert len(client.get("/api/v1/feedback/follow-ups").json()) == 1


def test_a_pad_token_cannot_answer_or_close(client, world, negative_item):
    import json

    from fuwu.feedback.models import FollowUp

    token = f.pad_token(world.outlet_a, f.counter(world.outlet_a, 1).code)
    reply = client.post(
        f"/api/v1/feedback/items/{negative_item.pk}/reply",
        json.dumps({"reply": "设备来回复试试"}),
        content_type="application/json",
        **f.bearer(token),
    )
    follow_up = FollowUp.objects.get(feedback=negative_item)
    close = client.post(
        f"/api/v1/feedback/follow-ups/{follow_up.pk}/close",
        json.dumps({"outcome": "resolved", "note": "设备来关闭试试"}),
        content_type="application/json",
        **f.bearer(token),
    )
    assert (reply.status_code, close.status_code) == (403, 403)
    negative_item.refresh_from_db()
    assert negative_item.reply == "" and FollowUp.objects.get(pk=follow_up.pk).closed_at is None
