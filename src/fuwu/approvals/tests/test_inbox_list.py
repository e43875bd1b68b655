"""The approvals inbox on core.listing (#19): paged and counted in SQL (it stopped at 500), filtered, sorted."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from fuwu.approvals import selectors, views
from fuwu.approvals.services import may_decide
from fuwu.approvals.tests import factories as f
from fuwu.core import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world: Any, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    f.small_loan()
    world.people = f.People(world)
    world.cases = [f.start(world, amount) for amount in ("10000", "20000", "30000")]
    # Two rows a page, so three steps make a second page without writing fifty cases.
    monkeypatch.setattr(views, "INBOX_LIST", dataclasses.replace(views.INBOX_LIST, per_page=2))
    return world


def _page(user: Any, query: str = "") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/approvals/inbox/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_inbox_pages_and_counts(inbox: Any) -> None:
    first = _page(inbox.people.rm)
    assert "共 3 条" in first and first.count('data-testid="inbox-row"') == 2 and 'rel="next"' in first
    second = _page(inbox.people.rm, "?page=2")
    assert second.count('data-testid="inbox-row"') == 1 and 'rel="next"' not in second


def test_the_inbox_is_what_may_decide_allows(inbox: Any) -> None:
    other = inbox.person("rm_b", inbox.outlet_b, roles.RM)
    assert set(selectors.inbox(fetched_by=inbox.people.rm)) == {f.active(c) for c in inbox.cases}
    assert all(may_decide(s, inbox.people.rm) for s in selectors.inbox(fetched_by=inbox.people.rm))
    assert not selectors.inbox(fetched_by=other).exists()


def test_the_inbox_filters_by_text_process_and_sorts_by_amount(inbox: Any) -> None:
    one = inbox.cases[1]
    page = _page(inbox.people.rm, f"?q={one.reference}")
    assert "共 1 条" in page and one.reference in page
    assert "共 3 条" in _page(inbox.people.rm, "?state=LOAN")
    biggest = _page(inbox.people.rm, "?sort=amount")
    assert inbox.cases[2].reference in biggest and inbox.cases[0].reference not in biggest


@pytest.mark.parametrize(
    ("query", "reason"),
    [("?state=NOPE", "请选择列出的状态之一。"), ("?until=2026-02-30", "请按 YYYY-MM-DD 格式输入日期。")],
)
def test_bad_inbox_input_is_a_422_in_chinese(inbox: Any, query: str, reason: str) -> None:
    client = Client()
    client.force_login(inbox.people.rm)
    response = client.get(f"/approvals/inbox/{query}")
    assert response.status_code == 422 and reason in response.content.decode()


def test_the_home_panel_counts_late_steps_in_sql_and_reads_only_the_rows_it_shows(
    world: Any, frozen_clock: Any
) -> None:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fuwu.approvals import home
    from fuwu.approvals.models import CaseStep
    from fuwu.core import clock

    f.small_loan()
    rm = f.People(world).rm
    steps = [f.active(f.start(world, str(10000 + i))) for i in range(10)]
    # Eight are past their limit: more than the panel shows, so the count cannot come from its rows.
    late = [s.pk for s in steps[:8]]
    CaseStep.objects.filter(pk__in=late).update(due_at=clock.now() - dt.timedelta(hours=1))
    on_time = steps[8]
    on_time.case.steps.filter(pk=on_time.pk).update(due_at=clock.now() + dt.timedelta(hours=1))
    with CaptureQueriesContext(connection) as seen:
        [panel] = home.panels(rm)
    counts = {str(c.label): c.value for c in panel.counts}
    assert counts == {"待我审批": 10, "已超环节时限": 8}
    assert len(panel.rows) == home.SHOWN and all(r.urgent for r in panel.rows)
    # One aggregate for both counts, one page of rows; the inbox is never read whole.
    table = CaseStep._meta.db_table
    reads = [q["sql"] for q in seen.captured_queries if f'FROM "{table}"' in q["sql"]]
    assert len(reads) == 2, reads
    assert sum("COUNT(" in sql for sql in reads) == 1
    assert sum(f"LIMIT {home.SHOWN}" in sql for sql in reads) == 1
    # The count follows the clock: an hour on, the ninth is late too (the tenth is due in four hours).
    frozen_clock.advance(dt.timedelta(hours=2))
    [panel] = home.panels(rm)
    assert {str(c.label): c.value for c in panel.counts}["已超环节时限"] == 9
