"""Inspections feed the quarterly briefing's mystery-shopper section and disqualify stars (K5, K6, S5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import clock
from fuwu.inspections import selectors, services
from fuwu.inspections.briefing import mystery_shopper
from fuwu.inspections.models import Inspection, Item
from fuwu.inspections.stars import critical_items
from fuwu.inspections.tests.factories import fill, setup


def _visit(world: Any, *, kind: str, fail: set[str], staff: Any = None) -> Inspection:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind=kind
    )
    fill(world, i, fail=fail)
    if staff is not None:
        for item in Item.objects.filter(version=i.version, code__in=fail):
            services.response_save(
                actor=world.sup,
                inspection=i,
                item_id=item.pk,
                result="fail",
                note="推诿客户",
                staff_id=staff.pk,
            )
    return services.inspection_submit(actor=world.sup, inspection=i)


def test_a_failed_critical_item_disqualifies_the_staff_member_observed(world: Any) -> None:
    _visit(world, kind="onsite", fail={"SBZ-1"}, staff=world.teller_a)
    today = clock.today()
    found = critical_items(world.hq_manager, world.outlet_a, today - dt.timedelta(days=31), today)
    assert list(found) == [world.teller_a.pk]
    assert found[world.teller_a.pk][0]["disqualify"] is True and "推诿" in found[world.teller_a.pk][0]["text"]
    # A non-critical failure disqualifies nobody; a reader without the right gets nothing.
    assert (
        selectors.critical_failures(
            fetched_by=world.hq_manager, outlet=world.outlet_b, start=today - dt.timedelta(days=31), end=today
        )
        == []
    )
    assert critical_items(world.teller_a, world.outlet_a, today - dt.timedelta(days=31), today) == {}


def test_the_briefing_section_lists_mystery_scores_of_the_quarter(world: Any) -> None:
    visit = _visit(world, kind="mystery", fail={"SBZ-3"})
    from fuwu.measures.selectors import parse_period

    quarter = selectors.quarter_of(visit.visit_date)
    period = parse_period(quarter.replace("Q", "-Q"))
    from fuwu.core import rollups
    from fuwu.core.principals import SYSTEM

    rollups.rebuild(actor=SYSTEM, start=period.start, end=period.end)  # the catalogue's rollups (#14)
    section = mystery_shopper(world.hq_manager, world.ho, period)
    assert section is not None and section["key"] == "mystery"
    assert [row[0] for row in section["rows"]] == ["中关村支行"]
    assert section["rows"][0][2] == float(visit.score)
    assert mystery_shopper(world.teller_a, world.outlet_a, period) is None
