"""The audit trail an auditor can use: filters, paging, export, links and before/after (#19)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from fuwu.core import services
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM, system


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(body: str) -> int:
    return body.split('data-testid="audit-rows"')[1].split("</table>")[0].count('href="/audit/')


def test_system_sweeps_are_off_by_default_and_can_be_shown(world: Any) -> None:
    from fuwu.core import audit

    for _ in range(3):
        audit.record(actor=system("sweep"), action="test.sweep_step", org_unit=world.outlet_a)
    services.device_token_issue(actor=world.head_a, org_unit=world.outlet_a, kind="kiosk")
    client = _client(world.auditor)
    default = client.get("/audit/").content.decode()
    assert "test.sweep_step" not in default and "发放设备令牌" in default
    with_system = client.get("/audit/?system=1").content.decode()
    assert with_system.count("test.sweep_step") == 3


def test_filters_by_person_unit_object_and_date(world: Any) -> None:
    token, _raw = services.device_token_issue(actor=world.head_a, org_unit=world.outlet_a, kind="kiosk")
    head_b = world.person("head_b", world.outlet_b, "outlet_head")
    services.device_token_issue(actor=head_b, org_unit=world.outlet_b, kind="kiosk")
    client = _client(world.auditor)
    by_person = client.get("/audit/?person=head_b&action=device_token").content.decode()
    assert _rows(by_person) == 1 and "五道口支行" in by_person
    by_unit = client.get("/audit/?unit=OA&action=device_token").content.decode()
    assert _rows(by_unit) == 1 and "中关村支行" in by_unit
    by_object = client.get(f"/audit/?object_type=core.devicetoken&object_id={token.pk}").content.decode()
    assert _rows(by_object) == 1
    future = client.get("/audit/?start=2099-01-01").content.decode()
    assert _rows(future) == 0
    bad = client.get("/audit/?start=not-a-date")
    assert bad.status_code == 200 and "请按 YYYY-MM-DD 格式输入日期" in bad.content.decode()


def test_the_trail_is_paged_and_counted(world: Any) -> None:
    from fuwu.core import audit

    for i in range(120):
        audit.record(actor=world.head_a, action="test.event", org_unit=world.outlet_a, data={"i": i})
    client = _client(world.auditor)
    first = client.get("/audit/?action=test.").content.decode()
    assert _rows(first) == 50 and "120" in first and 'rel="next"' in first
    last = client.get("/audit/?action=test.&page=3").content.decode()
    assert _rows(last) == 20 and 'rel="next"' not in last


def test_exports_open_as_real_files_and_are_audited(world: Any) -> None:
    services.device_token_issue(
        actor=world.head_a, org_unit=world.outlet_a, kind="kiosk", name="=HYPERLINK()"
    )
    client = _client(world.auditor)
    response = client.get("/audit/export.csv?action=device_token")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][2] == "动作" and len(rows) == 2 and rows[1][2] == "device_token.issue"
    book = load_workbook(io.BytesIO(client.get("/audit/export.xlsx?action=device_token").content))
    sheet = book.active
    assert sheet.max_row == 2 and sheet.freeze_panes == "A2"
    exports = AuditEvent.objects.filter(action="audit.export", actor=world.auditor)
    assert exports.count() == 2 and {e.data["format"] for e in exports} == {"csv", "xlsx"}


def test_an_event_shows_what_changed_before_and_after(world: Any) -> None:
    token, _raw = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk")
    services.device_token_revoke(actor=world.head_a, token=token)
    event = AuditEvent.objects.get(action="device_token.revoke")
    body = _client(world.auditor).get(f"/audit/{event.pk}/").content.decode()
    changes = body.split('data-testid="audit-changes"')[1]
    assert "revoked_at" in changes and "—" in changes  # before: empty; after: the time


def test_only_auditors_and_head_office_read_the_trail(world: Any) -> None:
    assert _client(world.teller_a).get("/audit/").status_code == 403
    assert _client(world.head_a).get("/audit/export.csv").status_code == 403
    assert _client(world.hq_manager).get("/audit/").status_code == 200


def test_rows_name_actions_and_objects_in_words_not_codes(world: Any) -> None:
    from django.utils import translation

    from fuwu.core.links import action_label

    token, _raw = services.device_token_issue(actor=world.head_a, org_unit=world.outlet_a, kind="kiosk")
    body = _client(world.auditor).get("/audit/").content.decode()
    rows = body.split('data-testid="audit-rows"')[1]
    assert f"设备令牌 #{token.pk}" in rows and "core.devicetoken" not in rows
    with translation.override("zh-hans"):
        # A state change is named by its declared transition; a code nobody names stays as it is.
        assert action_label("complaint.assign").startswith("投诉 · ") and "complaint" not in action_label(
            "complaint.assign"
        )
        assert action_label("complaint.register") == "登记投诉"
        assert action_label("nobody.knows") == "nobody.knows"


def test_csv_and_excel_exports_are_never_cached(world: Any) -> None:
    """#18: downloads with personal or performance data carry `Cache-Control: no-store`."""
    client = _client(world.auditor)
    for url in ("/audit/export.csv", "/audit/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url
