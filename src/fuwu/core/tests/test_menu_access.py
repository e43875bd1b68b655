"""Menus and access are one rule (#19): role × page × object.

Every menu item declares the permission that guards its page (core.nav.NavItem.permission). For each role, every
page in its menu opens (200) and every menu page not in it is refused — 403, because the role is refused whatever
the object; an object outside the reader's units answers 404 exactly like a missing one ("missing and not yours
look the same"). Device pages (kiosk, display board) need no login and are the only exception.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fuwu.core import roles
from fuwu.core.discovery import app_modules
from fuwu.core.nav import NavItem, items_for

pytestmark = pytest.mark.django_db


def _all_items() -> list[NavItem]:
    return [item for _app, module in app_modules("nav") for item in getattr(module, "NAV", [])]


def test_every_menu_item_declares_the_permission_that_guards_its_page() -> None:
    undeclared = [item.url_name for item in _all_items() if item.permission is None]
    assert not undeclared, f"menu items without a permission: {undeclared}"


def _home_unit(world: Any, role: str) -> Any:
    return {
        roles.TELLER: world.outlet_a,
        roles.RM: world.outlet_a,
        roles.LOBBY: world.outlet_a,
        roles.OUTLET_HEAD: world.outlet_a,
        roles.SUPERVISOR: world.t1,
        roles.TRAINER: world.ho,
        roles.COMPLAINT_HANDLER: world.t2,
    }.get(role, world.ho)


@pytest.mark.parametrize("role", [r.code for r in roles.ROLES])
def test_each_menu_page_opens_for_its_role_and_every_other_menu_page_is_refused(
    world: Any, role: str
) -> None:
    who = world.person(f"menu_{role}", _home_unit(world, role), role)
    client = Client()
    client.force_login(who)
    in_menu = {item.url_name for item, _url in items_for(who)}
    wrong = []
    for item in _all_items():
        status = client.get(reverse(item.url_name)).status_code
        expected = 200 if item.url_name in in_menu or item.public else 403
        if status != expected:
            wrong.append(f"{item.url_name}: {status}, expected {expected}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_the_bank_wide_contact_centre_and_a_colleagues_performance_are_refused_to_the_front_line(
    world: Any,
) -> None:
    """The two findings of #19: the outlet head opened the contact centre, the lobby its console without a menu."""
    client = Client()
    client.force_login(world.head_a)
    assert client.get(reverse("staffing:centre")).status_code == 403
    client.force_login(world.teller_a)
    assert client.get(reverse("floor:lobby")).status_code == 403
    assert client.get(reverse("appraisal:scorecards")).status_code == 403
    assert "staffing:centre" not in {i.url_name for i, _u in items_for(world.head_a)}


def test_an_object_outside_ones_units_answers_like_a_missing_one_and_a_refused_role_like_a_refused_page(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    from fuwu.feedback.tests import factories as f
    from fuwu.feedback.tests.test_follow_ups import dissatisfied

    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    follow_up = dissatisfied(world, counter, world.teller_a).follow_up
    head_b = world.person("head_b", world.outlet_b, roles.OUTLET_HEAD)
    client = Client()
    client.force_login(head_b)  # the right, another outlet
    theirs = client.get(reverse("feedback:follow_up", args=[follow_up.pk]))
    missing = client.get(reverse("feedback:follow_up", args=[follow_up.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404
    client.force_login(world.teller_a)  # no right at all, whatever the object
    assert client.get(reverse("feedback:follow_up", args=[follow_up.pk])).status_code == 403
    assert client.get(reverse("feedback:follow_up", args=[follow_up.pk + 1000])).status_code == 403
    client.force_login(world.head_a)
    assert client.get(reverse("feedback:follow_up", args=[follow_up.pk])).status_code == 200


def test_call_figures_statistics_and_own_feedback_follow_one_rule_in_menu_page_and_api(world: Any) -> None:
    """Reviewed after #19's access changes; each is the same permission for the menu, the page and the API:

    - the contact centre's calls belong to the centre (no outlet in a call record), so an outlet head has no
      slice of them to need: refused in menu, page and API, while the centre's manager reads them;
    - complaint statistics and hotspots read decided outcomes across cases: the handlers, their managers and
      auditors; the front line that takes complaints in is refused the API as well as the page;
    - "My feedback" is for whoever serves customers on the floor (pads and the feedback box name them),
      outlet head included; a complaint handler has none, and its read refuses as its page does.
    """
    from fuwu.core.errors import Forbidden
    from fuwu.feedback import selectors as feedback

    cc = world.person("cc_rule", world.ho, roles.CC_MANAGER)
    handler = world.person("handler_rule", world.t2, roles.COMPLAINT_HANDLER)
    client = Client()

    def menu(who: Any) -> set[str]:
        return {i.url_name for i, _u in items_for(who)}

    kpis = "/api/v1/staffing/calls/kpis?line=95599&date=2026-03-02"
    client.force_login(world.head_a)
    assert "staffing:centre" not in menu(world.head_a)
    assert client.get(reverse("staffing:centre")).status_code == 403
    assert client.get(kpis).status_code == 403
    client.force_login(cc)
    assert "staffing:centre" in menu(cc)
    assert client.get(reverse("staffing:centre")).status_code == 200
    assert client.get(kpis).status_code == 200

    stats_api = "/api/v1/complaints-stats/quarter?year=2026&quarter=1"
    client.force_login(world.teller_a)
    assert "complaints:stats" not in menu(world.teller_a)
    assert client.get(reverse("complaints:stats")).status_code == 403
    assert client.get(stats_api).status_code == 403
    client.force_login(handler)
    assert "complaints:stats" in menu(handler)
    assert client.get(reverse("complaints:stats")).status_code == 200
    assert client.get(stats_api).status_code == 200

    for who, serves in (
        (world.teller_a, True),
        (world.head_a, True),
        (handler, False),
        (world.auditor, False),
    ):
        client.force_login(who)
        assert ("feedback:mine" in menu(who)) is serves, who
        assert client.get(reverse("feedback:mine")).status_code == (200 if serves else 403), who
        if serves:
            assert not feedback.own_stream(fetched_by=who).exists()
        else:
            with pytest.raises(Forbidden):
                feedback.own_stream(fetched_by=who)
