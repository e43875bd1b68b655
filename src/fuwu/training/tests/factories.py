from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.training import services
from fuwu.training.models import Course, Exam


def trainer(world: Any) -> Any:
    return world.person("trainer", world.t1, roles.TRAINER)


def course(world: Any, code: str = "ETQ", **kw: Any) -> Course:
    return services.course_create(
        actor=SYSTEM,
        code=code,
        title=kw.pop("title", "服务礼仪周训"),
        kind=kw.pop("kind", "etiquette"),
        org_unit=kw.pop("org_unit", world.ho),
        **kw,
    )


def bank(per_category: int = 6, categories: tuple[str, ...] = ("服务规范", "合规")) -> None:
    for c, cat in enumerate(categories):
        for i in range(per_category):
            services.question_save(
                actor=SYSTEM,
                code=f"Q{c}{i:03d}",
                category=cat,
                kind="single",
                text=f"{cat}第{i}题",
                options=["甲", "乙", "丙", "丁"],
                correct=[i % 4],
                explanation="见制度第三条。",
            )


def exam(world: Any, course_: Course | None = None, **kw: Any) -> Exam:
    bank()
    return services.exam_create(
        actor=SYSTEM,
        course=course_ or course(world, code="CMP", kind="compliance", title="消费者权益保护"),
        title="消保合规考试",
        draw=kw.pop("draw", {"服务规范": 3, "合规": 2}),
        **kw,
    )


def answer_all(actor: Any, attempt: Any, right: bool = True) -> None:
    for item in attempt.items.select_related("version"):
        v = item.version
        chosen = v.correct if right else [(v.correct[0] + 1) % max(2, len(v.options))]
        services.attempt_answer(actor=actor, attempt=attempt, position=item.position, answer=chosen)


def rng() -> random.Random:
    return random.Random(7)


def later(days: int) -> dt.timedelta:
    return dt.timedelta(days=days)
