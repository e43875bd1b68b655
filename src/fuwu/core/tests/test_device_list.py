"""The device token list on core.listing (#19): paged and counted (it stopped at 300), filtered, 422 in Chinese."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from fuwu.core import roles, services, views
from fuwu.core.principals import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(world: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for n in range(3):
        services.device_token_issue(
            actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk", name=f"大厅取号机{n}"
        )
    display, _raw = services.device_token_issue(
        actor=SYSTEM, org_unit=world.outlet_a, kind="display", name="叫号屏"
    )
    services.device_token_revoke(actor=SYSTEM, token=display)
    services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_b, kind="kiosk", name="五道口取号机")
    monkeypatch.setattr(views, "DEVICE_LIST", dataclasses.replace(views.DEVICE_LIST, per_page=2))
    return world


def _get(user: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/devices/{query}")


def test_the_device_list_pages_and_counts(tokens: Any) -> None:
    first = _get(tokens.head_a).content.decode()
    assert "共 4 条" in first and 'rel="next"' in first  # outlet A's four; B's is not head A's
    second = _get(tokens.head_a, "?page=2").content.decode()
    assert "共 4 条" in second and 'rel="next"' not in second and "五道口取号机" not in second


def test_the_device_list_filters_kind_status_text_and_unit(tokens: Any) -> None:
    assert "共 3 条" in _get(tokens.head_a, "?state=kiosk").content.decode()
    revoked = _get(tokens.head_a, "?live=revoked").content.decode()
    assert "共 1 条" in revoked and "叫号屏" in revoked
    assert "共 3 条" in _get(tokens.head_a, "?live=live").content.decode()
    assert "共 1 条" in _get(tokens.head_a, "?q=取号机1").content.decode()
    branch = tokens.person("branch_head", tokens.t2, roles.OUTLET_HEAD)  # manages both outlets' devices
    assert "共 5 条" in _get(branch).content.decode()
    whole = _get(branch, "?unit=OB").content.decode()
    assert "共 1 条" in whole and "五道口取号机" in whole


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?live=maybe", "请从给出的选项中选择。"),
        ("?state=toaster", "请选择列出的状态之一。"),
        ("?since=yesterday", "请按 YYYY-MM-DD 格式输入日期。"),
        ("?mine=perhaps", "请选择“是”或“否”。"),
    ],
)
def test_bad_device_list_input_is_a_422_in_chinese(tokens: Any, query: str, reason: str) -> None:
    response = _get(tokens.head_a, query)
    assert response.status_code == 422 and reason in response.content.decode()
