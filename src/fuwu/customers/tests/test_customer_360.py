"""The customer 360 (P1): one timeline across the apps, scoping by role and by serving, bands vs exact amounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fuwu.complaints.tests.factories import complaint
from fuwu.core import clock, roles
from fuwu.core.errors import NotFound
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.customers import rules, selectors, services
from fuwu.customers.tests import factories as cf
from fuwu.feedback import services as feedback_services
from fuwu.feedback.tests import factories as ff
from fuwu.floor import services as floor_services
from fuwu.floor.tests.factories import floor
from fuwu.staffing.importers import import_calls
from fuwu.staffing.models import CallRecord

pytestmark = pytest.mark.django_db

ID = "110108198506123015"
PHONE = "13912340360"


@pytest.fixture
def rm(world: Any) -> Any:
    return world.person("rm_a", world.outlet_a, roles.RM)


def visit(world: Any, counters: dict[str, Any], teller: Any, *, finish: bool = True) -> Any:
    """A real visit: issued at the kiosk with the customer's ID, called by `teller`'s counter, served."""
    ticket = floor_services.ticket_issue(
        actor=SYSTEM, outlet=counters["high1"].outlet, service_code="CASH", id_number=ID
    )
    clock.advance(dt.timedelta(minutes=7))
    called = floor_services.ticket_call_next(actor=teller, counter=counters["high1"])
    assert called is not None and called.pk == ticket.pk
    if finish:
        floor_services.ticket_start(actor=teller, ticket=called)
        clock.advance(dt.timedelta(minutes=5))
        floor_services.ticket_finish(actor=teller, ticket=called)
    return called


@pytest.fixture
def history(world: Any, frozen_clock: Any, seeded_calendar: Any, tmp_path: Path) -> Any:
    """A customer of outlet A with a visit, its evaluation, a call to the hotline, a complaint and a message
    left in the feedback box with their phone."""
    c = cf.customer(world.outlet_a, "C360", id_number=ID, phone=PHONE)
    counters = floor(world.outlet_a)
    counters["high1"].staff = world.teller_a
    counters["high1"].save()
    ticket = visit(world, counters, world.teller_a)
    clock.advance(dt.timedelta(minutes=1))
    token = device_token_authenticate(ff.pad_token(world.outlet_a, counters["high1"].code))
    assert token is not None
    feedback_services.evaluation_record(actor=DevicePrincipal(token), ticket=ticket, rating="dissatisfied")
    clock.advance(dt.timedelta(hours=1))
    # The hotline's file names the caller by the calling number only; the import links it by its keyed hash.
    called_at = (clock.now() - dt.timedelta(minutes=30)).isoformat()
    answered = (clock.now() - dt.timedelta(minutes=29)).isoformat()
    ended = (clock.now() - dt.timedelta(minutes=25)).isoformat()
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "call_id,line,offered_at,answered_at,ended_at,abandoned_at,agent,phone\n"
        f"h1,95599,{called_at},{answered},{ended},,A07,{PHONE}\n"
        f"h2,95599,{called_at},,,{answered},,13800009999\n",
        encoding="utf-8",
    )
    import_calls(calls)
    case = complaint(world, customer=c)
    clock.advance(dt.timedelta(minutes=10))
    feedback_services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="大堂经理很耐心，谢谢", client="10.0.0.9", phone=PHONE
    )
    return c, ticket, case


def test_timeline_merges_every_app_newest_first_and_pages_without_gaps(
    world, history, rm, django_assert_max_num_queries
):
    """P1: visit, evaluation and complaint in one list, newest first; paging by cursor loses and repeats nothing."""
    c, _ticket, case = history
    with django_assert_max_num_queries(25):
        page = selectors.customer_timeline(fetched_by=world.head_a, customer=c)
    kinds = [e.kind for e in page.entries]
    assert kinds == ["feedback", "complaint", "call", "evaluation", "visit"]
    assert page.total == 5
    assert case.reference in page.entries[1].title
    assert "A07" in page.entries[2].detail and "95599" in page.entries[2].title
    assert "李柜员" in page.entries[4].detail and "7" in page.entries[4].detail
    assert [e.at for e in page.entries] == sorted((e.at for e in page.entries), reverse=True)
    # The other caller is no customer of ours: their call is linked to nobody, and no number is stored.
    assert CallRecord.objects.get(call_id="h2").customer is None
    assert CallRecord.objects.get(call_id="h1").customer == c
    seen = []
    cursor = ""
    while True:
        part = selectors.customer_timeline(fetched_by=world.head_a, customer=c, cursor=cursor, limit=1)
        seen.extend((e.kind, e.pk) for e in part.entries)
        if not part.next_cursor:
            break
        cursor = part.next_cursor
    assert seen == [(e.kind, e.pk) for e in page.entries]
    only = selectors.customer_timeline(fetched_by=world.head_a, customer=c, kinds=frozenset({"visit"}))
    assert [e.kind for e in only.entries] == ["visit"] and only.total == 1


def test_teller_of_another_outlet_sees_the_customer_only_while_serving_and_only_compact(
    world, frozen_clock, client
):
    """P1 scoping: teller B gets 404 until the customer is at B's counter, then the compact view only."""
    c = cf.customer(world.outlet_a, "C361", id_number=ID)
    with pytest.raises(NotFound):
        selectors.customer_view(fetched_by=world.teller_b, customer_no=c.customer_no)
    client.force_login(world.teller_b)
    assert client.get(f"/customers/{c.customer_no}/").status_code == 404
    counters = floor(world.outlet_b)
    called = visit(world, counters, world.teller_b, finish=False)
    found, compact = selectors.customer_view(fetched_by=world.teller_b, customer_no=c.customer_no)
    assert found == c and compact
    html = client.get(f"/customers/{c.customer_no}/").content.decode()
    assert 'data-testid="timeline"' not in html and c.id_masked not in html
    api = client.get(f"/api/v1/customers/{c.customer_no}").json()
    assert api["compact"] is True and api["timeline"] is None and api["id_masked"] == ""
    floor_services.ticket_start(actor=world.teller_b, ticket=called)
    floor_services.ticket_finish(actor=world.teller_b, ticket=called)
    assert client.get(f"/customers/{c.customer_no}/").status_code == 404


def test_own_outlet_teller_gets_compact_head_gets_full(world, frozen_clock):
    c = cf.customer(world.outlet_a, "C362")
    assert selectors.customer_view(fetched_by=world.teller_a, customer_no="C362") == (c, True)
    assert selectors.customer_view(fetched_by=world.head_a, customer_no="C362") == (c, False)
    with pytest.raises(NotFound):
        selectors.customer_view(
            fetched_by=world.person("head_b", world.outlet_b, roles.OUTLET_HEAD), customer_no="C362"
        )


def test_balances_are_bands_for_the_head_and_exact_for_the_rm(world, frozen_clock, rm, client):
    """P1: roles that do not need exact amounts see bands."""
    products = cf.catalogue()
    c = cf.customer(world.outlet_a, "C363")
    cf.hold(c, products, "TD", balance=123_456)
    head = selectors.view_360(fetched_by=world.head_a, customer_no=c.customer_no)
    assert [h.amount for h in head.holdings] == [str(rules.BANDS[2][1])]  # 5 万–20 万元
    exact = selectors.view_360(fetched_by=rm, customer_no=c.customer_no)
    assert exact.holdings[0].amount == "123,456.00"
    client.force_login(world.head_a)
    html = client.get("/customers/C363/").content.decode()
    assert "123,456" not in html and "整存整取定期存款" in html


def test_tier_recompute_moves_tiers_by_aum_and_keeps_the_change(world, frozen_clock):
    """P2: the background recomputation sets AUM and tier and records each change."""
    products = cf.catalogue()
    c = cf.customer(world.outlet_a, "C364")
    cf.hold(c, products, "CD", balance=700_000)
    assert services.tiers_recompute(actor=SYSTEM) == 1
    c.refresh_from_db()
    assert c.tier == "wealth" and c.aum == 700_000
    change = c.tier_changes.get()
    assert (change.old_tier, change.new_tier) == ("normal", "wealth")
    assert services.tiers_recompute(actor=SYSTEM) == 0


def test_elderly_follows_the_birth_date_in_the_id(world, frozen_clock):
    """P2: age from the ID's birth date makes the customer elderly (60+)."""
    old_id = "110108195001011233"
    c = services.customer_create(
        actor=SYSTEM, customer_no="C365", name="王大爷", home_outlet=world.outlet_a, id_number=old_id
    )
    assert c.birth_date == dt.date(1950, 1, 1) and c.is_elderly


def test_rm_reassignment_is_audited_and_refuses_a_non_rm(world, frozen_clock, rm):
    """P2: an outlet head moves a customer to a relationship manager; each move is in the audit trail."""
    from fuwu.core.errors import ValidationFailed
    from fuwu.core.models import AuditEvent

    c = cf.customer(world.outlet_a, "C366")
    services.relationship_manager_assign(actor=world.head_a, customer=c, manager=rm)
    c.refresh_from_db()
    assert c.relationship_manager == rm
    event = AuditEvent.objects.get(action="customer.rm_assign", target_id=str(c.pk))
    assert event.data == {"from": "", "to": "RM_A"} and event.actor == world.head_a
    with pytest.raises(ValidationFailed):
        services.relationship_manager_assign(actor=world.head_a, customer=c, manager=world.teller_a)
    c.refresh_from_db()
    assert c.relationship_manager == rm


def test_household_members_see_each_other_on_the_360(world, frozen_clock):
    """P2: a household groups customers; the full 360 lists the other members."""
    a = cf.customer(world.outlet_a, "C367", name="刘建华")
    b = cf.customer(world.outlet_a, "C368", name="王丽")
    services.household_create(actor=world.head_a, name="刘家", members=[(a, "head"), (b, "spouse")])
    v = selectors.view_360(fetched_by=world.head_a, customer_no="C367")
    assert [m.name for m in v.household] == ["王丽"]
    assert selectors.view_360(fetched_by=world.teller_a, customer_no="C367").household == []


def test_timeline_cost_does_not_grow_with_history(world, history):
    """P1: one query per kind for the page and one per kind for the count, however long the history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c, _ticket, _case = history
    selectors.customer_timeline(fetched_by=world.head_a, customer=c)  # the principal's permissions, cached
    with CaptureQueriesContext(connection) as small:
        selectors.customer_timeline(fetched_by=world.head_a, customer=c)
    for _ in range(30):
        complaint(world, customer=c)
    with CaptureQueriesContext(connection) as large:
        page = selectors.customer_timeline(fetched_by=world.head_a, customer=c)
    assert len(page.entries) == 20 and page.total == 35 and page.next_cursor
    # Eight kinds (visit, referral, evaluation, feedback, complaint, call, suggestion, tier): a page and a
    # count each.
    assert len(large.captured_queries) == len(small.captured_queries) == 16
