"""The complaint handler opens on their cases: nearest deadline first, counts per state, mine; the list pages (#19)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fuwu.complaints.tests.factories import complaint, handler
from fuwu.core.worklists import panels_for


def test_the_handlers_home_lists_open_cases_by_nearest_deadline(world: Any) -> None:
    me = handler(world)
    first = complaint(world)
    second = complaint(world)
    panel = next(p for p in panels_for(me) if p.total is not None)
    assert panel.total == 2
    assert [r.url for r in panel.rows] == [
        f"/complaints/{c.pk}/" for c in sorted((first, second), key=lambda c: c.due_at)
    ]
    assert any(str(c.label) == "我的" for c in panel.counts)
    client = Client()
    client.force_login(me)
    page = client.get("/").content.decode()
    assert 'data-testid="worklist"' in page and first.reference in page


def test_a_teller_gets_no_complaint_worklist(world: Any) -> None:
    complaint(world)
    assert all(p.total is None for p in panels_for(world.teller_a))


def test_the_case_list_is_paged_and_counted(world: Any) -> None:
    me = handler(world)
    for _ in range(55):
        complaint(world)
    client = Client()
    client.force_login(me)
    first = client.get("/complaints/").content.decode()
    assert "共 55 条" in first and 'rel="next"' in first
    second = client.get("/complaints/?page=2").content.decode()
    assert second.count('href="/complaints/') >= 5 and 'rel="next"' not in second
