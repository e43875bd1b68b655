from __future__ import annotations

from decimal import Decimal
from typing import Any

from fuwu.approvals import services
from fuwu.approvals.models import Case, CaseStep, ProcessVersion, StepStatus
from fuwu.approvals.services import StepSpec
from fuwu.core import roles
from fuwu.core.principals import SYSTEM

THRESHOLD = Decimal("300000")


def small_loan(code: str = "LOAN") -> ProcessVersion:
    """Outlet check (4h) → tier-2 risk review (8h, from 30万) → tier-1 credit and outlet head in parallel (from 30万)."""
    return services.process_publish(
        actor=SYSTEM,
        code=code,
        name="小微贷款审批",
        steps=[
            StepSpec("check", "网点初审", 1, roles.RM, "outlet", 4),
            StepSpec("risk", "支行风险审查", 2, roles.SUPERVISOR, "tier2", 8, THRESHOLD),
            StepSpec("credit", "分行信贷审批", 3, roles.SUPERVISOR, "tier1", 8, THRESHOLD),
            StepSpec("head", "网点负责人签批", 3, roles.OUTLET_HEAD, "outlet", 4, THRESHOLD),
        ],
    )


class People:
    def __init__(self, world: Any) -> None:
        self.rm = world.person("rm_a", world.outlet_a, roles.RM)
        self.risk = world.person("risk_t2", world.t2, roles.SUPERVISOR)
        self.credit = world.person("credit_t1", world.t1, roles.SUPERVISOR)
        self.head = world.head_a


def start(world: Any, amount: str, actor: Any = None) -> Case:
    return services.case_start(
        actor=actor or world.teller_a,
        process_code="LOAN",
        outlet=world.outlet_a,
        title="个体户经营贷",
        amount=Decimal(amount),
    )


def active(case: Case, code: str | None = None) -> CaseStep:
    qs = case.steps.filter(status=StepStatus.ACTIVE)
    if code:
        qs = qs.filter(step_def__code=code)
    return qs.get()
