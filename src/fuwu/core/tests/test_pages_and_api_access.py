"""Every platform page and endpoint through the one scoping function; one error shape for all errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fuwu.core import services
from fuwu.core.models import DeviceToken
from fuwu.core.principals import SYSTEM


@pytest.fixture
def client_for(world: Any) -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_login_page_is_chinese_by_default(client: Client, world: Any) -> None:
    body = client.get("/login/").content.decode()
    assert "登录" in body and "用户名" in body


def test_browser_language_does_not_override_chinese(client: Client, world: Any) -> None:
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in body


def test_english_is_available(client_for: Any, world: Any) -> None:
    client = client_for(world.head_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert "Welcome" in response.content.decode()


def test_home_lists_the_roles_work(client_for: Any, world: Any) -> None:
    body = client_for(world.head_a).get("/").content.decode()
    assert "网点负责人" in body and "设备令牌" in body
    teller_body = client_for(world.teller_a).get("/").content.decode()
    assert "设备令牌" not in teller_body


def test_pages_require_login(client: Client, world: Any) -> None:
    for url in ("/", "/audit/", "/devices/", "/calendar/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_audit_page_is_for_auditors_and_hq(client_for: Any, world: Any) -> None:
    assert client_for(world.auditor).get("/audit/").status_code == 200
    assert client_for(world.teller_a).get("/audit/").status_code == 403


def test_api_requires_auth_with_the_error_shape(client: Client, world: Any) -> None:
    response = client.get("/api/v1/org-units")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_api_org_units_are_scoped(client_for: Any, world: Any) -> None:
    codes = {u["code"] for u in client_for(world.teller_b).get("/api/v1/org-units").json()}
    assert codes == {"OB"}
    all_codes = {u["code"] for u in client_for(world.hq_manager).get("/api/v1/org-units").json()}
    assert {"HO", "OA", "OB", "OX"} <= all_codes


def test_device_token_authenticates_and_revocation_is_immediate(world: Any) -> None:
    _counters(world, "OA-1", "OA-2")
    token, raw = services.device_token_issue(
        actor=SYSTEM, org_unit=world.outlet_a, kind="counter", counter_code="OA-1"
    )
    client = Client()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json() == {
        "kind": "device",
        "name": f"device:counter:{token.prefix}",
        "org_unit_code": "OA",
        "roles": [],
        "device_kind": "counter",
        "counter_code": "OA-1",
    }
    services.device_token_revoke(actor=SYSTEM, token=token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer fw_not-a-token").status_code == 401


def test_outlet_head_issues_and_revokes_device_tokens_over_api(client_for: Any, world: Any) -> None:
    _counters(world, "OA-1", "OA-2")
    client = client_for(world.head_a)
    created = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "pad", "counter_code": "OA-2"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("fw_") and body["outlet_code"] == "OA"
    revoked = client.post(f"/api/v1/devices/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True


def test_outsider_cannot_issue_or_revoke_for_another_outlet(client_for: Any, world: Any) -> None:
    foreign, _ = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_b, kind="kiosk")
    client = client_for(world.head_a)
    issue = client.post(
        "/api/v1/devices", {"outlet_code": "OB", "kind": "kiosk"}, content_type="application/json"
    )
    assert issue.status_code == 404
    revoke = client.post(f"/api/v1/devices/{foreign.pk}/revoke")
    missing = client.post("/api/v1/devices/999999/revoke")
    assert revoke.status_code == missing.status_code == 404
    assert revoke.json() == missing.json()
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_teller_may_not_manage_devices(client_for: Any, world: Any) -> None:
    response = client_for(world.teller_a).post(
        "/api/v1/devices", {"outlet_code": "OA", "kind": "kiosk"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_validation_errors_name_the_field(client_for: Any, world: Any) -> None:
    client = client_for(world.head_a)
    response = client.post(
        "/api/v1/devices", {"outlet_code": "OA", "kind": "counter"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "counter_code", "reason": "required"}]
    schema_error = client.post("/api/v1/devices", {"kind": "kiosk"}, content_type="application/json")
    assert schema_error.status_code == 422
    assert any(d["field"] == "outlet_code" for d in schema_error.json()["error"]["details"])


def test_device_page_issues_a_token_once(client_for: Any, world: Any) -> None:
    client = client_for(world.head_a)
    response = client.post(
        "/devices/issue/", {"outlet_code": "OA", "kind": "kiosk", "name": "大厅取号机"}, follow=True
    )
    body = response.content.decode()
    raw = re.search(r'data-testid="new-token">.*?<code>(fw_[^<]+)</code>', body, re.S).group(1)
    assert len(raw) > 20
    again = client.get("/devices/").content.decode()
    assert raw not in again  # shown once; the listing has only the prefix


def test_a_failed_device_form_keeps_what_was_typed_and_names_the_field(client_for: Any, world: Any) -> None:
    response = client_for(world.head_a).post(
        "/devices/issue/", {"outlet_code": "OA", "kind": "counter", "name": "三号窗口终端"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="三号窗口终端"' in body  # the name typed is still in the form
    assert "窗口终端或评价器必须绑定到一个窗口" in body  # the field's error, in Chinese
    assert 'data-testid="form-error"' in body


def test_html_not_found_page_for_foreign_device(client_for: Any, world: Any) -> None:
    foreign, _ = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_b, kind="kiosk")
    response = client_for(world.head_a).post(f"/devices/{foreign.pk}/revoke/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_openapi_schema_and_offline_docs(client_for: Any, world: Any) -> None:
    client = client_for(world.hq_manager)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/devices" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_throttled_answer_never_says_retry_after_zero(rf: Any) -> None:
    """Ninja's throttle reports a fractional wait; a 0.4 s wait must not become `Retry-After: 0`."""
    from typing import cast

    from ninja.errors import Throttled

    from fuwu.api import _throttled

    response = _throttled(rf.post("/api/v1/anything"), Throttled(cast(Any, 0.4)))
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert _throttled(rf.post("/api/v1/anything"), Throttled(cast(Any, 59.2)))["Retry-After"] == "60"


def test_a_partial_render_does_not_build_the_menu(
    rf: Any, world: Any, django_assert_num_queries: Any
) -> None:
    """htmx partials never show the menu; rendering one for staff must not query roles for it."""
    from django.template import engines

    from fuwu.core.models import User

    request = rf.get("/floor/positions/", HTTP_HX_REQUEST="true")
    request.user = User.objects.get(pk=world.head_a.pk)
    template = engines["django"].from_string("<p>{{ request.path }}</p>")
    with django_assert_num_queries(0):
        assert template.render({}, request) == "<p>/floor/positions/</p>"


def test_a_cross_site_post_with_only_the_session_cookie_is_refused(world: Any) -> None:
    """#18: a text/plain form POST from another site carries the cookie but no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.head_a)
    response = client.post(
        "/api/v1/devices",
        '{"outlet_code": "OA", "kind": "kiosk"}',
        content_type="text/plain",
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not DeviceToken.objects.exists()


def test_a_session_post_with_the_page_token_passes_the_csrf_check(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.head_a)
    client.get("/devices/")  # the page sets the csrftoken cookie and carries the token
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/devices",
        {"outlet_code": "OA", "kind": "kiosk"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def _counters(world: Any, *codes: str) -> None:
    """Counters for device tokens to bind to (tokens are refused for a counter that does not exist)."""
    from fuwu.floor.models import Counter

    for code in codes:
        outlet = world.outlet_a if code.startswith("OA") else world.outlet_b
        number = int(code.rsplit("-", 1)[1])
        Counter.objects.get_or_create(
            code=code, defaults={"outlet": outlet, "number": number, "kind": "cash"}
        )


def test_the_login_page_has_a_language_switch_and_a_favicon(db: Any) -> None:
    page = Client().get("/login/").content.decode()
    assert 'data-testid="language-switch"' in page and "English" in page
    assert "favicon.svg" in page
    english = Client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "中文" in english.get("/login/").content.decode()


def test_an_error_page_is_headed_by_its_kind_of_refusal(client_for: Any, world: Any) -> None:
    """The heading is the error's own title (DomainError.title), in Chinese; the template tests no status."""
    missing = client_for(world.hq_manager).get("/complaints/999999/")
    assert missing.status_code == 404 and "未找到" in missing.content.decode()
    refused = client_for(world.teller_a).get("/audit/")
    assert refused.status_code == 403 and "无权操作" in refused.content.decode()
