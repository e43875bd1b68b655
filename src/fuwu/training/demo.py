"""Demo training: five courses, the 200-question bank, weekly etiquette sessions with QR check-ins, a compliance
certification with attempts and certificates (some lapsed, so their holders are back on the list), quarterly
skills and new-product assignments, and training assigned from inspection findings and complaints (T3).

Everything goes through the services with the clock frozen at the historical moment, so attempts, check-ins
and certificates carry the times a real year would have given them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from fuwu.core import calendar, clock, references, roles
from fuwu.core.clock import SHANGHAI
from fuwu.core.defects import Defect, SourceKind
from fuwu.core.models import User
from fuwu.core.principals import SYSTEM, system
from fuwu.training import bank_questions, services
from fuwu.training.models import Course, Exam

FRONT_LINE = (roles.TELLER, roles.LOBBY, roles.RM)


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    rng = random.Random(bank.seed + 29)
    actor = system("demo")
    for q in bank_questions.generate():
        services.question_save(
            actor=actor,
            code=q.code,
            category=q.category,
            kind=q.kind,
            text=q.text,
            options=q.options,
            correct=q.correct,
            explanation=q.explanation,
            tags=q.tags,
        )
    courses = _courses(bank)
    exam = services.exam_create(
        actor=actor,
        course=courses["CMP"],
        title="消费者权益保护与反洗钱合规认证考试",
        draw={"服务规范": 4, "消费者权益保护": 6, "反洗钱": 4, "合规经营": 6},
        time_limit_minutes=30,
        pass_percent=80,
        max_attempts=3,
        retake_wait_hours=24,
        certificate_months=12,
    )
    services.exam_create(
        actor=actor,
        course=courses["SKQ"],
        title="季度服务技能测验",
        draw={"服务规范": 6, "产品知识": 4},
        time_limit_minutes=20,
        pass_percent=70,
        max_attempts=3,
        certificate_months=3,
    )
    outlets = bank.outlets[:2] if options.get("quick") else bank.outlets
    people = list(
        User.objects.filter(org_unit__in=outlets, groups__name__in=FRONT_LINE, is_active=True)
        .distinct()
        .order_by("pk")
    )
    sessions, checkins = _etiquette_sessions(
        bank, rng, courses["ETQ"], outlets, weeks=2 if options.get("quick") else 8
    )
    attempts, certificates = _certification(rng, courses["CMP"], exam, people)
    lapsed = services.certificates_expiry_sweep(actor=actor)
    _assignments(rng, courses, people)
    findings = _findings(rng, courses, people)
    out.write(
        f"training: 200 questions, {len(courses)} courses, {sessions} sessions with {checkins} check-ins, "
        f"{attempts} attempts, {certificates} certificates ({lapsed} lapsed and reassigned), "
        f"{findings} assignments from findings in {time.monotonic() - started:.1f}s\n"
    )


KB_PRODUCT = "“稳利”系列理财产品介绍"


def _courses(bank: Any) -> dict[str, Course]:
    ho = bank.head_office
    specs = [
        ("ETQ", "每周服务礼仪培训", "etiquette", False, "仪容仪表、语言表达、沟通技巧；案例分析与角色扮演。"),
        ("NPYL", "养老理财新产品上线培训", "new_product", True, "产品特点、办理流程、风险提示与适当性管理。"),
        ("SKQ", "季度服务技能提升", "skills", False, "投诉处理技巧、特殊群体服务、一次性告知。"),
        ("CMP", "消费者权益保护与反洗钱合规认证", "compliance", False, "年度合规认证，证书有效期一年。"),
        ("LANG", "文明用语与服务禁用语", "etiquette", True, "统一服务语言规范手册，禁用语案例。"),
    ]
    made = {}
    for code, title, kind, online, desc in specs:
        made[code] = services.course_create(
            actor=SYSTEM, code=code, title=title, kind=kind, org_unit=ho, description=desc, online=online
        )
    services.material_add(
        actor=SYSTEM,
        course=made["NPYL"],
        title="养老理财产品说明书（2026版）",
        url="https://example.cn/npyl.pdf",
    )
    services.material_add(
        actor=SYSTEM, course=made["LANG"], title="服务语言规范手册", url="https://example.cn/lang.pdf"
    )
    # The product's terms as the knowledge base publishes them today (core.references; the knowledge demo
    # runs first). Without the knowledge app the course simply has no such material.
    product = references.find(fetched_by=SYSTEM, kind=references.KNOWLEDGE_ENTRY, title=KB_PRODUCT)
    if product is not None:
        services.material_add(actor=SYSTEM, course=made["NPYL"], title="", knowledge_entry_id=product.id)
    return made


def _trainer_for(unit: Any) -> User:
    from fuwu.core.models import OrgUnit

    chain = [unit, *reversed(list(OrgUnit.objects.get_ancestors(unit)))]
    for u in chain:
        found = User.objects.filter(org_unit=u, groups__name=roles.TRAINER).first()
        if found is not None:
            return found
    head = User.objects.filter(groups__name=roles.HQ_MANAGER).first()
    assert head is not None
    return head


def _etiquette_sessions(
    bank: Any, rng: random.Random, course: Course, outlets: list[Any], *, weeks: int
) -> tuple[int, int]:
    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    from fuwu.core.models import OrgUnit

    parent = {o.pk: OrgUnit.objects.get_parent(o) for o in outlets}
    branches = set(parent.values())
    count = checkins = 0
    for branch in sorted(branches, key=lambda b: b.code):
        trainer = _trainer_for(branch)
        learners = list(
            User.objects.filter(
                org_unit__in=[o for o in outlets if parent[o.pk] == branch], groups__name__in=FRONT_LINE
            ).distinct()
        )
        for w in range(-weeks, 3):
            day = monday + dt.timedelta(weeks=w, days=2)  # Wednesday after closing
            if not calendar.is_business_day(day):
                continue
            start = dt.datetime.combine(day, dt.time(17, 30), SHANGHAI)
            session = services.session_create(
                actor=SYSTEM,
                course=course,
                org_unit=branch,
                trainer=trainer,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1, minutes=30),
                place=f"{branch.name}三楼培训室",
                capacity=60,
            )
            count += 1
            if start >= clock.now():
                continue
            for person in learners:
                if rng.random() < 0.82:
                    with clock.frozen(start + dt.timedelta(minutes=rng.randint(-12, 20))):
                        services.session_checkin(actor=person, session=session, secret=session.checkin_secret)
                    checkins += 1
    return count, checkins


def _certification(rng: random.Random, course: Course, exam: Exam, people: list[User]) -> tuple[int, int]:
    """Last spring's cohort: assigned, most passed first time, some retook; a tenth certified 13 months ago."""
    today = clock.today()
    attempts = certificates = 0
    for person in people:
        early = rng.random() < 0.1
        assigned = today - dt.timedelta(days=420 if early else rng.randint(60, 200))
        with clock.frozen(dt.datetime.combine(assigned, dt.time(9, 0), SHANGHAI)):
            services.assign_person(
                actor=SYSTEM, course=course, user=person, due_date=calendar.add_business_days(assigned, 20)
            )
        if rng.random() < 0.08:
            continue  # not yet taken: stays on the list, overdue
        when = dt.datetime.combine(
            calendar.next_business_day(assigned + dt.timedelta(days=rng.randint(2, 25))),
            dt.time(rng.randint(9, 16), rng.randrange(60)),
            SHANGHAI,
        )
        skill = rng.betavariate(12, 2)
        for _try in range(3):
            with clock.frozen(when):
                attempt = services.attempt_start(actor=person, exam=exam, rng=rng)
                answers: dict[int, list[int]] = {}
                for item in attempt.items.select_related("version"):
                    v = item.version
                    if rng.random() < skill:
                        answers[item.position] = list(v.correct)
                    else:
                        answers[item.position] = [rng.randrange(max(2, len(v.options)))]
                clock.advance(dt.timedelta(seconds=rng.randint(400, 1500)))
                services.attempt_answer_many(actor=person, attempt=attempt, answers=answers)
                attempt = services.attempt_submit(actor=person, attempt=attempt)
            attempts += 1
            if attempt.passed:
                certificates += 1
                break
            skill = min(0.97, skill + 0.1)
            when = dt.datetime.combine(
                calendar.add_business_days(when.astimezone(SHANGHAI).date(), 2), dt.time(10, 0), SHANGHAI
            )
            if when >= clock.now():
                break
    return attempts, certificates


def _assignments(rng: random.Random, courses: dict[str, Course], people: list[User]) -> None:
    today = clock.today()
    quarter_end = dt.date(today.year, ((today.month - 1) // 3 + 1) * 3, 1) + dt.timedelta(days=31)
    quarter_end = quarter_end.replace(day=1) - dt.timedelta(days=1)
    for person in people:
        services.assign_person(actor=SYSTEM, course=courses["SKQ"], user=person, due_date=quarter_end)
        if person.groups.filter(name=roles.RM).exists():
            a = services.assign_person(
                actor=SYSTEM,
                course=courses["NPYL"],
                user=person,
                due_date=calendar.add_business_days(today, 8),
            )
            if rng.random() < 0.55:
                services.assignment_complete_online(actor=person, assignment=a)


def _findings(rng: random.Random, courses: dict[str, Course], people: list[User]) -> int:
    """T3: rules from checklist items, complaint reasons and phrase hits to courses, and some findings."""
    rules = [
        (SourceKind.INSPECTION, "FW-01", "ETQ"),  # 仪容仪表不规范
        (SourceKind.INSPECTION, "FW-05", "SKQ"),  # 未执行一次性告知
        (SourceKind.COMPLAINT, "01", "LANG"),  # 投诉原因：服务态度及服务质量
        (SourceKind.COMPLAINT, "05", "CMP"),  # 投诉原因：信息披露
        (SourceKind.LANGUAGE, "forbidden", "LANG"),  # 禁用语命中
    ]
    for kind, code, course in rules:
        services.defect_rule_set(
            actor=SYSTEM, source_kind=kind, reason_code=code, course=courses[course], due_days=10
        )
    made = 0
    for n, person in enumerate(rng.sample(people, min(15, len(people)))):
        kind, code, _course = rules[n % len(rules)]
        assert person.org_unit is not None
        defect = Defect(
            source_kind=kind,
            source_id=f"demo-{n + 1}",
            label=f"演示发现 {n + 1}",
            unit=person.org_unit,
            description="神秘客检查发现服务不规范",
            staff=person,
            reason_code=code,
        )
        if services.assign_for_defect(actor=SYSTEM, defect=defect) is not None:
            made += 1
    return made
