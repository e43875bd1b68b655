"""Next product (P3): suitability first, then rules; no selling during an open complaint; reactions recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuwu.complaints.tests.factories import complaint
from fuwu.core import roles
from fuwu.core.errors import Conflict
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers import recommend, rules, services
from fuwu.customers.models import AssociationRule, Suggestion
from fuwu.customers.tests import factories as cf

pytestmark = pytest.mark.django_db

products_st = st.builds(
    rules.ProductFacts,
    code=st.sampled_from(["A", "B", "C", "D"]),
    risk_level=st.integers(1, 5),
    min_age=st.integers(16, 40),
    max_age=st.none() | st.integers(40, 90),
    is_active=st.booleans(),
)
profiles_st = st.builds(
    rules.Profile,
    age=st.none() | st.integers(16, 100),
    risk_level=st.none() | st.integers(1, 5),
    is_elderly=st.booleans(),
    held=st.frozensets(st.sampled_from(["A", "B", "C", "D"])),
)


@given(product=products_st, profile=profiles_st)
@settings(max_examples=400, deadline=None)
def test_suitability_never_offers_above_the_customers_level(product: Any, profile: Any) -> None:
    """P3 (hypothesis, random customers × products): whatever passes is within every limit."""
    if rules.refusal(product, profile) is not None:
        return
    assert product.is_active and product.code not in profile.held
    assert product.risk_level <= (profile.risk_level or rules.UNASSESSED_MAX_RISK)
    if profile.is_elderly or (profile.age or 0) >= rules.ELDERLY_AGE:
        assert product.risk_level <= rules.ELDERLY_MAX_RISK
    if profile.age is not None:
        assert product.min_age <= profile.age <= (product.max_age or 200)


@pytest.fixture
def shop(world: Any, frozen_clock: Any) -> Any:
    products = cf.catalogue()
    # Holdings with a ladder: time-deposit holders usually also hold certificates of deposit.
    for i in range(40):
        c = cf.customer(world.outlet_a, f"H{i:03d}")
        if i < 20:
            cf.hold(c, products, "DEP", "TD", *(["CD"] if i % 4 else []))
        else:
            cf.hold(c, products, "DEP", *(["CD"] if i < 22 else []))
    assert services.rules_train(actor=SYSTEM) > 0
    me = cf.customer(world.outlet_a, "ME001", birth=dt.date(1980, 3, 1))
    cf.hold(me, products, "DEP", "TD")
    services.risk_assessment_record(actor=SYSTEM, customer=me, level=2, assessed_on=dt.date(2026, 1, 5))
    return me, products


def test_suggestions_are_at_most_three_suitable_with_a_readable_reason(world, shop):
    me, _products = shop
    shown = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)
    assert 1 <= len(shown) <= 3
    assert all(s.product.risk_level <= 2 for s in shown)
    assert shown[0].product.code == "CD"
    assert "整存整取定期存款" in shown[0].reason and "大额存单" in shown[0].reason
    assert Suggestion.objects.filter(customer=me, status="shown").count() == len(shown)
    # Asked again the same day: the same open suggestions, not new rows.
    again = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)
    assert {s.pk for s in again} == {s.pk for s in shown}
    assert Suggestion.objects.filter(customer=me).count() == len(shown)


def test_an_expired_assessment_leaves_only_the_lowest_risk(world, shop, frozen_clock):
    me, _products = shop
    me.risk_assessments.update(expires_on=dt.date(2026, 2, 1))
    shown = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)
    assert shown and all(s.product.risk_level == 1 for s in shown)


def test_an_open_complaint_suppresses_selling(world, shop, seeded_calendar):
    """P3: nothing is suggested while the customer has an open complaint."""
    me, _products = shop
    complaint(world, customer=me)
    assert services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a) == []
    assert not Suggestion.objects.filter(customer=me).exists()


def test_reactions_are_recorded_and_a_declined_product_is_not_offered_again(world, shop):
    me, _products = shop
    first, *rest = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)
    services.suggestion_react(actor=world.teller_a, suggestion=first, reaction="decline")
    first.refresh_from_db()
    assert first.status == "declined" and first.reacted_by == world.teller_a
    assert AuditEvent.objects.filter(action="suggestion.decline", target_id=str(first.pk)).exists()
    with pytest.raises(Conflict):
        services.suggestion_react(actor=world.teller_a, suggestion=first, reaction="accept")
    for s in rest:
        services.suggestion_react(actor=world.teller_a, suggestion=s, reaction="accept")
    later = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)
    assert first.product_id not in {s.product_id for s in later}


def test_a_referral_from_a_suggestion_credits_the_teller_and_reaches_the_rm(world, shop, client):
    """P3/Q5: the referrer is credited; the RM sees the referral on their home page."""
    me, _products = shop
    rm = world.person("rm_a", world.outlet_a, roles.RM)
    first = services.suggestions_show(actor=world.teller_a, customer=me, outlet=world.outlet_a)[0]
    services.suggestion_refer(actor=world.teller_a, suggestion=first, staff_code=rm.staff_code)
    first.refresh_from_db()
    assert (first.status, first.referred_to, first.credited_staff) == ("referred", rm, world.teller_a)
    client.force_login(rm)
    assert me.name in client.get("/").content.decode()


def test_rules_are_readable_pairs_with_lift_above_one(world, shop):
    rule = AssociationRule.objects.get(antecedent="TD", consequent__code="CD")
    assert rule.lift > 1 and 0.7 <= rule.confidence <= 0.8


def test_score_never_returns_what_was_not_allowed():
    found = recommend.score(frozenset({"X"}), ["Y"], [recommend.Rule("X", "Z", 0.5, 0.9, 2.0)], ["Z", "Y"])
    assert [s.code for s in found] == ["Y"]


def test_suggestions_are_offered_as_facts_for_conversion(world, shop, frozen_clock):
    """P3: the measures read shown/converted suggestions by product, outlet and staff through core.facts."""
    from fuwu.core.facts import fact_table

    me, _products = shop
    first, second, *_rest = services.suggestions_show(
        actor=world.teller_a, customer=me, outlet=world.outlet_a
    )
    services.suggestion_react(actor=world.teller_a, suggestion=first, reaction="accept")
    services.suggestion_react(actor=world.teller_a, suggestion=second, reaction="decline")
    table = fact_table("suggestions")
    assert table is not None
    day = frozen_clock.today()
    rows = list(table.rows(day, day, [world.outlet_a]))
    by_product = {r["product"]: r for r in rows}
    assert by_product[first.product.code]["converted"] and not by_product[second.product.code]["converted"]
    assert {r["staff_id"] for r in rows} == {world.teller_a.pk} and {r["unit_id"] for r in rows} == {
        world.outlet_a.pk
    }
    assert table.span() == [day, day]
    assert (world.outlet_a.pk, day) in table.touched_since(frozen_clock.now() - dt.timedelta(minutes=1))
    assert list(table.rows(day, day, [world.outlet_b])) == []


def test_a_customer_who_waited_past_target_today_is_not_sold_to(world, shop, frozen_clock):
    """P3: after a wait beyond the business's target, the counter gets no suggestions for this visit."""
    from fuwu.customers import timeline
    from fuwu.floor import services as floor_services
    from fuwu.floor.tests.factories import floor

    counters = floor(world.outlet_a)
    id_number = "110108198003016613"
    walkin = cf.customer(world.outlet_a, "WALK1", id_number=id_number)
    ticket = floor_services.ticket_issue(
        actor=SYSTEM, outlet=world.outlet_a, service_code="CASH", id_number=id_number
    )
    assert timeline.selling_blocks(walkin) == []
    frozen_clock.advance(dt.timedelta(seconds=ticket.service.target_wait_seconds + 60))
    floor_services.ticket_call_next(actor=world.teller_a, counter=counters["high1"])
    assert len(timeline.selling_blocks(walkin)) == 1
    assert services.suggestions_show(actor=world.teller_a, customer=walkin, outlet=world.outlet_a) == []
