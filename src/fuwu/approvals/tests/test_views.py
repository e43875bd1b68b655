"""Approval pages and the API over HTTP."""

from __future__ import annotations

from typing import Any

from fuwu.approvals.models import Case
from fuwu.approvals.tests import factories as f
from fuwu.conftest import PASSWORD
from fuwu.core import services as core_services
from fuwu.core.principals import SYSTEM


def test_new_case_form_keeps_input_on_error(world: Any, frozen_clock: Any, client: Any) -> None:
    f.small_loan()
    client.login(username="teller_a", password=PASSWORD)
    bad = client.post(
        "/approvals/new/", {"process_code": "LOAN", "outlet_code": "OA", "title": "商户贷", "amount": "十万"}
    )
    assert bad.status_code == 422 and "商户贷" in bad.content.decode() and "请输入" in bad.content.decode()
    ok = client.post(
        "/approvals/new/",
        {"process_code": "LOAN", "outlet_code": "OA", "title": "商户贷", "amount": "100000"},
    )
    case = Case.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/approvals/{case.pk}/"


def test_return_needs_a_comment_and_the_buttons_follow_the_declared_actions(
    world: Any, frozen_clock: Any, client: Any
) -> None:
    f.small_loan()
    f.People(world)
    case = f.start(world, "50000")
    step = f.active(case)
    client.login(username="teller_a", password=PASSWORD)
    assert 'data-testid="approve"' not in client.get(f"/approvals/{case.pk}/").content.decode()
    client.login(username="rm_a", password=PASSWORD)
    page = client.get(f"/approvals/{case.pk}/").content.decode()
    assert 'data-testid="approve"' in page and "等待客户补件" in page
    bad = client.post(f"/approvals/steps/{step.pk}/return/", {"comment": ""})
    assert bad.status_code == 422
    assert client.post(f"/approvals/steps/{step.pk}/return/", {"comment": "缺营业执照"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "returned"
    assert client.post(f"/approvals/steps/{step.pk}/approve/", {}).status_code == 409
    assert "缺营业执照" in client.get(f"/approvals/{case.pk}/").content.decode()


def test_business_system_starts_a_case_by_api_once(world: Any, frozen_clock: Any, client: Any) -> None:
    f.small_loan()
    _token, raw = core_services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="importer")
    body = {
        "process_code": "LOAN",
        "outlet_code": "OA",
        "title": "线上经营贷",
        "amount": "80000",
        "external_ref": "LOS-2026-0001",
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    first = client.post("/api/v1/approvals/cases", body, content_type="application/json", **auth)
    again = client.post("/api/v1/approvals/cases", body, content_type="application/json", **auth)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1
    other = client.post(
        "/api/v1/approvals/cases",
        {**body, "outlet_code": "OB", "external_ref": "x"},
        content_type="application/json",
        **auth,
    )
    assert other.status_code == 404
    got = client.get(f"/api/v1/approvals/cases/{first.json()['id']}", **auth)
    assert got.json()["status"] == "running"


def test_head_reassigns_a_step_and_an_rm_delegates_during_leave(
    world: Any, frozen_clock: Any, client: Any
) -> None:
    from fuwu.approvals.models import Delegation
    from fuwu.core import roles

    f.small_loan()
    people = f.People(world)
    other = world.person("rm_a2", world.outlet_a, roles.RM)
    case = f.start(world, "50000")
    step = f.active(case)
    client.login(username="head_a", password=PASSWORD)
    page = client.get(f"/approvals/{case.pk}/").content.decode()
    assert "改派给" in page and "rm_a2" in page
    assert (
        client.post(f"/approvals/steps/{step.pk}/reassign/", {"assignee_id": world.teller_a.pk}).status_code
        == 422
    )
    client.post(f"/approvals/steps/{step.pk}/reassign/", {"assignee_id": other.pk})
    step.refresh_from_db()
    assert step.assignee == other
    client.login(username="rm_a2", password=PASSWORD)
    bad = client.post(
        "/approvals/delegate/",
        {"delegate_id": people.rm.pk, "starts_on": "2026-03-06", "ends_on": "2026-03-02"},
    )
    assert bad.status_code == 422 and "2026-03-06" in bad.content.decode()
    client.post(
        "/approvals/delegate/",
        {"delegate_id": people.rm.pk, "starts_on": "2026-03-02", "ends_on": "2026-03-06"},
    )
    assert Delegation.objects.get().delegate == people.rm
    client.login(username="rm_a", password=PASSWORD)
    assert case.reference in client.get("/approvals/inbox/").content.decode()
