"""A failed lobby-position post re-renders the positions with the choice kept and the error in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fuwu.core import roles
from fuwu.floor.models import PositionAssignment
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db


def test_a_colleague_of_another_outlet_is_refused_in_chinese_and_the_positions_re_render(
    client: Client, world: Any, frozen_clock: Any
) -> None:
    floor(world.outlet_a, size="small")
    lobby = world.person("lobby_a", world.outlet_a, roles.LOBBY)
    client.force_login(world.head_a)
    res = client.post(
        "/floor/lobby/positions/",
        {"outlet": "OA", "position": "2", "staff": str(world.teller_b.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert "请选择本网点的同事" in page and 'data-testid="positions"' in page
    assert not PositionAssignment.objects.exists()

    res = client.post(
        "/floor/lobby/positions/",
        {"outlet": "OA", "position": "9", "staff": str(lobby.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 422 and "请更正标出的项目" in res.content.decode()

    ok = client.post("/floor/lobby/positions/", {"outlet": "OA", "position": "2", "staff": str(lobby.pk)})
    assert ok.status_code == 200 and PositionAssignment.objects.get().staff == lobby
