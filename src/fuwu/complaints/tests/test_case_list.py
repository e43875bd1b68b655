"""The case list on core.listing (#19): paged and counted per state, filtered, sorted; page and API share the
query; the stored open flag follows the state machine; a handled case's clock says stopped; alerts fold away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.complaints import deadlines, services
from fuwu.complaints.models import Complaint
from fuwu.complaints.tests import factories as f
from fuwu.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(world: Any, frozen_clock: Any, seeded_calendar: Any) -> Any:
    world.handler = f.handler(world)
    return world


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _replied(ctx: Any, **kw: Any) -> Complaint:
    c = services.complaint_assign(actor=ctx.head_a, complaint=f.complaint(ctx, **kw), handler=ctx.handler)
    services.complaint_investigate(actor=ctx.handler, complaint=c, root_cause="高峰期人手不足")
    services.complaint_decide(
        actor=ctx.handler,
        complaint=c,
        facts="属实",
        basis="《柜面服务规范》第5条",
        remedy="致歉",
        upheld=True,
    )
    services.complaint_reply(actor=ctx.handler, complaint=c, method="phone", text="已向您致歉")
    return c


def _closed(ctx: Any) -> Complaint:
    c = _replied(ctx)
    services.complaint_revisit(actor=ctx.handler, complaint=c, satisfaction="satisfied")
    return c


def test_the_open_flag_follows_every_move_of_the_state(ctx: Any) -> None:
    c = f.complaint(ctx)
    assert c.is_open
    c = _replied(ctx)
    c.refresh_from_db()
    assert (c.status, c.is_open) == ("replied", False)
    services.complaint_revisit(
        actor=ctx.handler, complaint=c, satisfaction="dissatisfied", note="不认可", reopen=True
    )
    c.refresh_from_db()
    assert (c.status, c.is_open) == ("in_progress", True)
    withdrawn = f.complaint(ctx)
    services.complaint_withdraw(actor=ctx.handler, complaint=withdrawn, reason="客户撤诉")
    withdrawn.refresh_from_db()
    assert not withdrawn.is_open
    # A resubmission within the period is born merged: closed from the start.
    merged = f.complaint(ctx, resubmission_of=f.complaint(ctx))
    assert (merged.status, merged.is_open) == ("merged", False)
    assert set(Complaint.objects.filter(is_open=True)) == {
        x
        for x in Complaint.objects.all()
        if x.status in ("registered", "in_progress", "decided", "under_review")
    }


def test_the_list_is_paged_counted_per_state_and_most_urgent_first(ctx: Any) -> None:
    normals = [f.complaint(ctx) for _ in range(52)]
    major = f.complaint(ctx, severity="major")
    closed = _closed(ctx)
    client = _client(ctx.handler)
    first = client.get("/complaints/").content.decode()
    assert "共 54 条" in first and "第 1 页，共 2 页" in first
    assert 'data-testid="state-counts"' in first and "已登记 <strong>53</strong>" in first
    assert "已办结 <strong>1</strong>" in first
    # Most urgent first: the fast-tracked major case leads, the closed one is last; on a tie, the newest first.
    table = first[first.index('data-testid="complaint-list"') :]
    assert table.index(major.reference) < table.index(normals[-1].reference)
    assert closed.reference not in first and normals[0].reference not in first
    second = client.get("/complaints/?page=2").content.decode()
    assert closed.reference in second and normals[0].reference in second
    assert 'rel="next"' not in second and "共 54 条" in second


def test_filters_state_unit_period_mine_text_overdue_and_sort(ctx: Any) -> None:
    other = f.complaint(
        ctx, actor=ctx.teller_b, outlet=ctx.outlet_b, content="ATM吞卡后三天未处理，客户多次来电催问。"
    )
    mine = services.complaint_assign(actor=ctx.head_a, complaint=f.complaint(ctx), handler=ctx.handler)
    clock.advance(dt.timedelta(days=20))
    late = f.complaint(ctx)
    client = _client(ctx.handler)

    def refs(query: str) -> set[str]:
        body = client.get(f"/api/v1/complaints{query}").json()
        return {row["reference"] for row in body["results"]}

    assert refs("?unit=OB") == {other.reference}
    assert refs("?q=吞卡") == {other.reference}
    assert refs("?mine=1") == {mine.reference}
    assert refs("?state=in_progress") == {mine.reference}
    today = clock.today().isoformat()
    assert refs(f"?since={today}&until={today}") == {late.reference}
    assert refs("?overdue=1") == {other.reference, mine.reference}
    rows = client.get("/api/v1/complaints?sort=new").json()["results"]
    assert rows[0]["reference"] == late.reference
    page = client.get("/complaints/?unit=OB&overdue=1").content.decode()
    assert other.reference in page and mine.reference not in page and "共 1 条" in page


def test_the_page_and_the_api_answer_the_same_query(ctx: Any) -> None:
    for _ in range(3):
        f.complaint(ctx)
    _closed(ctx)
    client = _client(ctx.handler)
    body = client.get("/api/v1/complaints?state=registered").json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    counts = {c["state"]: c["count"] for c in body["counts"]}
    assert counts["registered"] == 3 and counts["closed"] == 1
    page = client.get("/complaints/?state=registered").content.decode()
    assert "共 3 条" in page and all(row["reference"] in page for row in body["results"])


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("since=2026-13-01", "since", "请按 YYYY-MM-DD 格式输入日期。"),
        ("state=lost", "state", "请选择列出的状态之一。"),
        ("sort=sideways", "sort", "请从给出的选项中选择。"),
        ("page=0", "page", "请输入不小于 1 的值。"),
    ],
)
def test_bad_list_input_is_a_422_in_chinese_on_the_page_and_in_the_api(
    ctx: Any, query: str, field: str, reason: str
) -> None:
    client = _client(ctx.handler)
    page = client.get(f"/complaints/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 422 and reason in page.content.decode()
    api = client.get(f"/api/v1/complaints?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 422
    detail = api.json()["error"]["details"][0]
    assert (detail["field"], detail["reason"]) == (field, reason)


def test_a_handled_case_says_stopped_not_running_and_stops_counting(ctx: Any) -> None:
    c = _closed(ctx)
    handled = deadlines.clock_state(c)
    clock.advance(dt.timedelta(days=40))
    later = deadlines.clock_state(c)
    assert later.state == "stopped" and later.used_days == handled.used_days
    page = _client(ctx.handler).get(f"/complaints/{c.pk}/").content.decode()
    assert "计时中" not in page and "已停止" in page
    assert _client(ctx.handler).get(f"/api/v1/complaints/{c.pk}").json()["clock"]["state"] == "stopped"
    assert "计时中" in _client(ctx.handler).get(f"/complaints/{f.complaint(ctx).pk}/").content.decode()


def test_alerts_fold_into_one_line_above_the_list(ctx: Any) -> None:
    for _ in range(7):
        f.complaint(ctx, severity="major")  # fast track: an alert each, up the tree
    page = _client(ctx.handler).get("/complaints/").content.decode()
    folded = page[page.index('data-testid="alerts"') - 60 : page.index('data-testid="alerts"')]
    assert "<details" in folded and " open" not in folded
    assert page.index('data-testid="alerts"') < page.index('data-testid="complaint-list"')
    assert page.count("alert_ack") <= 5 + 1  # the newest five, not all of them


def test_the_api_schema_lists_the_states_and_sorts_the_list_accepts() -> None:
    """#18: schemathesis sends only what the schema lists, so the lists must be the list's own."""
    from fuwu.api import api
    from fuwu.complaints.models import Status
    from fuwu.complaints.worklist import CASE_LIST

    params = {
        p["name"]: p["schema"]
        for p in api.get_openapi_schema(path_prefix="/api/v1/")["paths"]["/api/v1/complaints"]["get"][
            "parameters"
        ]
    }
    assert params["sort"]["enum"] == ["", *(s.key for s in CASE_LIST.sorts)]
    assert params["state"]["enum"] == ["", *Status.values]


def test_a_period_at_the_calendar_s_ends_narrows_nothing_rather_than_overflowing(ctx: Any) -> None:
    f.complaint(ctx)
    client = _client(ctx.handler)
    answer = client.get("/api/v1/complaints?since=0001-01-01&until=9999-12-31")
    assert answer.status_code == 200 and answer.json()["count"] == 1
