"""The language findings on core.listing (#19): paged and counted (the page showed the newest 100), filtered."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from fuwu.core.principals import system
from fuwu.knowledge import services, views
from fuwu.knowledge.models import LanguageFinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(world: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    world.lobby = world.person("lobby_a", world.outlet_a, "lobby")
    for said in ("这个不归我管，你去柜台问", "不知道，自己看", "这个不归我管"):
        thread = services.conversation_ask(
            actor=system("assistant"), question="转人工", outlet_code="OA"
        ).conversation
        services.conversation_reply(actor=world.lobby, conversation=thread, text=said)
    monkeypatch.setattr(views, "FINDING_LIST", dataclasses.replace(views.FINDING_LIST, per_page=2))
    return world


def _get(user: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/knowledge/language/{query}")


def test_the_findings_page_and_count(findings: Any) -> None:
    total = LanguageFinding.objects.count()  # a reply may hold more than one forbidden phrase
    assert 3 <= total <= 4
    first = _get(findings.head_a).content.decode()
    assert f"共 {total} 条" in first and first.count("<td>中关村支行</td>") == 2 and 'rel="next"' in first
    second = _get(findings.head_a, "?page=2").content.decode()
    assert f"共 {total} 条" in second and 'rel="next"' not in second and 'rel="prev"' in second


def test_the_findings_filter_by_text_source_and_mine(findings: Any) -> None:
    said = LanguageFinding.objects.filter(excerpt__contains="自己看").count()
    assert said >= 1 and f"共 {said} 条" in _get(findings.head_a, "?q=自己看").content.decode()
    total = LanguageFinding.objects.count()
    assert f"共 {total} 条" in _get(findings.head_a, "?state=chat").content.decode()
    assert "共 0 条" in _get(findings.head_a, "?state=call").content.decode()
    assert "共 0 条" in _get(findings.head_a, "?mine=1").content.decode()  # said by the lobby manager


@pytest.mark.parametrize(
    ("query", "reason"),
    [("?state=fax", "请选择列出的状态之一。"), ("?since=2026-02-31", "请按 YYYY-MM-DD 格式输入日期。")],
)
def test_bad_findings_input_is_a_422_in_chinese(findings: Any, query: str, reason: str) -> None:
    response = _get(findings.head_a, query)
    assert response.status_code == 422 and reason in response.content.decode()
