"""The training API as a phone app would use it (T1–T2): one schema per action shared with the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.training import services
from fuwu.training.models import Assignment, AttemptItem, Certificate
from fuwu.training.tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _json(c: Client, url: str, body: Any) -> Any:
    return c.post(url, body, content_type="application/json")


def test_t2_teller_takes_an_exam_through_the_api_and_anyone_verifies_the_certificate(
    world: Any, frozen_clock: Any
) -> None:
    exam = f.exam(world)
    teller = _client(world.teller_a)
    assert [c["code"] for c in teller.get("/api/v1/training/courses").json()] == ["CMP"]
    assert [e["id"] for e in teller.get("/api/v1/training/exams").json()] == [exam.pk]

    started = teller.post(f"/api/v1/training/exams/{exam.pk}/attempts")
    assert started.status_code == 201, started.content
    paper = started.json()
    assert paper["status"] == "in_progress" and [a["name"] for a in paper["actions"]] == ["answer", "submit"]
    assert len(paper["items"]) == 5
    # The running paper gives nothing away: no points awarded, no feedback, no correct answers.
    assert all(i["awarded"] is None and i["feedback"] == "" for i in paper["items"])
    assert "correct" not in started.content.decode()

    right = {
        i.position: i.version.correct
        for i in AttemptItem.objects.filter(attempt_id=paper["id"]).select_related("version")
    }
    first = _json(
        teller, f"/api/v1/training/attempts/{paper['id']}/answers", {"position": 1, "choice": right[1]}
    )
    assert first.status_code == 200 and first.json()["items"][0]["choice"] == right[1]
    rest = [{"position": p, "choice": c} for p, c in right.items() if p != 1]
    done = _json(teller, f"/api/v1/training/attempts/{paper['id']}/submit", {"answers": rest})
    assert done.status_code == 200, done.content
    result = done.json()
    assert result["status"] == "graded" and result["passed"] is True and result["score"] == 5
    assert all(i["awarded"] == 1 and i["feedback"] for i in result["items"])

    (cert,) = teller.get("/api/v1/training/certificates/mine").json()
    assert cert["id"] == result["certificate_id"] and cert["valid"] is True
    pdf = teller.get(f"/api/v1/training/certificates/{cert['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Submitted means frozen: answering again is refused with the attempt's state.
    again = _json(teller, f"/api/v1/training/attempts/{paper['id']}/answers", {"position": 1, "choice": [0]})
    assert again.status_code == 409

    code = Certificate.objects.get(pk=cert["id"]).verify_code
    public = Client().get(f"/api/v1/training/verify/{code}")
    assert public.status_code == 200
    assert public.json() == {
        "holder": "李柜员",
        "course": "消费者权益保护",
        "number": cert["number"],
        "expires_on": cert["expires_on"],
        "valid": True,
    }
    assert Client().get("/api/v1/training/verify/not-a-code").status_code == 404
    clock.advance(dt.timedelta(days=400))
    assert Client().get(f"/api/v1/training/verify/{code}").json()["valid"] is False


def test_t2_bad_answers_are_422_with_the_field_like_the_page(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world)
    teller = _client(world.teller_a)
    pk = teller.post(f"/api/v1/training/exams/{exam.pk}/attempts").json()["id"]
    bad = _json(teller, f"/api/v1/training/attempts/{pk}/answers", {"position": 0, "choice": ["甲"]})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"position", "choice.0"}
    # A choice outside the question's options: the service's rule, same error shape.
    out = _json(teller, f"/api/v1/training/attempts/{pk}/answers", {"position": 1, "choice": [9]})
    assert out.status_code == 422 and out.json()["error"]["details"][0]["field"] == "answer"
    missing = _json(teller, f"/api/v1/training/attempts/{pk}/answers", {"position": 99, "choice": [0]})
    assert missing.status_code == 404


def test_t2_another_persons_attempt_and_certificate_are_not_found(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world)
    attempt = services.attempt_start(actor=world.teller_a, exam=exam)
    f.answer_all(world.teller_a, attempt)
    services.attempt_submit(actor=world.teller_a, attempt=attempt)
    cert = Certificate.objects.get(attempt=attempt)
    colleague = world.person("teller_a2", world.outlet_a, roles.TELLER)
    # A colleague of the unit lacks the right to read others' papers (403); another outlet's teller is
    # told nothing exists (404). Neither sees the content.
    for who, status in ((colleague, 403), (world.teller_b, 404)):
        c = _client(who)
        assert c.get(f"/api/v1/training/attempts/{attempt.pk}").status_code == status
        assert c.get(f"/api/v1/training/certificates/{cert.pk}").status_code == status
        assert c.get(f"/api/v1/training/certificates/{cert.pk}.pdf").status_code == status
        assert (
            c.post(f"/api/v1/training/attempts/{attempt.pk}/submit", {}, "application/json").status_code
            == status
        )
        assert c.get("/api/v1/training/certificates/mine").json() == []
    # The outlet head may read the attempt of a person of the unit (managers check completion).
    assert _client(world.head_a).get(f"/api/v1/training/attempts/{attempt.pk}").status_code == 200
    assert Client().get("/api/v1/training/courses").status_code == 401


def test_t1_checkin_and_assignments_through_the_api_are_scoped(world: Any, frozen_clock: Any) -> None:
    course = f.course(world, online=True)
    here = services.session_create(
        actor=SYSTEM,
        course=course,
        org_unit=world.outlet_a,
        trainer=world.hq_manager,
        starts_at=clock.now() - dt.timedelta(minutes=5),
        ends_at=clock.now() + dt.timedelta(hours=1),
        place="培训室",
    )
    elsewhere = services.session_create(
        actor=SYSTEM,
        course=course,
        org_unit=world.outlet_x,
        trainer=world.hq_manager,
        starts_at=clock.now() - dt.timedelta(minutes=5),
        ends_at=clock.now() + dt.timedelta(hours=1),
        place="苏州",
    )
    teller = _client(world.teller_a)
    assert [s["id"] for s in teller.get("/api/v1/training/sessions").json()] == [here.pk]
    assert teller.get(f"/api/v1/training/sessions/{elsewhere.pk}").status_code == 404
    wrong = _json(teller, f"/api/v1/training/sessions/{here.pk}/checkin", {"secret": "x" * 16})
    assert wrong.status_code == 404
    short = _json(teller, f"/api/v1/training/sessions/{here.pk}/checkin", {"secret": "x"})
    assert short.status_code == 422 and short.json()["error"]["details"][0]["field"] == "secret"
    ok = _json(teller, f"/api/v1/training/sessions/{here.pk}/checkin", {"secret": here.checkin_secret})
    assert ok.status_code == 200 and ok.json()["session_id"] == here.pk
    stolen = _json(
        teller, f"/api/v1/training/sessions/{elsewhere.pk}/checkin", {"secret": elsewhere.checkin_secret}
    )
    assert stolen.status_code == 404

    head = _client(world.head_a)
    due = (clock.today() + dt.timedelta(days=7)).isoformat()
    body = {"course_id": course.pk, "unit_code": "OA", "role": roles.TELLER, "due_date": "下周"}
    assert (
        _json(head, "/api/v1/training/assignments", body).json()["error"]["details"][0]["field"] == "due_date"
    )
    made = _json(head, "/api/v1/training/assignments", {**body, "due_date": due})
    assert made.status_code == 200 and [a["course"] for a in made.json()] == ["服务礼仪周训"]
    refused = _json(head, "/api/v1/training/assignments", {**body, "unit_code": "OB", "due_date": due})
    assert refused.status_code == 404
    assert _json(teller, "/api/v1/training/assignments", {**body, "due_date": due}).status_code == 403

    (mine,) = teller.get("/api/v1/training/assignments/mine").json()
    assert mine["can_complete_online"] is True
    assert _client(world.teller_b).get("/api/v1/training/assignments/mine").json() == []
    assert (
        _client(world.teller_b).post(f"/api/v1/training/assignments/{mine['id']}/complete").status_code == 404
    )
    done = teller.post(f"/api/v1/training/assignments/{mine['id']}/complete")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert Assignment.objects.get(pk=mine["id"]).completed_via == "online"


def test_t1_trainer_schedules_a_session_with_the_forms_schema(world: Any, frozen_clock: Any) -> None:
    course = f.course(world)
    trainer = _client(f.trainer(world))
    body = {
        "course_id": course.pk,
        "unit_code": "T2",
        "starts_at": "2026-03-04T17:30",
        "ends_at": "2026-03-04T19:00",
        "place": "三楼",
    }
    bad = _json(trainer, "/api/v1/training/sessions", {**body, "capacity": 0})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "capacity"
    made = _json(trainer, "/api/v1/training/sessions", body)
    assert made.status_code == 201, made.content
    # A zone-less time is the bank's local time, as on the page.
    assert made.json()["starts_at"] == "2026-03-04T09:30:00Z"
    teller = _client(world.teller_a)
    # Not the teller's unit: nothing there (404); their own outlet: not their right (403).
    assert _json(teller, "/api/v1/training/sessions", body).status_code == 404
    assert _json(teller, "/api/v1/training/sessions", {**body, "unit_code": "OA"}).status_code == 403
