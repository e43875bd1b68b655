"""Appraisal screens through the test client: ranking explained, briefing built and downloaded, stars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.appraisal.models import BriefingJob, StarRound
from fuwu.appraisal.tasks import build_briefing
from fuwu.appraisal.tests.factories import card, compliments, rollup, satisfaction_day
from fuwu.conftest import PASSWORD
from fuwu.core import roles


def _client(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def scored(world: Any) -> Any:
    card("outlet", [("satisfaction", "target", 90.0, None, {"2026-01-01": 30})], name="网点服务考核")
    satisfaction_day(world.outlet_a, dt.date(2026, 8, 3), 10, 9)
    return world


def test_the_ranking_page_explains_each_score_in_chinese(scored: Any) -> None:
    page = _client(scored.hq_manager).get("/appraisal/?period=2026-Q3").content.decode()
    assert "考核排名" in page and "中关村支行" in page
    assert "满意率" in page and "/measures/?" in page and "目标达成法" in page
    assert "100.00" in page  # 90% against a target of 90 → full points


def test_a_briefing_is_requested_built_and_downloaded(scored: Any) -> None:
    client = _client(scored.hq_manager)
    bad = client.post("/appraisal/briefings/new/", {"quarter": "2026-13", "unit_code": "T2"})
    assert bad.status_code == 422 and "2026-13" in bad.content.decode()  # typed text kept
    response = client.post("/appraisal/briefings/new/", {"quarter": "2026-Q3", "unit_code": "T2"})
    assert response.status_code == 302
    job = BriefingJob.objects.get()
    assert job.status == BriefingJob.Status.QUEUED
    assert build_briefing.call(job.pk) == "done"
    status = client.get(f"/appraisal/briefings/{job.pk}/status/").content.decode()
    assert "100%" in status and "briefing-T2-2026-Q3.pdf" in status
    pdf = client.get(f"/appraisal/briefings/{job.pk}/briefing-T2-2026-Q3.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    other = scored.person("head_x", scored.outlet_x, roles.OUTLET_HEAD)
    assert _client(other).get(f"/appraisal/briefings/{job.pk}/briefing-T2-2026-Q3.pdf").status_code == 404


def test_the_outlet_head_runs_a_star_round_and_the_supervisor_approves(world: Any) -> None:
    rollup(
        world.outlet_a,
        dt.date(2026, 10, 9),
        cut="staff",
        key=str(world.teller_a.pk),
        evaluated=20,
        satisfied=19,
    )
    head = _client(world.head_a)
    assert head.post("/appraisal/stars/open/", {"month": "2026-10"}).status_code == 302
    r = StarRound.objects.get()
    page = head.get(f"/appraisal/stars/{r.pk}/").content.decode()
    assert "李柜员" in page and "95.0" in page and "提交审批" in page
    assert (
        head.post(
            f"/appraisal/stars/{r.pk}/nominate/", {"staff_id": world.teller_a.pk, "reason": ""}
        ).status_code
        == 422
    )
    assert head.post(f"/appraisal/stars/{r.pk}/submit/").status_code == 302
    sup = _client(world.person("sup_t2", world.t2, roles.SUPERVISOR))
    assert "审批" in sup.get(f"/appraisal/stars/{r.pk}/").content.decode()
    assert sup.post(f"/appraisal/stars/{r.pk}/approve/").status_code == 302
    wall = _client(world.teller_a).get("/appraisal/stars/wall/").content.decode()
    assert "李柜员" in wall and "满意率" in wall


def test_the_api_explains_a_ranking_and_queues_a_briefing(scored: Any) -> None:
    from fuwu.appraisal.models import Scorecard

    client = _client(scored.hq_manager)
    sc = Scorecard.objects.get()
    body = client.get(f"/api/v1/appraisal/rankings/{sc.pk}?period=2026-Q3&unit={scored.t2.pk}").json()
    oa = next(r for r in body["rows"] if r["code"] == "OA")
    assert (
        oa["score"] == 100.0
        and oa["lines"][0]["points"] == 100.0
        and oa["lines"][0]["href"].startswith("/measures/")
    )
    made = client.post(
        "/api/v1/appraisal/briefings",
        {"quarter": "2026-Q3", "unit_code": "T2"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "queued"
    teller = _client(scored.teller_a)
    refused = teller.post(
        "/api/v1/appraisal/briefings",
        {"quarter": "2026-Q3", "unit_code": "T2"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_scorecard_page_shows_the_schedule_and_refuses_a_weight_over_the_cap(scored: Any) -> None:
    from fuwu.appraisal.models import ItemWeight, Scorecard

    client = _client(scored.hq_manager)
    page = client.get("/appraisal/scorecards/").content.decode()
    assert "网点服务考核" in page and "2026-01-01" in page and "30%" in page
    item = Scorecard.objects.get().items.get()
    refused = client.post(
        f"/appraisal/scorecards/items/{item.pk}/weight/", {"effective_from": "2027-01-01", "weight": "45"}
    )
    assert (
        refused.status_code == 422
        and "40%" in refused.content.decode()
        and 'value="45"' in refused.content.decode()
    )
    ok = client.post(
        f"/appraisal/scorecards/items/{item.pk}/weight/", {"effective_from": "2027-01-01", "weight": "40"}
    )
    assert ok.status_code == 302 and ItemWeight.objects.filter(item=item, weight=40).exists()
    added = client.post(
        f"/appraisal/scorecards/{item.scorecard_id}/items/",
        {"measure": "avg_wait", "rule": "rank", "target": "", "baseline": ""},
    )
    assert added.status_code == 302 and Scorecard.objects.get().items.count() == 2
    assert _client(scored.head_a).post(
        f"/appraisal/scorecards/items/{item.pk}/weight/", {"effective_from": "2027-01-01", "weight": "10"}
    ).status_code in (403, 404)


RULE = {
    "month": "2026-11",
    "upheld_action": "deduct",
    "deduction": "15",
    "critical_action": "disqualify",
    "critical_deduction": "20",
    "min_evaluations": "8",
    "nomination_bonus": "10",
    "compliment_points": "6",
    "max_compliments": "2",
    "stars_per_outlet": "1",
}


def test_head_office_sets_the_star_rule_from_a_month_on_and_a_round_states_it(world: Any) -> None:
    """K5: the rules page (compliment points, what disqualifies or deducts) through the one schema."""
    from fuwu.appraisal.models import StarPolicy

    hq = _client(world.hq_manager)
    page = hq.get("/appraisal/stars/policy/").content.decode()
    assert "服务明星评选规则" in page and 'name="compliment_points"' in page
    bad = hq.post("/appraisal/stars/policy/set/", {**RULE, "month": "2026-13", "compliment_points": "-1"})
    text = bad.content.decode()
    assert bad.status_code == 422 and 'value="2026-13"' in text and 'value="-1"' in text
    assert hq.post("/appraisal/stars/policy/set/", RULE).status_code == 302
    policy = StarPolicy.objects.get()
    assert (policy.month, policy.compliment_points, policy.upheld_action) == ("2026-11", 6.0, "deduct")
    page = hq.get("/appraisal/stars/policy/").content.decode()
    assert "2026-11" in page and "每条表扬：+6 分（最多计 2 条）" in page
    # The outlet head reads the rule of the round's month on the round page, but cannot change it.
    head = _client(world.head_a)
    assert head.post("/appraisal/stars/policy/set/", RULE).status_code == 403
    head.post("/appraisal/stars/open/", {"month": "2026-11"})
    r = StarRound.objects.get()
    round_page = head.get(f"/appraisal/stars/{r.pk}/").content.decode()
    assert "每条表扬：+6 分" in round_page and "每件有效投诉：−15 分" in round_page


def test_the_api_lists_and_sets_the_star_rules(world: Any) -> None:
    hq = _client(world.hq_manager)
    body = {**RULE, **{k: float(v) for k, v in RULE.items() if k not in ("month",) and "action" not in k}}
    made = hq.post("/api/v1/appraisal/star-policies", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["compliment_points"] == 6.0
    listed = hq.get("/api/v1/appraisal/star-policies").json()
    assert [(p["month"], p["max_compliments"]) for p in listed] == [("2026-11", 2)]
    refused = _client(world.head_a).post(
        "/api/v1/appraisal/star-policies", body, content_type="application/json"
    )
    assert refused.status_code == 403
    for wrong in ({"upheld_action": "fine"}, {"month": "0000-01"}, {"stars_per_outlet": 0}):
        invalid = hq.post(
            "/api/v1/appraisal/star-policies", {**body, **wrong}, content_type="application/json"
        )
        assert invalid.status_code == 422, wrong


def test_the_wall_of_stars_shows_each_reasons_points(world: Any) -> None:
    from fuwu.appraisal import services
    from fuwu.core.principals import SYSTEM

    rollup(
        world.outlet_a,
        dt.date(2026, 10, 9),
        cut="staff",
        key=str(world.teller_a.pk),
        evaluated=20,
        satisfied=19,
    )
    compliments(world.outlet_a, world.teller_a, 2, dt.date(2026, 10, 14))
    r = services.star_round_open(actor=world.head_a, outlet=world.outlet_a, month="2026-10")
    services.star_nominate(actor=world.head_a, round=r, staff=world.teller_a, reason="主动帮助老年客户")
    services.star_submit(actor=world.head_a, round=r)
    services.star_approve(actor=SYSTEM, round=r)
    wall = _client(world.teller_a).get("/appraisal/stars/wall/").content.decode()
    assert 'data-testid="points-satisfaction">95</span>' in wall
    assert 'data-testid="points-compliments">+10</span>' in wall and "留言表扬 2 条" in wall
    assert 'data-testid="points-nomination">+10</span>' in wall and "115 分" in wall


def test_a_briefing_that_breaks_fails_visibly_instead_of_building_forever(
    scored: Any, settings: Any, tmp_path: Any
) -> None:
    """K6: the page stops polling — a folder that cannot be written (a file in its place) fails the job."""
    from fuwu.appraisal import services

    settings.MEDIA_ROOT = tmp_path

    client = _client(scored.hq_manager)
    client.post("/appraisal/briefings/new/", {"quarter": "2026-Q3", "unit_code": "T2"})
    job = BriefingJob.objects.get()
    blocker = services.briefing_folder(job)
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"not a folder")
    with pytest.raises(FileExistsError):
        build_briefing.call(job.pk)
    job.refresh_from_db()
    assert job.status == BriefingJob.Status.FAILED and not job.in_progress
    status = client.get(f"/appraisal/briefings/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in status and "服务器日志" in status
