"""The briefing jobs on core.listing (#19): paged and counted (the page showed the newest 20), filtered."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from fuwu.appraisal import services, views
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(world: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for quarter in ("2025-Q3", "2025-Q4", "2026-Q1"):
        services.briefing_request(actor=world.head_a, unit=world.outlet_a, quarter=quarter)
    services.briefing_request(actor=SYSTEM, unit=world.outlet_b, quarter="2026-Q1")
    monkeypatch.setattr(views, "BRIEFING_LIST", dataclasses.replace(views.BRIEFING_LIST, per_page=2))
    return world


def _get(user: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/appraisal/briefings/{query}")


def test_the_briefings_page_and_count(jobs: Any) -> None:
    first = _get(jobs.head_a).content.decode()
    assert "共 3 条" in first and first.count('data-testid="job"') == 2 and 'rel="next"' in first
    second = _get(jobs.head_a, "?page=2").content.decode()
    assert second.count('data-testid="job"') == 1 and "2025-Q3" in second  # newest first: the oldest last


def test_the_briefings_filter_by_text_unit_state_and_mine(jobs: Any) -> None:
    assert "共 1 条" in _get(jobs.head_a, "?q=2025-Q4").content.decode()
    assert "共 3 条" in _get(jobs.head_a, "?state=queued&mine=1").content.decode()
    assert "共 0 条" in _get(jobs.head_a, "?state=done").content.decode()
    assert "共 4 条" in _get(jobs.hq_manager).content.decode()
    assert "共 1 条" in _get(jobs.hq_manager, "?unit=OB").content.decode()


@pytest.mark.parametrize(
    ("query", "reason"),
    [("?sort=random", "请从给出的选项中选择。"), ("?page=-3", "请输入不小于 1 的值。")],
)
def test_bad_briefings_input_is_a_422_in_chinese(jobs: Any, query: str, reason: str) -> None:
    response = _get(jobs.head_a, query)
    assert response.status_code == 422 and reason in response.content.decode()
