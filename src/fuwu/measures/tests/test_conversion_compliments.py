"""Next-product conversion (#16, P3) and compliments (#15, K5) in the one catalogue: rollups equal Ibis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fuwu.core import roles
from fuwu.core.principals import SYSTEM, system
from fuwu.customers import services as customers
from fuwu.customers.tests import factories as cf
from fuwu.feedback import services as feedback
from fuwu.measures import catalogue, definitions, facts, selectors, services
from fuwu.measures.facts import NONE_KEY

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)  # the frozen clock's Monday
CONVERSION = ("suggestions_shown", "suggestion_conversion")


@pytest.fixture
def shown(world: Any, frozen_clock: Any) -> dict[str, Any]:
    """Suggestions shown on Monday: at outlet A by teller_a (one accepted, one referred) and by teller_c
    (declined), at outlet B by teller_b (left unanswered)."""
    products = cf.catalogue()
    for i in range(40):  # holdings to learn rules from (as customers' own tests): TD holders also hold CD
        c = cf.customer(world.outlet_a, f"H{i:03d}")
        if i < 20:
            cf.hold(c, products, "DEP", "TD", *(["CD"] if i % 4 else []))
        else:
            cf.hold(c, products, "DEP", *(["CD"] if i < 22 else []))
    assert customers.rules_train(actor=SYSTEM) > 0
    world.teller_c = world.person("teller_c", world.outlet_a, roles.TELLER)
    rm = world.person("rm_a", world.outlet_a, roles.RM)
    found: dict[str, Any] = {}
    for no, outlet, teller in (
        ("ME1", world.outlet_a, world.teller_a),
        ("ME2", world.outlet_a, world.teller_c),
        ("ME3", world.outlet_b, world.teller_b),
    ):
        me = cf.customer(outlet, no, birth=dt.date(1980, 3, 1))
        cf.hold(me, products, "DEP")
        customers.risk_assessment_record(actor=SYSTEM, customer=me, level=2, assessed_on=dt.date(2026, 1, 5))
        found[no] = customers.suggestions_show(actor=teller, customer=me, outlet=outlet)
        assert len(found[no]) >= 2, no
    first, second, *_ = found["ME1"]
    customers.suggestion_react(actor=world.teller_a, suggestion=first, reaction="accept")
    customers.suggestion_refer(actor=world.teller_a, suggestion=second, staff_code=rm.staff_code)
    for s in found["ME2"]:
        customers.suggestion_react(actor=world.teller_c, suggestion=s, reaction="decline")
    return found


def _ibis(by: list[str]) -> dict[tuple[Any, ...], dict[str, float | None]]:
    tables = definitions.duckdb_tables(facts.arrow_tables(MON, MON))
    rows = definitions.parts_frame(tables, by=by)
    return {tuple(r[k] for k in by): catalogue.evaluate(r, CONVERSION) for r in rows if r["sugg_shown"]}


def test_conversion_from_the_rollups_equals_ibis_per_unit_staff_and_product(world: Any, shown: Any) -> None:
    """P3/K1: shown and accepted-or-referred ÷ shown — per outlet, staff member and product, both engines."""
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON)
    hq = world.hq_manager
    n1, n2, n3 = (len(shown[no]) for no in ("ME1", "ME2", "ME3"))
    rolled = {
        (u,): catalogue.evaluate(p, CONVERSION)
        for (u,), p in selectors.parts_by(None, MON, MON, by=["unit"], fetched_by=hq).items()
        if p["sugg_shown"]
    }
    assert rolled[(world.outlet_a.pk,)] == {
        "suggestions_shown": n1 + n2,
        "suggestion_conversion": pytest.approx(2 / (n1 + n2) * 100),
    }
    assert rolled[(world.outlet_b.pk,)] == {"suggestions_shown": n3, "suggestion_conversion": 0.0}
    assert _ibis(["unit_id"]) == rolled
    # Per staff member: the referrer is credited; the staff cut's key is the user id, as for tickets.
    staff = {
        k: catalogue.evaluate(p, CONVERSION)
        for k, p in selectors.parts_by(None, MON, MON, by=["key"], cut="staff", fetched_by=hq).items()
        if p["sugg_shown"]
    }
    assert staff[(str(world.teller_a.pk),)]["suggestion_conversion"] == pytest.approx(2 / n1 * 100)
    assert staff[(str(world.teller_c.pk),)]["suggestion_conversion"] == 0.0
    assert _ibis(["staff_id"]) == staff
    # Per product, the labels from the customers app's table.
    products = {
        k: catalogue.evaluate(p, CONVERSION)
        for k, p in selectors.parts_by(None, MON, MON, by=["key"], cut="product", fetched_by=hq).items()
    }
    accepted = shown["ME1"][0].product.code
    assert products[(accepted,)]["suggestion_conversion"] is not None
    assert sum(v["suggestions_shown"] or 0 for v in products.values()) == n1 + n2 + n3
    assert _ibis(["product"]) == products


def test_a_later_reaction_rebuilds_the_day_the_suggestion_was_shown(
    world: Any, shown: Any, frozen_clock: Any
) -> None:
    """P3/K1: the incremental build catches a reaction on a later day and counts it on the day shown."""
    services.rollup_refresh(actor=SYSTEM)  # the first run builds everything
    before = catalogue.evaluate(
        selectors.total(world.outlet_b, MON, MON, fetched_by=world.hq_manager), CONVERSION
    )
    assert before["suggestion_conversion"] == 0.0
    frozen_clock.advance(dt.timedelta(days=1))
    customers.suggestion_react(actor=world.teller_b, suggestion=shown["ME3"][0], reaction="accept")
    frozen_clock.advance(dt.timedelta(minutes=10))
    services.rollup_refresh(actor=SYSTEM)
    after = catalogue.evaluate(
        selectors.total(world.outlet_b, MON, MON, fetched_by=world.hq_manager), CONVERSION
    )
    assert after["suggestion_conversion"] == pytest.approx(100 / len(shown["ME3"]))


def test_compliments_from_the_rollups_equal_ibis_per_unit_and_staff(world: Any, frozen_clock: Any) -> None:
    """K5/K1: compliments per outlet and per staff member named (none named: the "-" key), both engines."""
    box = system("feedback_box")
    for n, (outlet, staff) in enumerate(
        (
            (world.outlet_a, world.teller_a),
            (world.outlet_a, world.teller_a),
            (world.outlet_a, None),
            (world.outlet_b, world.teller_b),
        )
    ):
        feedback.feedback_submit(
            actor=box,
            outlet=outlet,
            text=f"服务很好，谢谢{n}",
            client=f"10.8.0.{n}",
            staff=staff,
            compliment=True,
        )
    feedback.feedback_submit(
        actor=box, outlet=world.outlet_a, text="排队等得太久了", client="10.8.1.1", staff=world.teller_a
    )
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON)
    hq = world.hq_manager
    units = {
        (u,): p["compliments"]
        for (u,), p in selectors.parts_by(None, MON, MON, by=["unit"], fetched_by=hq).items()
        if p["compliments"]
    }
    assert units == {(world.outlet_a.pk,): 3, (world.outlet_b.pk,): 1}
    staff = {
        k: catalogue.evaluate(p, ["compliments"])["compliments"]
        for k, p in selectors.parts_by(None, MON, MON, by=["key"], cut="staff", fetched_by=hq).items()
        if p["compliments"]
    }
    assert staff == {(str(world.teller_a.pk),): 2, (NONE_KEY,): 1, (str(world.teller_b.pk),): 1}
    tables = definitions.duckdb_tables(facts.arrow_tables(MON, MON))
    for by, rolled in ((["unit_id"], units), (["staff_id"], staff)):
        raw = {
            tuple(r[k] for k in by): catalogue.evaluate(r, ["compliments"])["compliments"]
            for r in definitions.parts_frame(tables, by=by)
            if r["compliments"]
        }
        assert raw == rolled, by
    # A teller reads their own compliments, not a colleague's.
    mine = selectors.total(
        world.outlet_a, MON, MON, cut="staff", key=str(world.teller_a.pk), fetched_by=world.teller_a
    )
    assert catalogue.evaluate(mine, ["compliments"]) == {"compliments": 2.0}


def test_the_definitions_page_and_api_list_the_new_measures_in_chinese(world: Any, client: Any) -> None:
    """K1 (#15, #16): the catalogue page and API name them in Chinese with their units."""
    from django.utils import translation

    client.force_login(world.hq_manager)
    with translation.override("zh-hans"):
        html = client.get("/measures/definitions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for measure_id, name in (
        ("suggestions_shown", "产品推荐展示次数"),
        ("suggestion_conversion", "产品推荐转化率"),
        ("compliments", "表扬数"),
    ):
        assert f'data-measure="{measure_id}"' in html and name in html, measure_id
    listed = {m["id"]: m for m in client.get("/api/v1/measures/catalogue").json()}
    assert listed["suggestion_conversion"]["name_zh"] == "产品推荐转化率"
    assert listed["suggestion_conversion"]["unit_label"] == "%"
    assert listed["suggestion_conversion"]["min_volume"] == catalogue.MIN_SUGGESTIONS
    assert "product" in listed["suggestion_conversion"]["grains"]
    assert "staff" in listed["compliments"]["grains"]


def test_conversion_by_product_shows_product_names_not_codes(world: Any, shown: Any, client: Any) -> None:
    """P3: the dashboard's and the API's product rows are named as the catalogue names them."""
    services.rollup_rebuild(actor=SYSTEM, start=MON, end=MON)
    client.force_login(world.head_a)
    accepted = shown["ME1"][0].product
    html = client.get(f"/measures/?unit={world.outlet_a.pk}&period=2026-03-02").content.decode()
    table = html.split('data-testid="product-table"')[1].split("</table>")[0]
    assert accepted.name in table and f">{accepted.code}<" not in table
    rows = client.get(f"/api/v1/measures/products?unit={world.outlet_a.pk}&period=2026-03-02").json()
    assert {r["key"]: r["label"] for r in rows}[accepted.code] == accepted.name
    assert sum(r["values"]["suggestions_shown"] for r in rows) == len(shown["ME1"]) + len(shown["ME2"])
    quiet = client.get(f"/measures/?unit={world.outlet_a.pk}&period=2026-02-02").content.decode()
    assert 'data-testid="product-table"' not in quiet  # nothing suggested that day: no table
