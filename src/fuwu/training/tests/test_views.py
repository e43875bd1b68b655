"""Training pages over HTTP: forms re-render with what was typed, grading by hand, Excel up and down."""

from __future__ import annotations

import io
from typing import Any

from fuwu.conftest import PASSWORD
from fuwu.core import roles
from fuwu.training import services
from fuwu.training.models import Assignment, Session
from fuwu.training.tests import factories as f


def test_assign_by_role_form_keeps_input_on_error_and_assigns_when_valid(
    world: Any, frozen_clock: Any, client: Any
) -> None:
    course = f.course(world)
    client.login(username="head_a", password=PASSWORD)
    bad = client.post(
        "/training/manage/assign/",
        {"course_id": course.pk, "unit_code": "OA", "role": roles.TELLER, "due_date": "下周五"},
    )
    assert bad.status_code == 422
    body = bad.content.decode()
    assert ("下周五" in body and "请输入" in body) or "YYYY-MM-DD" in body
    ok = client.post(
        "/training/manage/assign/",
        {"course_id": course.pk, "unit_code": "OA", "role": roles.TELLER, "due_date": "2026-03-20"},
    )
    assert ok.status_code == 302
    assert list(Assignment.objects.values_list("user__username", flat=True)) == ["teller_a"]
    client.login(username="teller_a", password=PASSWORD)
    assert "服务礼仪周训" in client.get("/training/").content.decode()
    assert client.get("/training/manage/assign/").status_code == 405


def test_trainer_schedules_a_session_and_sees_the_qr(world: Any, frozen_clock: Any, client: Any) -> None:
    course = f.course(world)
    f.trainer(world)
    client.login(username="trainer", password=PASSWORD)
    bad = client.post(
        "/training/manage/sessions/new/",
        {
            "course_id": course.pk,
            "unit_code": "T2",
            "starts_at": "2026-03-04T17:30",
            "ends_at": "2026-03-04T17:00",
            "place": "三楼",
        },
    )
    assert bad.status_code == 422 and "三楼" in bad.content.decode()
    ok = client.post(
        "/training/manage/sessions/new/",
        {
            "course_id": course.pk,
            "unit_code": "T2",
            "starts_at": "2026-03-04T17:30",
            "ends_at": "2026-03-04T19:00",
            "place": "三楼",
            "capacity": "40",
        },
    )
    session = Session.objects.get()
    assert (
        ok.status_code == 302 and session.capacity == 40 and session.starts_at.hour == 9
    )  # 17:30 Shanghai is 09:30 UTC
    page = client.get(f"/training/sessions/{session.pk}/").content.decode()
    assert "qr.svg" in page


def test_grader_scores_a_short_answer_on_the_attempt_page(world: Any, frozen_clock: Any, client: Any) -> None:
    from fuwu.core.principals import SYSTEM

    f.trainer(world)
    services.question_save(
        actor=SYSTEM, code="S1", category="简答", kind="short", text="如何处理客户插队引发的争执？", points=4
    )
    exam = services.exam_create(
        actor=SYSTEM, course=f.course(world), title="技能测验", draw={"简答": 1}, pass_percent=50
    )
    attempt = services.attempt_start(actor=world.teller_a, exam=exam)
    client.login(username="teller_a", password=PASSWORD)
    client.post(
        f"/training/attempts/{attempt.pk}/submit/", {"q1": "先安抚双方，按叫号顺序办理，并向后面客户致歉。"}
    )
    client.login(username="trainer", password=PASSWORD)
    assert "技能测验" in client.get("/training/manage/").content.decode()
    page = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert "先安抚双方" in page and 'name="awarded"' in page
    assert (
        client.post(f"/training/attempts/{attempt.pk}/grade/", {"position": "1", "awarded": "9"}).status_code
        == 422
    )
    client.post(
        f"/training/attempts/{attempt.pk}/grade/", {"position": "1", "awarded": "3", "feedback": "处理得当"}
    )
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.score == 3 and attempt.passed
    client.login(username="teller_b", password=PASSWORD)
    assert client.get(f"/training/attempts/{attempt.pk}/").status_code == 404


def test_question_bank_excel_export_and_a_bad_import(world: Any, client: Any) -> None:
    f.bank(per_category=1)
    client.login(username="hq", password=PASSWORD)
    export = client.get("/training/bank/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    bad = client.post("/training/bank/import/", {"file": io.BytesIO(b"not a workbook")})
    assert bad.status_code == 422 and "Excel" in bad.content.decode()
    client.login(username="teller_a", password=PASSWORD)
    assert client.get("/training/bank/export.xlsx").status_code == 403
