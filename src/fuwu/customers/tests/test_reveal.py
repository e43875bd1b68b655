"""Full ID and phone numbers: reachable from the customer page and the API for roles with the right, audited."""

from __future__ import annotations

import json

import pytest

from fuwu.core import roles
from fuwu.core.errors import Forbidden, NotFound
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers import services
from fuwu.customers.services import customer_create

pytestmark = pytest.mark.django_db

ID = "110108198506123015"
PHONE = "13912345678"


@pytest.fixture
def customer(world):
    return customer_create(
        actor=SYSTEM, customer_no="C100", name="刘建华", home_outlet=world.outlet_a, id_number=ID, phone=PHONE
    )


@pytest.fixture
def handler(world):
    return world.person("handler_t2", world.t2, roles.COMPLAINT_HANDLER)


def reveal(client, field, no="C100"):
    return client.post(
        f"/api/v1/customers/{no}/reveal", json.dumps({"field": field}), content_type="application/json"
    )


def test_teller_is_refused_and_nothing_is_recorded(client, world, customer):
    client.force_login(world.teller_a)
    response = reveal(client, "id_number")
    assert response.status_code == 403
    assert ID not in response.content.decode()
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()
    with pytest.raises(Forbidden):
        services.customer_reveal(actor=world.teller_a, customer=customer, field="phone")


@pytest.mark.parametrize("who", ["handler", "auditor"])
def test_handler_and_auditor_see_the_full_number_and_it_is_audited(client, world, customer, handler, who):
    person = handler if who == "handler" else world.auditor
    client.force_login(person)
    response = reveal(client, "id_number")
    assert response.status_code == 200 and response.json()["value"] == ID
    assert response["Cache-Control"] == "no-store"
    assert reveal(client, "phone").json()["value"] == PHONE
    rows = AuditEvent.objects.filter(action="pii.reveal", target_id=str(customer.pk)).order_by("pk")
    assert [(r.actor, r.data["field"]) for r in rows] == [(person, "id"), (person, "phone")]


def test_unknown_field_is_a_422_naming_the_field(client, world, customer):
    client.force_login(world.auditor)
    response = reveal(client, "card")
    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_a_handler_of_another_branch_gets_not_found(client, world, customer):
    outsider = world.person("handler_x", world.outlet_x, roles.COMPLAINT_HANDLER)
    client.force_login(outsider)
    assert reveal(client, "phone").status_code == 404
    with pytest.raises(NotFound):
        services.customer_reveal(actor=outsider, customer=customer, field="phone")


def test_customer_page_offers_the_button_only_to_roles_with_the_right(client, world, customer, handler):
    client.force_login(world.teller_a)
    html = client.get("/customers/C100/").content.decode()
    assert "刘建华" in html and 'data-testid="reveal-id_number"' not in html and ID not in html
    assert client.post("/customers/C100/reveal/", {"field": "id_number"}).status_code == 403
    client.force_login(handler)
    html = client.get("/customers/C100/").content.decode()
    assert 'data-testid="reveal-id_number"' in html and ID not in html
    response = client.post("/customers/C100/reveal/", {"field": "id_number"})
    html = response.content.decode()
    assert response.status_code == 200 and ID in html and PHONE not in html
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="pii.reveal", actor=handler).count() == 1
    assert ID not in client.get("/customers/C100/").content.decode()  # shown once, never kept


def test_customer_list_is_scoped_and_searchable(client, world, customer):
    customer_create(actor=SYSTEM, customer_no="C200", name="周敏", home_outlet=world.outlet_b)
    client.force_login(world.teller_a)
    html = client.get("/customers/").content.decode()
    assert "C100" in html and "C200" not in html
    assert "C100" not in client.get("/customers/?q=周敏").content.decode()
    client.force_login(world.hq_manager)
    assert "C200" in client.get("/customers/?q=周敏").content.decode()
