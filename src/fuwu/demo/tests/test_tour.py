"""The README's first screen and the demo's output are one table (#19), and every stop is a real login and page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from fuwu.core.nav import items_for
from fuwu.demo import bank, tour

README = Path(__file__).resolve().parents[4] / "README.md"


def test_the_readme_carries_the_demos_table_verbatim() -> None:
    assert tour.markdown(bank.DEMO_PASSWORD) in README.read_text(encoding="utf-8")


def test_every_stop_is_a_demo_login_of_that_role_in_that_unit() -> None:
    assert {s.login: s.role for s in tour.TOUR} == {login: role for login, role, _unit in bank.DEMO_LOGINS}
    names = {"HO": "总行"}
    for (t1_code, t1_name, _city), branches in bank.TREE.items():
        names[t1_code] = t1_name
        for t2_code, t2_name, _c, _region, outlets in branches:
            names[t2_code] = t2_name
            names |= {code: name for code, name, _size in outlets}
    assert {s.login: s.unit for s in tour.TOUR} == {
        login: names[unit] for login, _r, unit in bank.DEMO_LOGINS
    }


def test_the_demo_command_prints_the_same_stops() -> None:
    printed = tour.text(bank.DEMO_PASSWORD)
    for s in tour.TOUR:
        assert f"{tour.BASE_URL}{s.path}" in printed and s.try_this in printed


@pytest.mark.django_db
def test_each_roles_page_opens_for_that_role(world: Any) -> None:
    """The page each stop sends a role to is in that role's menu (or its home) and opens."""
    for s in tour.TOUR:
        who = world.person(f"tour_{s.login}", world.outlet_a if s.role != "hq_manager" else world.ho, s.role)
        client = Client()
        client.force_login(who)
        assert client.get(s.path).status_code == 200, s
        if s.path != "/":
            view_name = resolve(s.path).view_name
            assert view_name in {i.url_name for i, _u in items_for(who)}, s
