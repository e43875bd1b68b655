"""Pre-filled business forms (P4): from the profile and the last form of the kind, never an unmasked identifier."""

from __future__ import annotations

import json

import pytest

from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.customers import selectors, services
from fuwu.customers.models import Customer, FormRecord

pytestmark = pytest.mark.django_db

ID = "110108198506123015"
PHONE = "13912345678"
ACCOUNT = "6222021234567890123"


@pytest.fixture
def customer(world, frozen_clock):
    return services.customer_create(
        actor=SYSTEM, customer_no="P100", name="刘建华", home_outlet=world.outlet_a, id_number=ID, phone=PHONE
    )


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_prefill_never_shows_an_unmasked_identifier(world, customer, client):
    """P4: ID and phone only masked, in the answer and in the stored form, for every kind."""
    client.force_login(world.teller_b)  # the customer visits another outlet and presents their ID
    for kind in ("account_opening", "card_application", "transfer", "address_change"):
        response = post(client, f"/api/v1/customers/forms/{kind}/prefill", {"id_number": ID})
        body = response.content.decode()
        assert response.status_code == 200 and ID not in body and PHONE not in body
        assert response.json()["values"]["name"] == "刘建华"
        assert response.json()["values"]["id_number"] == "110***********3015"
    post(
        client,
        "/api/v1/customers/forms/transfer",
        {"id_number": ID, "payee_name": "周敏", "payee_account": ACCOUNT},
    )
    again = post(client, "/api/v1/customers/forms/transfer/prefill", {"id_number": ID}).json()["values"]
    assert again["payee_name"] == "周敏" and again["payee_account"] == "622202*********0123"
    stored = json.dumps([f.data for f in FormRecord.objects.all()], ensure_ascii=False)
    assert ID not in stored and PHONE not in stored and ACCOUNT not in stored


def test_confirmed_changes_update_the_profile_with_history(world, customer):
    """P4: a changed address or phone updates the profile; the masked phone sent back changes nothing."""
    services.form_submit(
        actor=world.teller_a,
        outlet=world.outlet_a,
        kind="address_change",
        id_number=ID,
        values={"address": "北京市朝阳区建国路 1 号", "phone": "139****5678"},
    )
    c = Customer.objects.get(pk=customer.pk)
    assert c.address == "北京市朝阳区建国路 1 号" and c.phone_hash == customer.phone_hash
    assert c.history.filter(address="北京市朝阳区建国路 1 号").exists()
    assert AuditEvent.objects.filter(action="form.submit", data__changed=["address"]).exists()
    services.form_submit(
        actor=world.teller_a,
        outlet=world.outlet_a,
        kind="account_opening",
        id_number=ID,
        values={"phone": "13800001111"},
    )
    c.refresh_from_db()
    assert c.phone_masked == "138****1111"
    filled = selectors.form_prefill(
        fetched_by=world.teller_a, outlet=world.outlet_a, kind="card_application", id_number=ID
    )
    assert filled.values["address"] == "北京市朝阳区建国路 1 号" and filled.values["phone"] == "138****1111"


def test_an_unknown_id_prefills_nothing_but_its_masked_form(world, customer):
    other = "110108199003076637"
    filled = selectors.form_prefill(
        fetched_by=world.teller_a, outlet=world.outlet_a, kind="account_opening", id_number=other
    )
    assert filled.customer is None and filled.values == {"id_number": "110***********6637"}


def test_form_page_fills_masked_and_confirms_without_the_full_number(world, customer, client):
    """P4: the page shows the form pre-filled and masked; the confirmation carries a token, not the ID."""
    client.force_login(world.teller_a)
    html = client.post("/customers/forms/address_change/", {"id_number": ID}).content.decode()
    assert "110***********3015" in html and "139****5678" in html
    assert ID not in html and PHONE not in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        "/customers/forms/address_change/",
        {"confirm": "1", "token": token, "address": "上海市浦东新区", "phone": "139****5678"},
    )
    assert 'data-testid="form-saved"' in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).address == "上海市浦东新区"
    bad = client.post("/customers/forms/address_change/", {"id_number": "110108198506123016"})
    assert bad.status_code == 422 and "110108198506123016" not in bad.content.decode()


def test_kiosk_prefills_the_chosen_business_form_masked_and_keeps_it_by_token(world, customer, client):
    """P4 at the kiosk (Q2 pre-fill): the business's form comes from the same pre-fill service, masked; the
    confirmation carries the token, and the changed address updates the profile with history."""
    from fuwu.floor.tests.factories import bearer, device, floor

    floor(world.outlet_b)
    kiosk = bearer(device(world.outlet_b, "kiosk"))  # the customer's home is outlet A
    services.form_submit(
        actor=SYSTEM,
        outlet=world.outlet_a,
        kind="transfer",
        id_number=ID,
        values={"payee_name": "周敏", "payee_account": ACCOUNT},
    )
    [outlet] = client.get("/api/v1/outlets", **kiosk).json()
    kinds = {s["code"]: s["form_kind"] for s in outlet["services"]}
    assert kinds["XFER"] == "transfer" and kinds["OPEN"] == "account_opening" and kinds["CASH"] == ""
    seen = []
    for kind in ("transfer", "account_opening"):
        response = post(client, f"/api/v1/customers/forms/{kind}/prefill", {"id_number": ID}, **kiosk)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        seen.append(response.content.decode())
    assert all(ID not in body and PHONE not in body and ACCOUNT not in body for body in seen)
    transfer = json.loads(seen[0])
    shown = {f["name"]: (f["value"], f["editable"]) for f in transfer["fields"]}
    assert shown["id_number"] == ("110***********3015", False)
    assert shown["payee_account"] == ("622202*********0123", True) and shown["payee_name"][0] == "周敏"
    opening = json.loads(seen[1])
    kept = post(
        client,
        "/api/v1/customers/forms/account_opening",
        {"token": opening["token"], "phone": "139****5678", "address": "广州市天河区体育西路 3 号"},
        **kiosk,
    )
    assert kept.status_code == 200 and ID not in kept.content.decode()
    c = Customer.objects.get(pk=customer.pk)
    assert c.address == "广州市天河区体育西路 3 号" and c.phone_hash == customer.phone_hash
    assert c.history.filter(address="广州市天河区体育西路 3 号").exists()
    record = FormRecord.objects.filter(kind="account_opening").get()
    assert record.outlet == world.outlet_b and PHONE not in json.dumps(record.data)
    # The token is the only key to the customer: a forged one finds nobody.
    assert (
        post(client, "/api/v1/customers/forms/account_opening", {"token": "forged"}, **kiosk).status_code
        == 404
    )
