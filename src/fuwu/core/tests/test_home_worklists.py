"""Each role's home opens on its work (#19): panels per role, each with the figures and rows of its own data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock, roles
from fuwu.core.worklists import Panel, panels_for

pytestmark = pytest.mark.django_db


def _titles(who: Any) -> list[str]:
    return [str(p.title) for p in panels_for(who)]


def _panel(who: Any, title: str) -> Panel:
    return next(p for p in panels_for(who) if str(p.title).startswith(title))


def _count(panel: Panel, label: str) -> Any:
    return next(c.value for c in panel.counts if str(c.label) == label)


# role → the panels its home opens on (in Chinese, the default language), whatever data exists
EXPECTED = {
    roles.TELLER: ["我的窗口与今日", "今日我的评价"],
    roles.RM: ["我的窗口与今日", "今日我的评价"],
    roles.LOBBY: ["今日我的评价", "中关村支行今日排队"],
    roles.OUTLET_HEAD: [
        "中关村支行今日排队",
        "今日到期的回访",
        "逾期未整改",
        "待我审批",
        "本周和下周的排班计划",
    ],
    roles.SUPERVISOR: ["计划中的检查", "今日到期的回访", "逾期未整改", "待我审批"],
    roles.CC_MANAGER: ["客服中心今日", "本周和下周的排班计划"],
    roles.TRAINER: ["待您处理的培训"],
    roles.HQ_MANAGER: ["今日到期的回访", "逾期未整改", "待我审批"],
    roles.AUDITOR: ["今日审计日志", "逾期未整改"],
    roles.COMPLAINT_HANDLER: ["未结投诉（按最近期限）", "逾期未整改"],
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_roles_home_opens_on_its_own_worklists(world: Any, role: str) -> None:
    unit = {
        roles.TELLER: world.outlet_a,
        roles.RM: world.outlet_a,
        roles.LOBBY: world.outlet_a,
        roles.OUTLET_HEAD: world.outlet_a,
        roles.SUPERVISOR: world.t1,
        roles.TRAINER: world.t1,
        roles.COMPLAINT_HANDLER: world.t2,
    }.get(role, world.ho)
    who = world.person(f"home_{role}", unit, role)
    titles = _titles(who)
    for wanted in EXPECTED[role]:
        assert any(t.startswith(wanted) for t in titles), f"{role}: {wanted!r} not in {titles}"
    client = Client()
    client.force_login(who)
    response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="worklist"') == len(titles)


def test_the_tellers_day_counts_only_their_own_service(world: Any) -> None:
    from fuwu.feedback.tests import factories as f

    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    now = clock.now()
    for minutes in (4, 6):
        ticket = f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a, finished_at=now)
        ticket.started_at = now - dt.timedelta(minutes=minutes)
        ticket.save(update_fields=["started_at"])
    f.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_b)  # someone else's
    day = _panel(world.teller_a, "我的窗口与今日")
    assert _count(day, "今日已服务") == 2
    assert _count(day, "平均办理时长") == "5.0"
    assert day.rows[0].label == "1 号窗口"


def test_the_outlet_heads_home_shows_follow_ups_due_today_and_overdue_rectifications(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    from fuwu.feedback.tests import factories as f
    from fuwu.feedback.tests.test_follow_ups import dissatisfied
    from fuwu.inspections.tests.factories import submitted

    counter = f.counter(world.outlet_a, 1, staff=world.teller_a)
    dissatisfied(world, counter, world.teller_a)  # due at the end of the next business day
    submitted(world)  # one failed item: a rectification task for the outlet
    assert _count(_panel(world.head_a, "今日到期的回访"), "今日到期") == 0
    frozen_clock.set_clock(dt.datetime(2026, 3, 3, 9, 0, tzinfo=clock.SHANGHAI), speed=0)
    follow_ups = _panel(world.head_a, "今日到期的回访")
    assert _count(follow_ups, "今日到期") == 1 and len(follow_ups.rows) == 1
    assert _count(follow_ups, "我的") == 1  # the outlet head owns the outlet's follow-ups
    frozen_clock.set_clock(dt.datetime(2026, 6, 1, 9, 0, tzinfo=clock.SHANGHAI), speed=0)
    late = _panel(world.head_a, "逾期未整改")
    assert _count(late, "逾期") == 1 and late.rows[0].urgent
    assert _count(_panel(world.head_a, "今日到期的回访"), "逾期") == 1
    # Another outlet's head sees neither.
    other = world.person("head_b", world.outlet_b, roles.OUTLET_HEAD)
    assert _count(_panel(other, "逾期未整改"), "逾期") == 0


def test_the_supervisors_home_lists_their_planned_inspections_by_date(world: Any) -> None:
    from fuwu.inspections import services
    from fuwu.inspections.tests.factories import setup

    setup(world)
    later, sooner = (
        services.inspection_plan(
            actor=world.sup,
            outlet=world.outlet_a,
            template_code="SBZ",
            kind="onsite",
            supervisor=world.sup,
            planned_for=clock.today() + dt.timedelta(days=days),
        )
        for days in (9, 2)
    )
    planned = _panel(world.sup, "计划中的检查")
    assert [r.url for r in planned.rows] == [f"/inspections/{i.pk}/" for i in (sooner, later)]
    assert _count(planned, "我的") == 2
    # The outlet head has no supervisor's plan panel (and never sees a planned mystery visit).
    assert "计划中的检查" not in _titles(world.head_a)


@pytest.mark.parametrize("refusal", ["forbidden", "not_found"])
def test_an_app_that_refuses_access_contributes_no_panel_and_logs_nothing(
    world: Any, monkeypatch: Any, caplog: Any, refusal: str
) -> None:
    import logging

    from fuwu.approvals import home as approvals_home
    from fuwu.core.errors import Forbidden, NotFound

    assert "待我审批" in _titles(world.head_a)

    def refuse(principal: Any) -> Any:  # a hook whose read the principal has no right to
        raise Forbidden("no") if refusal == "forbidden" else NotFound()

    monkeypatch.setattr(approvals_home, "panels", refuse)
    with caplog.at_level(logging.WARNING, logger="fuwu.core.worklists"):
        titles = _titles(world.head_a)
    assert "待我审批" not in titles and "审批" not in titles
    assert "中关村支行今日排队" in titles  # the other apps' panels stay
    assert not [r for r in caplog.records if r.name == "fuwu.core.worklists"]


def test_an_app_whose_work_cannot_be_read_shows_a_panel_saying_so_and_logs_it_without_pii(
    world: Any, monkeypatch: Any, caplog: Any
) -> None:
    import logging

    from fuwu.approvals import home as approvals_home
    from fuwu.core.errors import Conflict

    secret = "客户王小明 13812345678 的审批规则冲突"

    def broken(principal: Any) -> Any:  # a hook that fails for a reason other than access
        raise Conflict(secret, code="rule_conflict")

    monkeypatch.setattr(approvals_home, "panels", broken)
    with caplog.at_level(logging.WARNING, logger="fuwu.core.worklists"):
        panels = panels_for(world.head_a)
    titles = [str(p.title) for p in panels]
    assert "待我审批" not in titles and "中关村支行今日排队" in titles
    [shown] = [p for p in panels if str(p.title) == "审批"]  # under the app's own name
    assert str(shown.empty) == "暂时无法显示，请稍后再试。" and not shown.rows and not shown.counts
    [record] = [r for r in caplog.records if r.name == "fuwu.core.worklists"]
    assert record.levelno == logging.WARNING
    logged = record.getMessage()
    assert "fuwu.approvals" in logged and "Conflict" in logged and "rule_conflict" in logged
    assert "王小明" not in logged and "13812345678" not in logged and world.head_a.username not in logged
    # The home page shows it with the other panels.
    client = Client()
    client.force_login(world.head_a)
    page = client.get("/").content.decode()
    assert "暂时无法显示，请稍后再试。" in page and secret not in page
    assert page.count('data-testid="worklist"') == len(panels)
