"""Every staff page renders for its roles, and is org-scoped or refused for others."""

from __future__ import annotations

import pytest

from fuwu.core.principals import SYSTEM
from fuwu.feedback import services

pytestmark = pytest.mark.django_db

PAGES = [
    "/feedback/inbox/",
    "/feedback/follow-ups/",
    "/feedback/figures/",
    "/feedback/surveys/",
    "/feedback/insights/",
    "/feedback/mine/",
]


def test_outlet_head_opens_every_page_in_chinese(client, world, frozen_clock):
    services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="排队太久了，窗口只开了一个", client="1"
    )
    client.force_login(world.head_a)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    insights = client.get("/feedback/insights/").content.decode()
    assert "排队" in insights and "等候时间" in insights  # trending term and topic label


def test_login_required_and_roles(client, world):
    for url in PAGES:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.teller_a)
    for url in PAGES[:-1]:
        assert client.get(url).status_code == 403, url
    assert client.get("/feedback/mine/").status_code == 200


def test_insights_and_surveys_of_another_branch_are_not_found(client, world, frozen_clock):
    client.force_login(world.head_a)
    assert client.get("/feedback/insights/?unit=OB").status_code == 404
    assert client.get("/feedback/surveys/?unit=OX").status_code == 404
    assert client.get("/feedback/insights/?start=bad").status_code == 422
