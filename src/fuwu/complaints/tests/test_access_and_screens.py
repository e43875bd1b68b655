"""Who reads a case (need-to-know), the full phone number (pii_reveal), buttons from the declared transitions,
and upheld decisions handed to the rectification ledger (core.defects)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fuwu.complaints import selectors, services
from fuwu.complaints.states import COMPLAINT
from fuwu.complaints.tests import factories as f
from fuwu.core import defects
from fuwu.core.errors import NotFound
from fuwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def test_the_staff_member_complained_about_never_reads_the_case(ctx: Any, client: Client) -> None:
    about_head = f.complaint(ctx, staff=ctx.head_a)
    mine = f.complaint(ctx)  # registered by teller_a
    other = f.complaint(ctx, actor=ctx.hq_manager)
    assert set(selectors.complaints(fetched_by=ctx.head_a)) == {mine, other}
    with pytest.raises(NotFound):
        selectors.complaint(fetched_by=ctx.head_a, pk=about_head.pk)
    # Intake staff see what they registered, not every case of their outlet.
    assert set(selectors.complaints(fetched_by=ctx.teller_a)) == {about_head, mine}
    assert set(selectors.complaints(fetched_by=ctx.handler)) == {about_head, mine, other}
    client.force_login(ctx.head_a)
    assert client.get(f"/complaints/{about_head.pk}/").status_code == 404
    assert client.get(f"/api/v1/complaints/{about_head.pk}").status_code == 404


def test_the_full_phone_is_shown_to_handlers_and_auditors_audited_and_refused_to_a_teller(
    ctx: Any, client: Client
) -> None:
    c = f.complaint(ctx)  # phone 13812345678, registered by teller_a
    client.force_login(ctx.teller_a)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert "138****5678" in page and 'data-testid="reveal-phone"' not in page
    assert client.post(f"/api/v1/complaints/{c.pk}/reveal-phone").status_code == 403
    assert client.post(f"/complaints/{c.pk}/reveal-phone/").status_code == 403

    client.force_login(ctx.handler)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    assert 'data-testid="reveal-phone"' in page and "显示完整号码" in page
    r = client.post(f"/api/v1/complaints/{c.pk}/reveal-phone")
    assert r.status_code == 200 and r.json() == {"phone": "13812345678"}
    r = client.post(f"/complaints/{c.pk}/reveal-phone/")
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    client.force_login(ctx.auditor)
    assert client.post(f"/api/v1/complaints/{c.pk}/reveal-phone").json() == {"phone": "13812345678"}

    rows = AuditEvent.objects.filter(action="pii.reveal", target_id=str(c.pk))
    assert [(row.actor, row.data) for row in rows.order_by("id")] == [
        (ctx.handler, {"field": "phone"}),
        (ctx.handler, {"field": "phone"}),
        (ctx.auditor, {"field": "phone"}),
    ]
    assert all(row.org_unit == ctx.outlet_a for row in rows)


def test_no_template_or_script_compares_status_strings() -> None:
    literal = re.compile(
        r"""\.(status|state)\s*(==|!=|in)\s*["'(]|===?\s*["'](registered|in_progress|decided)"""
    )
    offenders = [
        f"{path.name}:{n}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []


def test_buttons_follow_the_declared_actions(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx)
    client.force_login(ctx.head_a)
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    # Every state change offered; adding a document (/documents/) is no state change.
    offered = {name for name in re.findall(r"/complaints/\d+/([a-z_]+)/\"", page)} - {"documents"}
    assert offered == {a.name for a in COMPLAINT.allowed(c, ctx.head_a)} - {"merge"}
    assert "decide" not in offered and "assign" in offered and "remediation_create" not in offered
    api = client.get(f"/api/v1/complaints/{c.pk}").json()
    assert {a["name"] for a in api["actions"]} == {a.name for a in COMPLAINT.allowed(c, ctx.head_a)}
    client.force_login(ctx.teller_a)  # reads the case, may do nothing to a registered one
    assert "/assign/" not in client.get(f"/complaints/{c.pk}/").content.decode()


def test_remediation_over_the_api_is_refused_before_a_decision(ctx: Any, client: Client) -> None:
    c = f.complaint(ctx)
    services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
    client.force_login(ctx.handler)
    body = {"action": "增开窗口", "owner_username": ctx.head_a.username, "due_date": "2026-03-20"}
    r = client.post(
        f"/api/v1/complaints/{c.pk}/remediations", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["error"]["details"]["status"] == "in_progress"
    c.refresh_from_db()
    assert c.remediations_opened == 0


def test_an_upheld_complaint_opens_a_task_in_the_real_rectification_ledger(ctx: Any) -> None:
    """S3: the complaint's root cause lands in the one ledger beside inspection findings."""
    from fuwu.inspections.models import RectificationTask

    c = f.complaint(ctx, staff=ctx.teller_a)
    services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="高峰期窗口不足")
    services.complaint_decide(
        actor=ctx.handler, complaint=c, facts="属实", basis="规范", remedy="致歉", upheld=True
    )
    task = RectificationTask.objects.get(source_kind="complaint", source_id=str(c.pk))
    assert task.unit == c.outlet and c.reference in task.label


def test_the_complaint_page_shows_its_ledger_tasks_and_offers_remediation_after_the_decision(
    ctx: Any, client: Client
) -> None:
    """#14: the case shows its tasks from the one ledger (linked, with state and owner), not a table of its own."""
    c = f.complaint(ctx)
    services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
    client.force_login(ctx.handler)
    before = client.get(f"/complaints/{c.pk}/").content.decode()
    assert 'data-testid="ledger-tasks"' not in before and "/remediation_create/" not in before
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="高峰期窗口不足")
    services.complaint_decide(
        actor=ctx.handler, complaint=c, facts="属实", basis="规范", remedy="致歉", upheld=True
    )
    r = client.post(
        f"/complaints/{c.pk}/remediation_create/",
        {"action": "增开弹性窗口", "owner_username": ctx.head_a.username, "due_date": "2026-03-20"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    page = client.get(f"/complaints/{c.pk}/").content.decode()
    from fuwu.inspections.models import RectificationTask

    tasks = RectificationTask.objects.filter(source_kind="complaint").order_by("pk")
    assert [t.source_id for t in tasks] == [str(c.pk), f"{c.pk}/1"]
    for t in tasks:
        assert f'href="/inspections/ledger/{t.pk}/"' in page
    card = page.split('data-testid="ledger-tasks"')[1].split("</div>")[0]
    assert "整改台账" in card and "增开弹性窗口" in card and "待处理 · 陈主任 · 期限 2026-03-20" in card


class _Ledger:
    """Stands in for the ledger to see what is handed over and inside which transaction."""

    def __init__(self) -> None:
        self.received: list[tuple[defects.Defect, bool]] = []

    def receive(self, *, actor: Any, defect: defects.Defect) -> object:
        self.received.append((defect, connection.in_atomic_block))
        return "task"

    def tasks_for(self, **kw: Any) -> list[Any]:
        return []


def test_an_upheld_decision_is_reported_to_the_rectification_ledger_in_its_transaction(
    ctx: Any, monkeypatch: Any
) -> None:
    ledger = _Ledger()
    monkeypatch.setattr(defects, "_ledgers", lambda: [ledger])
    upheld = f.complaint(ctx, staff=ctx.teller_a)
    rejected = f.complaint(ctx)
    for c, is_upheld in ((upheld, True), (rejected, False)):
        services.complaint_assign(actor=ctx.head_a, complaint=c, handler=ctx.handler)
        services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="高峰期窗口不足")
        services.complaint_decide(
            actor=ctx.handler, complaint=c, facts="属实", basis="规范", remedy="致歉", upheld=is_upheld
        )
    [(defect, in_transaction)] = ledger.received
    assert in_transaction
    assert (defect.source_kind, defect.source_id, defect.label) == (
        "complaint",
        str(upheld.pk),
        upheld.reference,
    )
    assert (defect.unit, defect.staff, defect.reason_code) == (ctx.outlet_a, ctx.teller_a, "01")
    assert "高峰期窗口不足" in defect.description and defect.url == f"/complaints/{upheld.pk}/"


def _defect(ctx: Any) -> defects.Defect:
    return defects.Defect(
        source_kind=defects.SourceKind.COMPLAINT, source_id="0", label="x", unit=ctx.outlet_a, description="x"
    )
