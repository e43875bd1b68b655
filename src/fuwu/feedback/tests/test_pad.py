"""F1: the pad at a counter rates the ticket that counter just finished — once, in time, and nothing else."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.feedback import rules, services
from fuwu.feedback.models import Evaluation, FollowUp
from fuwu.feedback.tests import factories as f
from fuwu.floor.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/{}/evaluation"


@pytest.fixture
def setup(world, frozen_clock):
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    other = f.counter(world.outlet_a, 2)
    return counter, other, f.pad_token(world.outlet_a, counter.code)


def post(client, ticket_id, token, body, **extra):
    return client.post(
        URL.format(ticket_id), json.dumps(body), content_type="application/json", **f.bearer(token), **extra
    )


def test_pad_records_dissatisfied_with_reasons_and_opens_follow_up_for_outlet_head(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    response = post(
        client, ticket.pk, token, {"rating": "dissatisfied", "reasons": ["等候时间长", "服务态度"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    evaluation = Evaluation.objects.get(ticket=ticket)
    assert (evaluation.rating, evaluation.reasons, evaluation.staff, evaluation.counter) == (
        "dissatisfied",
        ["等候时间长", "服务态度"],
        world.teller_a,
        counter,
    )
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    assert body["follow_up_id"] == follow_up.pk
    assert follow_up.owner == world.head_a and follow_up.staff == world.teller_a
    assert follow_up.due_at > ticket.finished_at
    assert AuditEvent.objects.filter(action="evaluation.record", target_id=str(evaluation.pk)).exists()


def test_satisfied_rating_opens_no_follow_up(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    assert post(client, ticket.pk, token, {"rating": "satisfied"}).status_code == 201
    assert not FollowUp.objects.exists()


def test_second_rating_of_the_same_ticket_is_refused(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    assert post(client, ticket.pk, token, {"rating": "satisfied"}).status_code == 201
    again = post(client, ticket.pk, token, {"rating": "dissatisfied", "reasons": ["服务态度"]})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    assert Evaluation.objects.get(ticket=ticket).rating == "satisfied"


def test_rating_after_the_window_is_refused_with_reason(client, world, setup, frozen_clock):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    frozen_clock.advance(dt.timedelta(seconds=181))
    response = post(client, ticket.pk, token, {"rating": "satisfied"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_closed"
    assert response.json()["error"]["details"]["window_seconds"] == 180
    assert not Evaluation.objects.exists()


def test_window_is_configurable_per_outlet(client, world, setup, frozen_clock):
    counter, _other, token = setup
    services.pad_config_set(
        actor=world.head_a, outlet=world.outlet_a, window_seconds=600, reasons=["排队太久"]
    )
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    frozen_clock.advance(dt.timedelta(seconds=590))
    assert (
        post(client, ticket.pk, token, {"rating": "basically_satisfied", "reasons": ["排队太久"]}).status_code
        == 201
    )
    old_reason = f.finished_ticket(world.outlet_a, counter=counter)
    refused = post(client, old_reason.pk, token, {"rating": "dissatisfied", "reasons": ["服务态度"]})
    assert refused.status_code == 422  # not in this outlet's list any more


def test_pad_of_another_counter_may_not_rate(client, world, setup):
    counter, other, _token = setup
    other_pad = f.pad_token(world.outlet_a, other.code)
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    response = post(client, ticket.pk, other_pad, {"rating": "satisfied"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_counter"


def test_pad_of_another_outlet_gets_not_found(client, world, setup):
    counter, _other, _token = setup
    outsider_counter = f.counter(world.outlet_b, 1)
    outsider = f.pad_token(world.outlet_b, outsider_counter.code)
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    assert post(client, ticket.pk, outsider, {"rating": "satisfied"}).status_code == 404


def test_staff_and_other_devices_may_not_rate(client, world, setup):
    counter, _other, _token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    client.force_login(world.head_a)
    response = client.post(
        URL.format(ticket.pk), json.dumps({"rating": "satisfied"}), content_type="application/json"
    )
    assert response.status_code == 403
    _t, kiosk = services_kiosk(world)
    assert post(client, ticket.pk, kiosk, {"rating": "satisfied"}).status_code == 403


def services_kiosk(world):
    from fuwu.core.services import device_token_issue

    return device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk")


def test_unfinished_ticket_cannot_be_rated(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter, status=Ticket.Status.SERVING)
    response = post(client, ticket.pk, token, {"rating": "satisfied"})
    assert response.status_code == 409
    assert response.json()["error"]["details"]["status"] == "serving"


def test_reasons_only_from_the_list_and_not_for_satisfied(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    assert (
        post(client, ticket.pk, token, {"rating": "dissatisfied", "reasons": ["随便写的"]}).status_code == 422
    )
    assert post(client, ticket.pk, token, {"rating": "satisfied", "reasons": ["服务态度"]}).status_code == 422
    assert post(client, ticket.pk, token, {"rating": "great"}).status_code == 422
    assert not Evaluation.objects.exists()


def test_idempotent_retry_returns_the_same_answer(client, world, setup):
    counter, _other, token = setup
    ticket = f.finished_ticket(world.outlet_a, counter=counter)
    first = post(client, ticket.pk, token, {"rating": "satisfied"}, HTTP_IDEMPOTENCY_KEY="k-1")
    second = post(client, ticket.pk, token, {"rating": "satisfied"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Evaluation.objects.count() == 1


def test_pad_current_shows_the_ticket_its_counter_just_finished(client, world, setup, frozen_clock):
    counter, other, token = setup
    idle = client.get("/api/v1/pad/current", **f.bearer(token)).json()
    assert idle["ticket"] is None and "等候时间长" in idle["reasons"]
    f.finished_ticket(world.outlet_a, counter=other)  # another counter's ticket is not ours
    older = f.finished_ticket(
        world.outlet_a, counter=counter, finished_at=frozen_clock.now() - dt.timedelta(seconds=60)
    )
    latest = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    state = client.get("/api/v1/pad/current", **f.bearer(token)).json()
    assert state["ticket"]["id"] == latest.pk and state["ticket"]["staff"] == "李柜员"
    assert post(client, latest.pk, token, {"rating": "satisfied"}).status_code == 201
    assert client.get("/api/v1/pad/current", **f.bearer(token)).json()["ticket"] is None  # latest done: idle
    assert older.pk != latest.pk
    frozen_clock.advance(dt.timedelta(minutes=5))
    f.finished_ticket(
        world.outlet_a, counter=counter, finished_at=frozen_clock.now() - dt.timedelta(minutes=4)
    )
    assert client.get("/api/v1/pad/current", **f.bearer(token)).json()["ticket"] is None  # out of window


def test_pad_goes_idle_once_the_next_customer_is_called(client, world, setup, frozen_clock):
    counter, _other, token = setup
    f.finished_ticket(world.outlet_a, counter=counter)
    assert client.get("/api/v1/pad/current", **f.bearer(token)).json()["ticket"] is not None
    frozen_clock.advance(dt.timedelta(seconds=20))
    f.finished_ticket(world.outlet_a, counter=counter, status=Ticket.Status.CALLED, wait=dt.timedelta(0))
    Ticket.objects.filter(status=Ticket.Status.CALLED).update(called_at=frozen_clock.now())
    assert client.get("/api/v1/pad/current", **f.bearer(token)).json()["ticket"] is None


def test_pad_current_is_only_for_pads(client, world, setup):
    client.force_login(world.head_a)
    assert client.get("/api/v1/pad/current").status_code == 403


def test_pad_page_renders_without_login(client):
    response = client.get("/feedback/pad/")
    assert response.status_code == 200
    assert "pad.js" in response.content.decode()


def test_outlet_head_sets_window_and_reasons_on_the_page(client, world, setup):
    client.force_login(world.head_a)
    page = client.get("/feedback/follow-ups/").content.decode()
    assert 'data-testid="pad-settings"' in page and "等候时间长\n服务态度" in page
    response = client.post(
        "/feedback/pad-settings/", {"unit": "OA", "window_seconds": "300", "reasons": "排队太久\n态度不好\n"}
    )
    assert response.status_code == 302
    settings = rules.pad_settings_in_force(world.outlet_a)
    assert settings.window == dt.timedelta(seconds=300) and settings.reasons == ["排队太久", "态度不好"]
    assert rules.pad_settings_in_force(world.outlet_b).window == dt.timedelta(
        seconds=180
    )  # others keep the default
    assert (
        client.post(
            "/feedback/pad-settings/", {"unit": "OB", "window_seconds": "300", "reasons": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/feedback/pad-settings/", {"unit": "OA", "window_seconds": "5", "reasons": "x"}
        ).status_code
        == 422
    )
    client.force_login(world.teller_a)
    assert (
        client.post(
            "/feedback/pad-settings/", {"unit": "OA", "window_seconds": "300", "reasons": "x"}
        ).status_code
        == 403
    )


def test_only_head_office_sets_the_bank_wide_default(world):
    from fuwu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.pad_config_set(actor=world.head_a, outlet=None, window_seconds=300, reasons=["排队太久"])
    services.pad_config_set(actor=world.hq_manager, outlet=None, window_seconds=240, reasons=["排队太久"])
    assert rules.pad_settings_in_force(world.outlet_b).window == dt.timedelta(seconds=240)
