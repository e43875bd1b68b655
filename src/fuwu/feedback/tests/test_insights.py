"""F6 screens: the sentiment trend chart and its drill-down, phrases and topics down to the messages behind
them, the pad's reason tags apart from sentiment and text, paged and counted lists. Text written here is a
smoke test of the wiring, not a measure of the text models."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.feedback import selectors, services
from fuwu.feedback.tests.factories import counter, finished_ticket

pytestmark = pytest.mark.django_db

QUEUE = ["排队时间太长，只开了两个窗口", "排队一个小时才办完，太慢了", "今天排队时间还是很长"]
FINE = ["柜员很耐心，讲解清楚", "大堂经理服务热情周到"]


def _submit(outlet: Any, text: str, n: int) -> Any:
    item, _raw = services.feedback_submit(actor=SYSTEM, outlet=outlet, text=text, client=f"c{n}-{text}")
    return item


def _chart(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page, re.S)
    assert found
    data: dict[str, Any] = json.loads(found[1])
    return data


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_phrase_drills_down_to_exactly_the_messages_it_counted(world: Any, frozen_clock: Any) -> None:
    for n, text in enumerate(QUEUE + FINE):
        _submit(world.outlet_a, text, n)
    _submit(world.outlet_b, "五道口排队时间也很长", 9)
    today = clock.today()
    frequent = dict(
        selectors.term_insights(
            fetched_by=world.hq_manager, unit=world.outlet_a, start=today, end=today
        ).frequent
    )
    assert frequent["排队"] == 3 and frequent["排队时间"] == 2
    assert not {"希望", "两个", "小时", "今天"} & set(frequent)  # fillers and fragments left out
    page = (
        _client(world.head_a).get(f"/feedback/insights/?unit=OA&start={today}&end={today}").content.decode()
    )
    link = re.search(r'<a href="([^"]*term=%E6%8E%92%E9%98%9F%E6%97%B6%E9%97%B4[^"]*)">排队时间</a>', page)
    assert link, "the phrase links to its messages"
    listed = _client(world.head_a).get(link[1].replace("&amp;", "&")).content.decode()
    assert "共 2 条" in listed and "只开了两个窗口" in listed and "还是很长" in listed
    assert "五道口" not in listed and "一个小时" not in listed


def test_the_trend_chart_counts_each_day_and_sentiment_and_each_point_lists_its_messages(
    world: Any, frozen_clock: Any
) -> None:
    for n, text in enumerate(QUEUE):
        _submit(world.outlet_a, text, n)
    frozen_clock.advance(dt.timedelta(days=1))
    _submit(world.outlet_a, FINE[0], 7)
    today = clock.today()
    start = today - dt.timedelta(days=2)
    points = selectors.sentiment_trend(
        fetched_by=world.head_a, where=selectors.FeedbackFilter(unit=world.outlet_a, start=start, end=today)
    )
    assert [p["day"] for p in points] == [start, start + dt.timedelta(days=1), today]
    assert [(p["negative"], p["positive"]) for p in points] == [(0, 0), (3, 0), (0, 1)]
    page = (
        _client(world.head_a).get(f"/feedback/insights/?unit=OA&start={start}&end={today}").content.decode()
    )
    chart = _chart(page)
    assert chart["days"] == [d.isoformat() for d in (start, start + dt.timedelta(days=1), today)]
    negative = next(i for i, s in enumerate(chart["series"]) if s["key"] == "negative")
    assert chart["series"][negative]["name"] == "负面" and chart["series"][negative]["data"] == [0, 3, 0]
    listed = _client(world.head_a).get(chart["hrefs"][1][negative]).content.decode()
    assert "共 3 条" in listed and "耐心" not in listed
    assert "echarts.init" not in page  # no inline script: the chart is drawn by the static file
    assert "/static/feedback/trend.js" in page and "echarts.min.js" in page


def test_reason_tags_are_their_own_dimension_on_the_pages(world: Any, frozen_clock: Any) -> None:
    window = counter(world.outlet_a, 2)
    ticket = finished_ticket(world.outlet_a, counter=window, staff=world.teller_a)
    services.evaluation_record(actor=SYSTEM, ticket=ticket, rating="dissatisfied", reasons=["等候时间长"])
    _submit(world.outlet_a, QUEUE[0], 1)
    today = clock.today()
    page = (
        _client(world.head_a).get(f"/feedback/insights/?unit=OA&start={today}&end={today}").content.decode()
    )
    reasons = page.split('data-testid="reasons"')[1].split("</section>")[0]
    assert "等候时间长" in reasons
    terms = page.split('data-testid="terms"')[1].split("</section>")[0]
    assert "等候时间长" not in terms and "排队时间" in terms
    href = re.search(r'<a href="([^"]*)">等候时间长</a>', reasons)
    assert href
    ratings = _client(world.head_a).get(href[1].replace("&amp;", "&")).content.decode()
    assert "共 1 条" in ratings and "不满意" in ratings and "2号窗口" in ratings
    # On the list and the item page, sentiment and topics are separate columns / cards.
    listed = _client(world.head_a).get("/feedback/inbox/").content.decode()
    assert 'data-testid="sentiment"' in listed and 'data-testid="topics"' in listed
    assert "负面" in listed.split('data-testid="sentiment"')[1].split("</td>")[0]
    assert "等候" in listed.split('data-testid="topics"')[1].split("</td>")[0]


def test_the_list_is_paged_and_counted_and_scoped(world: Any, frozen_clock: Any) -> None:
    for n in range(30):
        _submit(world.outlet_a, f"第{n}条留言：排队时间太长", n)
    head = _client(world.head_a)
    first = head.get("/feedback/inbox/").content.decode()
    assert "共 30 条" in first and "第 1 页，共 2 页" in first
    second = head.get("/feedback/inbox/?page=2").content.decode()
    assert second.count('href="/feedback/inbox/') >= 5 and "第 2 页，共 2 页" in second
    assert head.get("/feedback/inbox/?start=2026-03-05&end=2026-03-01").status_code == 422
    other = world.person("head_b", world.outlet_b, roles.OUTLET_HEAD)
    assert _client(other).get("/feedback/inbox/?unit=OA").status_code == 404
    assert "共 0 条" in _client(other).get("/feedback/inbox/").content.decode()


def test_rising_phrases_are_tested_against_their_own_history(world: Any, frozen_clock: Any) -> None:
    n = 0
    for _day in range(5):  # history: three weeks of messages about the lobby and parking, none about fees
        for text in ("大堂环境干净整洁", "停车位太少了不方便"):
            _submit(world.outlet_a, text, n)
            n += 1
        frozen_clock.advance(dt.timedelta(days=3))
    frozen_clock.advance(dt.timedelta(days=7))
    end = clock.today()
    for text in [
        "手续费太贵了",
        "转账手续费太贵",
        "手续费又涨了，太贵",
        "手续费收得太贵",
        "停车位太少了不方便",
    ]:
        _submit(world.outlet_a, text, n)
        n += 1
    start = end - dt.timedelta(days=6)
    found = selectors.term_insights(fetched_by=world.head_a, unit=world.outlet_a, start=start, end=end)
    assert found.messages == 5 and found.history_start == start - dt.timedelta(days=21)
    rising = {r.term: r for r in found.rising}
    assert "手续费" in rising and "停车位" not in rising
    assert (
        rising["手续费"].current >= 3 and rising["手续费"].history == 0 and rising["手续费"].q_value <= 0.05
    )
