"""Exams (T2): paper drawing, freezing, grading, retakes, certificates and their expiry."""

from __future__ import annotations

import datetime as dt
import io
import random
import subprocess
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuwu.core import clock, roles
from fuwu.core.errors import Conflict
from fuwu.core.principals import SYSTEM
from fuwu.training import paper, selectors, services
from fuwu.training.models import (
    Assignment,
    AssignmentSource,
    AttemptItem,
    AttemptStatus,
    FrozenAfterSubmission,
    QuestionVersion,
)
from fuwu.training.tests import factories as f


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=4),
    data=st.data(),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_paper_draws_exactly_per_category_and_unseen_first(sizes: list[int], data: Any, seed: int) -> None:
    pools: dict[str, list[int]] = {}
    next_id = 1
    for n, size in enumerate(sizes):
        pools[f"c{n}"] = list(range(next_id, next_id + size))
        next_id += size
    counts = {cat: data.draw(st.integers(min_value=0, max_value=len(ids))) for cat, ids in pools.items()}
    all_ids = [q for ids in pools.values() for q in ids]
    seen = set(data.draw(st.lists(st.sampled_from(all_ids), unique=True)))
    drawn = paper.draw(pools, counts, seen, random.Random(seed))
    ids = [q for _c, q in drawn]
    assert len(ids) == len(set(ids))
    for cat, wanted in counts.items():
        mine = [q for c, q in drawn if c == cat]
        assert len(mine) == wanted
        assert all(q in pools[cat] for q in mine)
        unseen = [q for q in pools[cat] if q not in seen]
        # unseen first: either every drawn question is unseen, or every unseen one was drawn
        assert all(q not in seen for q in mine) or set(unseen) <= set(mine)


def test_paper_refuses_a_category_with_too_few_questions() -> None:
    with pytest.raises(paper.NotEnoughQuestions):
        paper.draw({"a": [1, 2]}, {"a": 3}, set(), random.Random(1))


def test_second_attempt_prefers_questions_not_seen_in_the_first(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world, draw={"服务规范": 3, "合规": 3}, max_attempts=3)
    first = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    services.attempt_submit(actor=world.teller_a, attempt=first)
    second = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    shown = lambda a: {i.version.question_id for i in a.items.select_related("version")}  # noqa: E731
    assert shown(first).isdisjoint(shown(second))  # 6 per category in the bank, 3 drawn each time


def test_answers_are_frozen_after_submission(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world)
    attempt = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    f.answer_all(world.teller_a, attempt)
    services.attempt_submit(actor=world.teller_a, attempt=attempt)
    with pytest.raises(Conflict):
        services.attempt_answer(actor=world.teller_a, attempt=attempt, position=1, answer=[0])
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    item.answer = [3]
    with pytest.raises(FrozenAfterSubmission):
        item.save()
    # a revised question makes a new version; the attempt still shows the one it drew
    shown = item.version
    services.question_save(
        actor=SYSTEM,
        code=shown.question.code,
        category=shown.question.category.name,
        kind="single",
        text="改写后的题目",
        options=["甲", "乙"],
        correct=[1],
    )
    assert QuestionVersion.objects.filter(question=shown.question).count() == 2
    assert AttemptItem.objects.get(pk=item.pk).version_id == shown.pk


def test_answer_after_the_time_limit_is_refused(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world, time_limit_minutes=20)
    attempt = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    frozen_clock.advance(dt.timedelta(minutes=21))
    with pytest.raises(Conflict) as exc:
        services.attempt_answer(actor=world.teller_a, attempt=attempt, position=1, answer=[0])
    assert exc.value.code == "time_up"
    assert services.attempts_timeout_sweep(actor=SYSTEM) == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 0 and attempt.passed is False


def test_grading_hand_cases(world: Any, frozen_clock: Any) -> None:
    def v(kind: str, options: list[str], correct: list[int], points: int = 1) -> QuestionVersion:
        return services.question_save(
            actor=SYSTEM,
            code=f"H{kind}",
            category="手工",
            kind=kind,
            text="题",
            options=options,
            correct=correct,
            points=points,
            explanation="依据《银行业保险业消费投诉处理管理办法》。",
        )

    single = v("single", ["A", "B", "C"], [1])
    multiple = v("multiple", ["A", "B", "C", "D"], [0, 2], points=2)
    tf = v("true_false", [], [1])
    short = v("short", [], [])
    assert services.grade_item(single, [1])[0] == 1
    points, feedback = services.grade_item(single, [2])
    assert points == 0 and "B" in feedback and "消费投诉" in feedback
    assert services.grade_item(multiple, [0, 2])[0] == 2
    assert services.grade_item(multiple, [0])[0] == 0  # partly right scores nothing
    assert services.grade_item(multiple, [0, 1, 2])[0] == 0
    assert services.grade_item(multiple, None)[0] == 0  # unanswered
    assert services.grade_item(tf, [1])[0] == 1 and services.grade_item(tf, [0])[0] == 0
    assert services.grade_item(short, {"text": "先安抚客户"})[0] is None


def test_short_answers_wait_for_a_grader_then_the_certificate_is_issued(
    world: Any, frozen_clock: Any
) -> None:
    grader = f.trainer(world)
    f.bank()
    services.question_save(
        actor=SYSTEM, code="S1", category="简答", kind="short", text="客户情绪激动时如何处理？", points=2
    )
    course = f.course(world, code="SK", kind="skills", title="季度服务技能")
    exam = services.exam_create(
        actor=SYSTEM, course=course, title="技能考试", draw={"服务规范": 2, "简答": 1}, pass_percent=75
    )
    services.assign_person(actor=SYSTEM, course=course, user=world.teller_a, due_date=dt.date(2026, 3, 20))
    attempt = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    assert attempt.max_score == 4
    for item in attempt.items.select_related("version"):
        answer = (
            {"text": "先倾听，再致歉，给出方案"} if item.version.kind == "short" else item.version.correct
        )
        services.attempt_answer(actor=world.teller_a, attempt=attempt, position=item.position, answer=answer)
    services.attempt_submit(actor=world.teller_a, attempt=attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt in selectors.attempts_to_grade(
        fetched_by=grader
    )
    short_pos = attempt.items.get(version__kind="short").position
    services.attempt_grade(
        actor=grader, attempt=attempt, position=short_pos, awarded=1, feedback="缺少后续回访"
    )
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 3 and attempt.passed is True
    assert attempt.certificate.expires_on == dt.date(2027, 3, 2)
    assert Assignment.objects.get(user=world.teller_a, course=course).status == "completed"


def test_retakes_follow_the_policy(world: Any, frozen_clock: Any) -> None:
    exam = f.exam(world, max_attempts=2, retake_wait_hours=24)
    first = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    assert services.attempt_start(actor=world.teller_a, exam=exam) == first  # resumes the open one
    services.attempt_submit(actor=world.teller_a, attempt=first)
    with pytest.raises(Conflict) as wait:
        services.attempt_start(actor=world.teller_a, exam=exam)
    assert wait.value.code == "retake_wait"
    frozen_clock.advance(dt.timedelta(hours=25))
    second = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    services.attempt_submit(actor=world.teller_a, attempt=second)
    frozen_clock.advance(dt.timedelta(hours=25))
    with pytest.raises(Conflict) as spent:
        services.attempt_start(actor=world.teller_a, exam=exam)
    assert spent.value.code == "no_attempts_left"


def test_a_lapsed_certificate_puts_the_person_back_on_the_assignment_list(
    world: Any, frozen_clock: Any
) -> None:
    exam = f.exam(world, certificate_months=12)
    attempt = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    f.answer_all(world.teller_a, attempt)
    services.attempt_submit(actor=world.teller_a, attempt=attempt)
    cert = attempt.certificate
    assert not Assignment.objects.filter(user=world.teller_a, status="open").exists()
    frozen_clock.advance(dt.timedelta(days=365))  # 2027-03-02: the last valid day
    assert services.certificates_expiry_sweep(actor=SYSTEM) == 0
    frozen_clock.advance(dt.timedelta(days=1))
    assert services.certificates_expiry_sweep(actor=SYSTEM) == 1
    assert services.certificates_expiry_sweep(actor=SYSTEM) == 0  # once
    again = Assignment.objects.get(user=world.teller_a, status="open")
    assert again.course == cert.course and again.source == AssignmentSource.RECERTIFICATION
    assert again in selectors.assignments(fetched_by=world.head_a, status="open")
    # recertification: a fresh attempt allowance
    retake = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    assert retake.number == 2


def test_certificate_pdf_names_the_holder_and_its_qr_opens_the_public_page(
    world: Any, frozen_clock: Any, client: Any, tmp_path: Any
) -> None:
    exam = f.exam(world)
    attempt = services.attempt_start(actor=world.teller_a, exam=exam, rng=f.rng())
    f.answer_all(world.teller_a, attempt)
    services.attempt_submit(actor=world.teller_a, attempt=attempt)
    cert = attempt.certificate
    pdf = selectors.certificate_pdf(
        fetched_by=world.teller_a,
        certificate=cert,
        verify_url="http://x/training/verify/" + cert.verify_code + "/",
    )
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "李柜员" in text and "消费者权益保护" in text and cert.number in text and "2027-03-02" in text
    page = client.get(f"/training/verify/{cert.verify_code}/")
    assert page.status_code == 200 and "李柜员" in page.content.decode() and "有效" in page.content.decode()
    assert client.get("/training/verify/nonsense/").status_code == 404


def test_question_bank_round_trips_through_excel(world: Any) -> None:
    import openpyxl

    f.bank(per_category=2)
    services.question_save(
        actor=SYSTEM, code="TF1", category="合规", kind="true_false", text="可以代客户签字。", correct=[1]
    )
    content = selectors.question_bank_xlsx(fetched_by=SYSTEM)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 6
    tf = next(r for r in rows if r[0] == "TF1")
    assert tf[2] == "判断" and tf[5] == "错"
    sheet.cell(row=2, column=4).value = "修改后的题目"
    out = io.BytesIO()
    sheet.parent.save(out)
    assert services.question_bank_import(actor=SYSTEM, content=out.getvalue()) == 5
    code = sheet.cell(row=2, column=1).value
    assert QuestionVersion.objects.filter(question__code=code).count() == 2


def test_a_teller_may_not_edit_the_bank(world: Any) -> None:
    from fuwu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.question_save(actor=world.teller_a, code="X", category="c", kind="short", text="t")
    assert roles.TELLER
    assert clock
