"""The P2/P3 screens and their API: households, RM portfolios, risk assessments, the product catalogue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from fuwu.core import roles
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers import selectors, services
from fuwu.customers.models import Customer, Household
from fuwu.customers.tests import factories as cf

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def rms(world: Any) -> tuple[Any, Any]:
    return world.person("rm_a", world.outlet_a, roles.RM), world.person("rm_a2", world.outlet_a, roles.RM)


def test_household_page_creates_adds_and_removes_members_audited(
    world: Any, frozen_clock: Any, client: Client
):
    """P2: the outlet head groups customers of the outlet; a customer of another outlet is refused."""
    cf.customer(world.outlet_a, "H100", name="刘建华")
    cf.customer(world.outlet_a, "H101", name="王丽")
    cf.customer(world.outlet_b, "H102", name="赵强")
    client.force_login(world.head_a)
    made = client.post("/customers/households/", {"name": "刘家", "customer_no": "H100", "role": "head"})
    household = Household.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/customers/households/{household.pk}/"
    page = f"/customers/households/{household.pk}/"
    assert client.post(page, {"action": "add", "customer_no": "H101", "role": "spouse"}).status_code == 302
    refused = client.post(page, {"action": "add", "customer_no": "H102", "role": "child"})
    assert refused.status_code == 422 and "field-error" in refused.content.decode()
    html = client.get(page).content.decode()
    members = html.split('data-testid="members"')[1].split("</table>")[0]
    assert "王丽" in members and "配偶" in members and "赵强" not in members, members
    assert Customer.objects.get(customer_no="H102").household is None
    listed = client.get("/customers/households/").content.decode()
    assert "刘家" in listed and "共 1 条" in listed
    assert client.post(page, {"action": "remove", "customer_no": "H100"}).status_code == 302
    assert Customer.objects.get(customer_no="H100").household is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="household.", target_id=str(household.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "household.create",
        "household.member_add",
        "household.member_add",
        "household.member_remove",
    ]
    client.force_login(world.teller_a)  # tellers see the compact 360 only: no households
    assert client.get("/customers/households/").status_code == 403


def test_household_api_shares_the_schema_and_refuses_another_outlets_head(
    world: Any, frozen_clock: Any, client
):
    cf.customer(world.outlet_a, "H200", name="刘建华")
    cf.customer(world.outlet_a, "H201", name="王丽")
    client.force_login(world.head_a)
    made = post(client, "/api/v1/households", {"name": "刘家", "customer_no": "H200"})
    assert made.status_code == 201 and made.json()["members"][0]["role"] == "head"
    pk = made.json()["id"]
    bad = post(client, f"/api/v1/households/{pk}/members", {"customer_no": "H201", "role": "cousin"})
    assert bad.status_code == 422
    added = post(client, f"/api/v1/households/{pk}/members", {"customer_no": "H201", "role": "spouse"})
    assert [m["customer_no"] for m in added.json()["members"]] == ["H200", "H201"]
    listed = client.get("/api/v1/households").json()
    assert listed["total"] == 1 and listed["items"][0]["member_count"] == 2
    client.force_login(world.person("head_b", world.outlet_b, roles.OUTLET_HEAD))
    assert client.get(f"/api/v1/households/{pk}").status_code == 404


def test_portfolio_reassignment_moves_the_ticked_customers_and_audits_each(world, frozen_clock, rms, client):
    """P2: the outlet head moves customers from one relationship manager to another; each move is audited,
    and a move that cannot be done for one customer moves none."""
    rm_a, rm_a2 = rms
    moving = [cf.customer(world.outlet_a, f"R10{n}") for n in range(3)]
    for c in moving:
        services.relationship_manager_assign(actor=SYSTEM, customer=c, manager=rm_a)
    client.force_login(world.head_a)
    listed = client.get("/customers/portfolios/").content.decode()
    assert "rm_a" in listed and 'data-testid="portfolios"' in listed
    page = f"/customers/portfolios/{rm_a.staff_code}/"
    assert "R100" in client.get(page).content.decode()
    done = client.post(page, {"customer_nos": ["R100", "R101"], "staff_code": rm_a2.staff_code})
    assert done.status_code == 200 and 'data-testid="moved"' in done.content.decode()
    assert [c.customer_no for c in selectors.portfolio(fetched_by=world.head_a, manager=rm_a2)] == [
        "R100",
        "R101",
    ]
    events = AuditEvent.objects.filter(action="customer.rm_assign", actor=world.head_a)
    assert sorted(e.data["to"] for e in events) == [rm_a2.staff_code, rm_a2.staff_code]
    rm_b = world.person("rm_b", world.outlet_b, roles.RM)
    other = cf.customer(world.outlet_b, "R200")
    refused = client.post(page, {"customer_nos": ["R102", "R200"], "staff_code": rm_a2.staff_code})
    assert refused.status_code == 422
    assert Customer.objects.get(customer_no="R102").relationship_manager == rm_a
    assert other.relationship_manager is None and rm_b.org_unit == world.outlet_b
    unassigned = client.get("/customers/portfolios/-/").content.decode()
    assert "R200" not in unassigned  # another outlet's customers are not this head's to assign
    client.force_login(rm_a)  # a relationship manager sees portfolios but does not move customers
    assert client.post(page, {"customer_nos": ["R102"], "staff_code": ""}).status_code == 403
    client.force_login(world.head_a)
    api = post(client, "/api/v1/portfolios/reassign", {"customer_nos": ["R102"], "staff_code": ""})
    assert api.status_code == 200 and api.json()["moved"] == 1
    assert Customer.objects.get(customer_no="R102").relationship_manager is None


def test_risk_assessments_are_recorded_and_shown_with_their_expiry(world, frozen_clock, rms, client):
    """P3: the relationship manager records an assessment; an expired one is marked and no longer counts."""
    rm_a, _other = rms
    c = cf.customer(world.outlet_a, "K100")
    services.risk_assessment_record(
        actor=SYSTEM, customer=c, level=4, assessed_on=dt.date(2024, 1, 2), valid_days=365
    )
    client.force_login(rm_a)
    page = f"/customers/{c.customer_no}/risk/"
    html = client.get(page).content.decode()
    assert 'data-testid="expired"' in html and "C4" in html
    today = frozen_clock.now().date()
    done = client.post(page, {"level": "3", "assessed_on": today.isoformat(), "valid_days": "365"})
    assert done.status_code == 302
    rows = list(selectors.risk_assessments(fetched_by=rm_a, customer=c))
    assert [(a.level, a.is_expired) for a in rows] == [(3, False), (4, True)]
    future = (today + dt.timedelta(days=3)).isoformat()
    assert client.post(page, {"level": "2", "assessed_on": future}).status_code == 422
    assert client.post(page, {"level": "9", "assessed_on": today.isoformat()}).status_code == 422
    api = client.get(f"/api/v1/customers/{c.customer_no}/risk-assessments").json()
    assert api["total"] == 2 and [i["valid"] for i in api["items"]] == [True, False]
    made = post(
        client, f"/api/v1/customers/{c.customer_no}/risk-assessments", {"level": 2, "assessed_on": str(today)}
    )
    assert made.status_code == 201 and made.json()["level"] == "C2"
    assert AuditEvent.objects.filter(action="risk_assessment.record", actor=rm_a).count() == 2
    client.force_login(world.teller_a)
    assert client.get(page).status_code == 403


def test_product_catalogue_lists_names_risk_and_fees_and_shows_the_knowledge_entry(
    world, frozen_clock, client
):
    """P3: the catalogue with R1–R5 and fees; where the knowledge base has a product entry, its fee lines."""
    from fuwu.knowledge import services as kb
    from fuwu.knowledge.models import Entry

    products = cf.catalogue()
    cf.hold(cf.customer(world.outlet_a, "P500"), products, "CD")
    kb.entry_create(
        actor=SYSTEM,
        data=kb.EntryData(
            kind=Entry.Kind.PRODUCT,
            question="大额存单产品介绍",
            answer_html="<p>20 万元起存。</p>",
            category="存款",
            visibility=Entry.Visibility.STAFF,
            risk_level="R1",
            fees=(("开户费", "0", "不收取"), ("提前支取", "按活期计息", "部分提前支取一次")),
            documents=("本人有效身份证件",),
        ),
    )
    client.force_login(world.teller_a)
    listed = client.get("/customers/products/").content.decode()
    assert "大额存单" in listed and "R5" in listed and "共 19 条" in listed
    assert "类别 <select" in listed and "状态 <select" not in listed  # the filter says what it filters
    funds = client.get("/customers/products/?state=fund").content.decode()
    assert "货币基金" in funds and "大额存单" not in funds and "共 4 条" in funds
    detail = client.get("/customers/products/CD/").content.decode()
    assert 'data-testid="published-fees"' in detail and "部分提前支取一次" in detail
    assert "Holders" not in detail and "持有客户" in detail
    plain = client.get("/customers/products/PE/").content.decode()
    assert 'data-testid="published"' not in plain and "管理费 2%/年" in plain
    api = client.get("/api/v1/products/CD").json()
    assert api["holders"] == 1 and api["published_fees"][0]["item"] == "开户费" and api["risk_level"] == "R1"
    assert client.get("/api/v1/products").json()["total"] == 19
    client.force_login(world.person("trainer_a", world.outlet_a, roles.TRAINER))
    assert client.get("/customers/products/").status_code == 403
