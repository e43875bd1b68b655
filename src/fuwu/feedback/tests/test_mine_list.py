""" "My feedback" on core.listing (#19): pad ratings and feedback-box messages as one paged, counted stream (it
stopped at 100), filtered by kind, period and text; bad input a 422 in Chinese."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.feedback import services, views
from fuwu.feedback.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def stream(world: Any, frozen_clock: Any, seeded_calendar: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    pad = DevicePrincipal(device_token_authenticate(f.pad_token(world.outlet_a, counter.code)))
    ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    services.evaluation_record(actor=pad, ticket=ticket, rating="dissatisfied", reasons=["服务态度"])
    clock.advance(dt.timedelta(days=1))
    for text in ("李柜员讲解很耐心，谢谢", "李柜员业务熟练"):
        services.feedback_submit(
            actor=SYSTEM, outlet=world.outlet_a, text=text, client="1", subject="staff", staff=world.teller_a
        )
    monkeypatch.setattr(views, "MINE_LIST", dataclasses.replace(views.MINE_LIST, per_page=2))
    return world


def _get(user: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/feedback/mine/{query}")


def test_my_feedback_pages_and_counts_both_sources(stream: Any) -> None:
    first = _get(stream.teller_a).content.decode()
    assert "共 3 条" in first and "业务熟练" in first and 'rel="next"' in first
    second = _get(stream.teller_a, "?page=2").content.decode()
    assert "服务态度" in second and "业务熟练" not in second  # the rating (its reason) came a day earlier
    assert "共 0 条" in _get(stream.teller_b).content.decode()


def test_my_feedback_filters_kind_period_and_text(stream: Any) -> None:
    assert "共 1 条" in _get(stream.teller_a, "?state=evaluation").content.decode()
    assert "共 2 条" in _get(stream.teller_a, "?state=feedback").content.decode()
    today = clock.today().isoformat()
    assert "共 2 条" in _get(stream.teller_a, f"?since={today}").content.decode()
    assert (
        "共 1 条"
        in _get(
            stream.teller_a, f"?until={(clock.today() - dt.timedelta(days=1)).isoformat()}"
        ).content.decode()
    )
    assert "共 1 条" in _get(stream.teller_a, "?q=耐心").content.decode()
    oldest = _get(stream.teller_a, "?sort=old").content.decode()
    assert "服务态度" in oldest and oldest.index("服务态度") < oldest.index("<td>李柜员")


@pytest.mark.parametrize(
    ("query", "reason"),
    [("?state=letters", "请选择列出的状态之一。"), ("?since=2026-3-1", "请按 YYYY-MM-DD 格式输入日期。")],
)
def test_bad_my_feedback_input_is_a_422_in_chinese(stream: Any, query: str, reason: str) -> None:
    response = _get(stream.teller_a, query)
    assert response.status_code == 422 and reason in response.content.decode()
