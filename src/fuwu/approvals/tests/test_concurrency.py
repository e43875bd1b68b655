"""Real threads against PostgreSQL: many deciders on one step — exactly one approval wins, the rest get 409."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from fuwu.approvals import services
from fuwu.approvals.models import CaseEvent, CaseStatus, CaseStep, StepStatus
from fuwu.approvals.services import StepSpec
from fuwu.core import roles
from fuwu.core.errors import Conflict
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.concurrency import race_all
from fuwu.training import services as training
from fuwu.training.models import Attendance

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

DECIDERS = 6


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def test_concurrent_approvals_of_one_step_exactly_one_wins(world: Any) -> None:
    services.process_publish(
        actor=SYSTEM,
        code="LOAN",
        name="小微贷款审批",
        steps=[
            StepSpec("check", "网点初审", 1, roles.RM, "outlet", 4),
            StepSpec("head", "负责人", 2, roles.OUTLET_HEAD, "outlet", 4),
        ],
    )
    rms = [world.person(f"rm{i}", world.outlet_a, roles.RM) for i in range(DECIDERS)]
    case = services.case_start(
        actor=world.teller_a, process_code="LOAN", outlet=world.outlet_a, title="经营贷", amount=Decimal(1000)
    )
    step = case.steps.get(status=StepStatus.ACTIVE)

    def approve(user: Any) -> Any:
        return lambda: services.step_approve(
            actor=user, step=CaseStep.objects.get(pk=step.pk), comment=user.username
        )

    results, errors = race_all([approve(u) for u in rms])
    assert len(results) == 1
    assert len(errors) == DECIDERS - 1 and all(isinstance(e, Conflict) for e in errors), errors
    step.refresh_from_db()
    assert step.status == StepStatus.APPROVED
    assert CaseEvent.objects.filter(case=case, kind="step_approved").count() == 1
    # the next position opened exactly once
    assert CaseStep.objects.filter(case=case, step_def__code="head").count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.RUNNING


def test_parallel_steps_finishing_together_open_the_next_position_once(world: Any) -> None:
    services.process_publish(
        actor=SYSTEM,
        code="ACC",
        name="对公开户审批",
        steps=[
            StepSpec("kyc", "尽职调查", 1, roles.RM, "outlet", 4),
            StepSpec("aml", "反洗钱审查", 1, roles.OUTLET_HEAD, "outlet", 4),
            StepSpec("sign", "签批", 2, roles.OUTLET_HEAD, "outlet", 4),
        ],
    )
    rm = world.person("rm0", world.outlet_a, roles.RM)
    case = services.case_start(
        actor=world.teller_a, process_code="ACC", outlet=world.outlet_a, title="某公司开户", amount=Decimal(0)
    )
    kyc = case.steps.get(step_def__code="kyc")
    aml = case.steps.get(step_def__code="aml")
    results, errors = race_all(
        [
            lambda: services.step_approve(actor=rm, step=kyc),
            lambda: services.step_approve(actor=world.head_a, step=aml),
        ]
    )
    assert not errors and len(results) == 2
    assert CaseStep.objects.filter(case=case, step_def__code="sign", status=StepStatus.ACTIVE).count() == 1


def test_last_seat_of_a_session_goes_to_one_person(world: Any) -> None:
    import datetime as dt

    from fuwu.core import clock

    course = training.course_create(
        actor=SYSTEM, code="ETQ", title="服务礼仪", kind="etiquette", org_unit=world.t2
    )
    session = training.session_create(
        actor=SYSTEM,
        course=course,
        org_unit=world.t2,
        trainer=world.head_a,
        starts_at=clock.now(),
        ends_at=clock.now() + dt.timedelta(hours=1),
        place="三楼",
        capacity=3,
    )
    people = [world.person(f"t{i}", world.outlet_a, roles.TELLER) for i in range(8)]
    results, errors = race_all(
        [
            lambda p=p: training.session_checkin(actor=p, session=session, secret=session.checkin_secret)
            for p in people
        ]
    )
    assert len(results) == 3 and len(errors) == 5 and all(isinstance(e, Conflict) for e in errors)
    assert Attendance.objects.filter(session=session).count() == 3
