"""F5/F3 state machines: every change through the declaration, buttons from allowed actions, faults to the ledger."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from fuwu.core import defects
from fuwu.core.errors import Conflict
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.core.transitions import allowed_names
from fuwu.feedback import services
from fuwu.feedback.models import FollowUp
from fuwu.feedback.tests import factories as f
from fuwu.feedback.tests.test_follow_ups import dissatisfied

pytestmark = pytest.mark.django_db


@pytest.fixture
def follow_up(world, frozen_clock) -> FollowUp:
    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    evaluation = dissatisfied(world, counter, world.teller_a)
    return FollowUp.objects.get(evaluation=evaluation)


@pytest.fixture
def ledger(monkeypatch) -> list[Any]:
    """A stand-in rectification ledger: the inspections app's ledger.py is built on another branch."""
    received: list[Any] = []

    def receive(*, actor: Any, defect: defects.Defect) -> object:
        received.append((actor, defect))
        return defect

    monkeypatch.setattr(defects, "_ledgers", lambda: [SimpleNamespace(receive=receive)])
    return received


def test_allowed_actions_follow_the_state_and_the_role(world, follow_up):
    assert allowed_names(follow_up, world.head_a) == {"start", "close"}
    assert allowed_names(follow_up, world.teller_a) == frozenset()  # no right to work follow-ups
    services.follow_up_start(actor=world.head_a, follow_up=follow_up)
    assert allowed_names(follow_up, world.head_a) == {"close"}
    services.follow_up_close(actor=world.head_a, follow_up=follow_up, outcome="resolved", note="已电话致歉")
    assert allowed_names(follow_up, world.head_a) == frozenset()


def test_refused_step_is_409_with_the_current_state_and_leaves_no_trace(client, world, follow_up):
    services.follow_up_close(actor=world.head_a, follow_up=follow_up, outcome="explained", note="已解释清楚")
    client.force_login(world.head_a)
    response = client.post(f"/api/v1/feedback/follow-ups/{follow_up.pk}/start")
    assert response.status_code == 409
    assert response.json()["error"]["details"]["status"] == "closed"
    assert "已关闭" in response.json()["error"]["message"]
    assert AuditEvent.objects.filter(action="follow_up.start").count() == 0
    assert AuditEvent.objects.filter(action="follow_up.close").count() == 1


def test_page_offers_only_the_allowed_buttons(client, world, follow_up):
    client.force_login(world.head_a)
    html = client.get(f"/feedback/follow-ups/{follow_up.pk}/").content.decode()
    assert 'data-testid="start-form"' in html and 'data-testid="close-form"' in html
    client.post(f"/feedback/follow-ups/{follow_up.pk}/", {"action": "start"})
    html = client.get(f"/feedback/follow-ups/{follow_up.pk}/").content.decode()
    assert 'data-testid="start-form"' not in html and 'data-testid="close-form"' in html
    auditor = client.get(f"/feedback/follow-ups/{follow_up.pk}/")
    client.force_login(world.auditor)
    html = client.get(f"/feedback/follow-ups/{follow_up.pk}/").content.decode()
    assert auditor.status_code == 200 and 'data-testid="close-form"' not in html  # reads, may not close


def test_failed_close_keeps_the_note_and_says_why_in_chinese(client, world, follow_up):
    client.force_login(world.head_a)
    response = client.post(
        f"/feedback/follow-ups/{follow_up.pk}/", {"action": "close", "outcome": "resolved", "note": "打"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "请说明所做的处理" in html and ">打</textarea>" in html
    follow_up.refresh_from_db()
    assert follow_up.closed_at is None


def test_api_lists_allowed_actions_for_screens(client, world, follow_up):
    client.force_login(world.head_a)
    (row,) = client.get("/api/v1/feedback/follow-ups").json()
    assert [a["name"] for a in row["actions"]] == ["start", "close"]
    assert row["actions"][0]["label"] == "开始处理"


def test_fault_found_goes_to_the_rectification_ledger_in_the_closing_step(client, world, follow_up, ledger):
    client.force_login(world.head_a)
    response = client.post(
        f"/api/v1/feedback/follow-ups/{follow_up.pk}/close",
        json.dumps(
            {"outcome": "fault_found", "note": "柜员未按规定告知手续费，已辅导，客户电话 13912345678"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    ((actor, defect),) = ledger
    assert actor == world.head_a
    assert defect.source_kind == defects.SourceKind.EVALUATION and defect.source_id == str(follow_up.pk)
    assert defect.unit == world.outlet_a and defect.staff == world.teller_a
    assert defect.reason_code == "服务态度"
    assert "13912345678" not in defect.description  # masked before it leaves feedback


def test_a_ledger_failure_leaves_the_follow_up_open(world, follow_up, monkeypatch):
    def refuse(*, actor: Any, defect: defects.Defect) -> object:
        raise Conflict("ledger refused")

    monkeypatch.setattr(defects, "_ledgers", lambda: [SimpleNamespace(receive=refuse)])
    with pytest.raises(Conflict):
        services.follow_up_close(
            actor=world.head_a, follow_up=follow_up, outcome="fault_found", note="柜员有过错"
        )
    follow_up.refresh_from_db()
    assert follow_up.closed_at is None and follow_up.status == "open"


def test_other_outcomes_report_nothing(world, follow_up, ledger):
    services.follow_up_close(actor=world.head_a, follow_up=follow_up, outcome="resolved", note="客户已满意")
    assert ledger == []


def test_feedback_reply_is_a_declared_step_and_the_page_hides_the_form_after(client, world, frozen_clock):
    item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="网点环境很好，服务周到", client="9"
    )
    client.force_login(world.head_a)
    assert 'data-testid="reply-form"' in client.get(f"/feedback/inbox/{item.pk}/").content.decode()
    short = client.post(f"/feedback/inbox/{item.pk}/", {"reply": "谢"})
    assert short.status_code == 422 and "请至少填写 5 个字" in short.content.decode()
    assert client.post(f"/feedback/inbox/{item.pk}/", {"reply": "谢谢您的肯定！"}).status_code == 302
    html = client.get(f"/feedback/inbox/{item.pk}/").content.decode()
    assert 'data-testid="reply-form"' not in html and "谢谢您的肯定" in html
    assert AuditEvent.objects.filter(action="feedback.reply", target_id=str(item.pk)).count() == 1
