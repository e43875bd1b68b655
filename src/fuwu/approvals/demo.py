"""Demo approvals: a year of small-loan and account-opening cases at every outlet, with a slow tier-2 risk review.

Rows are written in bulk into the same Case/CaseStep/CaseEvent tables the services write (the bottleneck page
reads the step table), with times computed on the business calendar like the services compute them:

- cases arrive on business days, 09:00–17:00 with a late-morning and an early-afternoon peak;
- small-loan amounts are log-normal around ¥150k: below ¥300k the fast track skips the risk review and the
  tier-1 credit approval (seed 000: 小额贷款快速审批);
- each step's working time is drawn in business hours (right-skewed); the tier-2 risk review is the
  bottleneck — a median above its 8-hour limit, worse on Mondays and month ends;
- about one case in seven waits 1–4 days for the customer's documents inside a step (paused, not counted
  as working time); a few are rejected at the last step; the last days' cases are still in progress.

Everything comes from one seeded random.Random, so the same seed gives the same year.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.db import transaction

from fuwu.approvals import hours
from fuwu.approvals.models import Case, CaseEvent, CaseStatus, CaseStep, ProcessVersion, StepDef, StepStatus
from fuwu.approvals.services import StepSpec, owner_unit, process_publish
from fuwu.core import calendar, clock, roles
from fuwu.core.clock import SHANGHAI
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM

HISTORY_DAYS = 365
QUICK_DAYS = 20
THRESHOLD = Decimal("300000")

LOAN_STEPS = [
    StepSpec("check", "网点受理初审", 1, roles.RM, "outlet", 4),
    StepSpec("risk", "支行风险审查", 2, roles.SUPERVISOR, "tier2", 8, THRESHOLD),
    StepSpec("credit", "分行信贷审批", 3, roles.SUPERVISOR, "tier1", 16, THRESHOLD),
    StepSpec("sign", "网点负责人签批", 4, roles.OUTLET_HEAD, "outlet", 4),
]
ACCOUNT_STEPS = [
    StepSpec("kyc", "客户尽职调查", 1, roles.RM, "outlet", 8),
    StepSpec("aml", "反洗钱筛查", 1, roles.OUTLET_HEAD, "outlet", 8),
    StepSpec("approve", "支行开户核准", 2, roles.SUPERVISOR, "tier2", 8),
]
# Working time per step in business hours: (log-normal median, sigma)
WORK = {
    "check": (1.5, 0.6),
    "risk": (9.0, 0.55),  # the bottleneck: median above its 8 h limit
    "credit": (6.0, 0.5),
    "sign": (1.0, 0.5),
    "kyc": (3.0, 0.5),
    "aml": (2.0, 0.6),
    "approve": (4.0, 0.5),
}


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    loan = process_publish(
        actor=SYSTEM,
        code="SMALL_LOAN",
        name="小微贷款审批",
        steps=LOAN_STEPS,
        note="快速通道：30万元以下免支行、分行审查",
    )
    account = process_publish(actor=SYSTEM, code="CORP_ACCOUNT", name="对公账户开户审批", steps=ACCOUNT_STEPS)
    days = QUICK_DAYS if options.get("quick") else HISTORY_DAYS
    rng = random.Random(bank.seed + 17)
    count = build_history(bank, rng, loan, account, days=days)
    out.write(f"approvals: {count} cases over {days} days in {time.monotonic() - started:.1f}s\n")


def _arrival(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.choices(range(9, 17), weights=[6, 10, 9, 4, 6, 9, 8, 5])[0]
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), SHANGHAI)


def _work_hours(rng: random.Random, code: str, start: dt.datetime) -> float:
    median, sigma = WORK[code]
    local = start.astimezone(SHANGHAI)
    factor = 1.0
    if code == "risk" and (local.weekday() == 0 or local.day >= 25):
        factor = 1.4  # Monday backlog and month-end loan rush at the branch risk desk
    return max(0.1, rng.lognormvariate(0, sigma) * median * factor)


@transaction.atomic
def build_history(
    bank: Any, rng: random.Random, loan: ProcessVersion, account: ProcessVersion, *, days: int
) -> int:
    now = clock.now()
    today = clock.today()
    defs = {v.pk: {d.code: d for d in v.steps.all()} for v in (loan, account)}
    cases: list[Case] = []
    plans: list[tuple[Case, ProcessVersion, dt.datetime]] = []
    serial = Case.objects.count()
    # Fresh rows: earlier demo hooks may have left the bank's in-memory outlets with stale tree fields.
    outlets = list(OrgUnit.objects.filter(pk__in=[o.pk for o in bank.outlets]).order_by("code"))
    for n in range(days, 0, -1):
        day = today - dt.timedelta(days=n)
        if not calendar.is_business_day(day):
            continue
        for outlet in outlets:
            size = bank.outlet_size.get(outlet.code, "medium")
            per_day = {"large": 3.0, "medium": 1.6, "small": 0.9, "county": 0.8}.get(size, 1.2)
            for _ in range(_poisson(rng, per_day)):
                version = loan if rng.random() < 0.7 else account
                at = _arrival(rng, day)
                if version is loan:
                    amount = Decimal(str(round(min(3_000_000, rng.lognormvariate(11.9, 0.7)), -3)))
                    title = rng.choice(["个体工商户经营贷", "小微企业流动资金贷款", "商户贷", "创业担保贷款"])
                else:
                    amount = Decimal(0)
                    title = rng.choice(["有限公司基本户开立", "个体户结算账户开立", "一般存款账户开立"])
                serial += 1
                case = Case(
                    version=version,
                    reference=f"SP{clock.business_date(at):%Y%m%d}{serial:06d}",
                    org_unit=outlet,
                    title=title,
                    amount=amount,
                    started_by_label="演示数据",
                    started_at=at,
                )
                cases.append(case)
                plans.append((case, version, at))
    Case.objects.bulk_create(cases, batch_size=2000)
    steps: list[CaseStep] = []
    events: list[CaseEvent] = []
    updates: list[Case] = []
    for case, version, at in plans:
        events.append(
            CaseEvent(
                case=case,
                at=at,
                actor_label="演示数据",
                kind="case_started",
                data={"amount": str(case.amount)},
            )
        )
        cursor = at
        status = CaseStatus.APPROVED
        finished_case: dt.datetime | None = None
        positions = sorted({d.position for d in defs[version.pk].values()})
        for pos in positions:
            group = [d for d in defs[version.pk].values() if d.position == pos]
            applying = [d for d in group if d.min_amount is None or case.amount >= d.min_amount]
            for d in group:
                if d not in applying:
                    steps.append(_skipped(case, d, cursor))
                    events.append(
                        CaseEvent(
                            case=case,
                            at=cursor,
                            actor_label="系统",
                            kind="step_skipped",
                            data={"step_code": d.code},
                        )
                    )
            ends = []
            open_left = False
            for d in applying:
                step, end = _step(rng, case, d, cursor, now)
                steps.append(step)
                if end is None:
                    open_left = True
                else:
                    ends.append(end)
            if open_left:
                status = CaseStatus.RUNNING
                break
            if not ends:
                continue  # the whole position was skipped by the fast track
            cursor = max(ends)
            if pos == positions[-1] and rng.random() < 0.04:
                status = CaseStatus.REJECTED
                steps[-1].status = StepStatus.REJECTED
                steps[-1].comment = "经审查不符合准入条件"
        if status != CaseStatus.RUNNING:
            finished_case = cursor
            events.append(
                CaseEvent(
                    case=case,
                    at=cursor,
                    actor_label="演示数据",
                    kind="case_approved" if status == CaseStatus.APPROVED else "step_rejected",
                )
            )
        case.status = status
        case.finished_at = finished_case
        updates.append(case)
    CaseStep.objects.bulk_create(steps, batch_size=5000)
    CaseEvent.objects.bulk_create(events, batch_size=5000)
    Case.objects.bulk_update(updates, ["status", "finished_at"], batch_size=2000)
    return len(cases)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth: fine for the small means of a branch's daily applications.
    limit, k, p = pow(2.718281828, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _skipped(case: Case, d: StepDef, at: dt.datetime) -> CaseStep:
    return CaseStep(
        case=case,
        step_def=d,
        owner_unit=owner_unit(case.org_unit, d.unit_level),
        status=StepStatus.SKIPPED,
        started_at=at,
        half_at=at,
        due_at=at,
        late_at=at,
        finished_at=at,
    )


def _step(
    rng: random.Random, case: Case, d: StepDef, start: dt.datetime, now: dt.datetime
) -> tuple[CaseStep, dt.datetime | None]:
    limit = float(d.limit_hours)
    rungs = [hours.add_business_hours(start, limit * f) for f in (0.5, 1.0, 1.5)]
    work = _work_hours(rng, d.code, start)
    paused = 0
    paused_business = 0.0
    if rng.random() < 0.14 and d.code in ("check", "kyc", "risk"):
        # Waiting for the customer's documents part-way through; the rungs move by the business hours waited.
        first = work * rng.uniform(0.2, 0.6)
        pause_at = hours.add_business_hours(start, first)
        resume_at = hours.add_business_hours(pause_at + dt.timedelta(days=rng.randint(1, 4)), 0)
        paused = int((resume_at - pause_at).total_seconds())
        paused_business = hours.business_seconds_between(pause_at, resume_at)
        shift = hours.business_seconds_between(pause_at, resume_at) / 3600
        rungs = [
            hours.add_business_hours(pause_at, hours.business_seconds_between(pause_at, r) / 3600 + shift)
            if r > pause_at
            else r
            for r in rungs
        ]
        end = hours.add_business_hours(resume_at, work - first)
    else:
        end = hours.add_business_hours(start, work)
    finished = end if end <= now else None
    elapsed_business = (hours.business_seconds_between(start, min(end, now)) - paused_business) / 3600
    escalated = sum(1 for f in (0.5, 1.0, 1.5) if elapsed_business >= limit * f)
    step = CaseStep(
        case=case,
        step_def=d,
        owner_unit=owner_unit(case.org_unit, d.unit_level),
        status=StepStatus.APPROVED if finished else StepStatus.ACTIVE,
        started_at=start,
        half_at=rungs[0],
        due_at=rungs[1],
        late_at=rungs[2],
        escalated=escalated,
        paused_seconds=paused if finished else 0,
        paused_business_seconds=int(paused_business) if finished else 0,
        finished_at=finished,
        comment="同意" if finished else "",
    )
    return step, finished
