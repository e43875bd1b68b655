"""Demo: a year of complaints (a quick run: 60 days) with Chinese texts across every category.

Most are handled within the SOP's 1–3 business days; some major ones go on the fast track, a few run past
their statutory deadline (closed late, or still open and overdue), a few are under review or paused, and a
handful of handled cases are in the typical-case library. Rows are bulk-created from the same rules the
services apply (the statutory clock, fast track, 回避), so the measures read realistic facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction

from fuwu.complaints import clock as statutory
from fuwu.complaints import sop
from fuwu.complaints.codes import current_codes
from fuwu.complaints.deid import deidentify
from fuwu.complaints.models import (
    Alert,
    Complaint,
    Decision,
    ReferenceSequence,
    Reply,
    Revisit,
    Severity,
    Source,
    Status,
    Step,
    StepDeadline,
    Tag,
    TypicalCase,
)
from fuwu.complaints.services.handling import report_defect
from fuwu.complaints.services.review import complaint_request_review
from fuwu.complaints.textgen import sample
from fuwu.core import calendar, clock, roles
from fuwu.core.clock import SHANGHAI
from fuwu.core.models import User
from fuwu.core.principals import SYSTEM
from fuwu.customers.models import Customer
from fuwu.demo.names import chinese_name

MONTHLY = {"large": 14, "medium": 7, "small": 4, "county": 3}
SOURCES = [
    (Source.COUNTER, 30),
    (Source.WINDOW, 10),
    (Source.HOTLINE, 30),
    (Source.ONLINE, 15),
    (Source.LETTER, 3),
    (Source.MEDIA, 2),
    (Source.NFRA, 5),
    (Source.PBOC, 3),
    (Source.PETITION, 2),
]
ROOT_CAUSES = [
    "员工服务意识不强，未执行首问负责",
    "高峰期窗口配置不足",
    "系统升级未提前公告",
    "产品风险揭示不到位",
    "收费标准公示不清",
    "委外催收机构管理不严",
    "业务规则解释口径不统一",
]
BASES = ["《银行业保险业消费投诉处理管理办法》", "本行《柜面服务规范》", "产品合同相关条款", "本行收费价目表"]
REVIEW_REASONS = ["对处理结果不满意，要求上级行核查", "认为补偿金额不足", "不认可调查结论"]
REMEDIES = ["当面致歉并加强培训", "退还相关费用", "协助办理后续业务", "暂停相关人员柜面服务并辅导", ""]


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    rng = bank.rng
    days = 60 if options.get("quick") else 365
    today = clock.today()
    start = today - dt.timedelta(days=days)
    by_unit: dict[int, list[Any]] = defaultdict(list)
    handlers: dict[int, Any] = {}
    for user in bank.staff:
        by_unit[user.org_unit_id].append(user)
    handler_ids = set(
        User.objects.filter(groups__name__in=[roles.COMPLAINT_HANDLER, roles.OUTLET_HEAD]).values_list(
            "pk", flat=True
        )
    )
    for outlet in bank.outlets:
        chain = [outlet, *outlet.get_ancestors().order_by("-depth")]
        for unit in chain:
            picked = [u for u in by_unit.get(unit.pk, []) if u.pk in handler_ids]
            if picked:
                handlers[outlet.pk] = picked[0]
                break
    special = list(Customer.objects.filter(is_elderly=True).values_list("pk", "home_outlet_id")[:400])
    special_by_outlet: dict[int, list[int]] = defaultdict(list)
    for pk, outlet_id in special:
        special_by_outlet[outlet_id].append(pk)

    # The generator speaks seed keys; the table says which code carries each one now (after any import).
    current = current_codes()
    complaints: list[Complaint] = []
    seq: dict[dt.date, int] = defaultdict(int)
    now = clock.now()
    for outlet in bank.outlets:
        monthly = MONTHLY[bank.outlet_size.get(outlet.code, "medium")]
        count = max(1, round(monthly * days / 30 * rng.uniform(0.8, 1.2)))
        tellers = [
            u for u in by_unit.get(outlet.pk, []) if u.pk != getattr(handlers.get(outlet.pk), "pk", None)
        ]
        for _ in range(count):
            day = start + dt.timedelta(days=rng.randrange(days + 1))
            while not calendar.is_business_day(day) and rng.random() < 0.8:
                day += dt.timedelta(days=1)
            received = dt.datetime.combine(
                day, dt.time(rng.randint(9, 16), rng.randrange(60)), tzinfo=SHANGHAI
            )
            if received >= now:
                received = now - dt.timedelta(hours=rng.randint(1, 6))
            s = sample(rng)
            source = rng.choices([x for x, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
            tags = []
            if s.severity == Severity.MAJOR and rng.random() < 0.5:
                tags.append(Tag.PUBLIC_OPINION)
            if source in (Source.NFRA, Source.PBOC):
                tags.append(Tag.REGULATOR)
            customer_id = None
            if special_by_outlet.get(outlet.pk) and rng.random() < 0.08:
                customer_id = rng.choice(special_by_outlet[outlet.pk])
                tags.append(Tag.SPECIAL_GROUP)
            fast = s.severity == Severity.MAJOR or Tag.PUBLIC_OPINION in tags
            received_day = received.astimezone(SHANGHAI).date()
            due = statutory.compute(received_day, today=received_day).due
            seq[received_day] += 1
            # Seed key "01" (服务态度及服务质量): most attitude complaints name a teller.
            staff = rng.choice(tellers) if tellers and s.reason == "01" and rng.random() < 0.7 else None
            complaint = Complaint(
                reference=f"TS{received_day:%Y%m%d}{seq[received_day]:04d}",
                outlet=outlet,
                source=source,
                received_at=received,
                due_at=statutory.end_of_day(due),
                severity=s.severity,
                tags=sorted(tags),
                is_fast_track=fast,
                channel_code=current[("channel", s.channel)],
                category_code=current[("category", s.category)],
                reason_code=current[("reason", s.reason)],
                content=s.text,
                complainant_name=chinese_name(rng, rng.choice("MF")),
                customer_id=customer_id,
                is_special_group=customer_id is not None,
                staff=staff,
                handler=handlers.get(outlet.pk),
                handling_unit=outlet,
                phone_masked=f"1{rng.randint(30, 89)}****{rng.randint(1000, 9999)}",
            )
            if source in (Source.NFRA, Source.PBOC, Source.PETITION):
                # As the intake does when the referral names no date of its own: the statutory due date.
                complaint.regulator_due_at = statutory.end_of_day(due)
            _progress(complaint, rng, now, today)
            complaint.follow_status()  # bulk-written history: the flag the state machine would have set
            complaints.append(complaint)
    _save(complaints, rng, now)
    # Later intakes of the same days continue after the demo's numbers.
    for day, last in seq.items():
        ReferenceSequence.objects.update_or_create(day=day, defaults={"last": last})
    overdue = sum(1 for c in complaints if (c.closed_at or now) > c.due_at and c.status != Status.WITHDRAWN)
    majors = sum(1 for c in complaints if c.severity == Severity.MAJOR)
    out.write(
        f"complaints: {len(complaints)} over {days} days, {majors} major, {overdue} past the statutory "
        f"deadline, {TypicalCase.objects.count()} typical cases"
    )


def _progress(c: Complaint, rng: Any, now: dt.datetime, today: dt.date) -> None:
    """Move the case along as a real team would: most on time, some late, some still open."""
    age = (today - c.received_at.astimezone(SHANGHAI).date()).days
    roll = rng.random()
    if roll < 0.02:
        c.status = Status.WITHDRAWN
        c.closed_at = min(c.received_at + dt.timedelta(days=rng.randint(1, 5)), now)
        return
    if c.severity == Severity.MAJOR:
        cycle = rng.choice([2, 3, 4, 6, 9])
    elif c.severity == Severity.COMPLEX:
        cycle = rng.choice([3, 5, 8, 12, 14, 18])
    else:
        cycle = rng.choice([1, 1, 2, 2, 3, 3, 4, 6, 16])
    replied_day = calendar.add_business_days(c.received_at.astimezone(SHANGHAI).date(), cycle)
    replied = dt.datetime.combine(
        replied_day, dt.time(rng.randint(9, 17), rng.randrange(60)), tzinfo=SHANGHAI
    )
    if replied >= now:
        c.status = rng.choice([Status.REGISTERED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DECIDED])
        if c.status != Status.REGISTERED and rng.random() < 0.05:
            c.paused_since = now - dt.timedelta(days=1)
        return
    c.replied_at = replied
    c.closed_at = replied
    c.root_cause = rng.choice(ROOT_CAUSES)
    revisited = replied + dt.timedelta(days=rng.randint(1, 3))
    if revisited >= now:
        c.status = Status.REPLIED
    elif rng.random() < 0.03 and age < 60:
        # Saved as replied; `_save` then records the customer's review request through the service, so the
        # case has its ReviewRequest, superior handling unit and alert like a real one (#18: a bulk-written
        # UNDER_REVIEW case without a request could not be decided).
        c.status = Status.REPLIED
        c._review_requested_at = revisited  # type: ignore[attr-defined]
    else:
        c.status = Status.CLOSED
        c.satisfaction = rng.choices(["satisfied", "basic", "dissatisfied", "unreachable"], [70, 18, 7, 5])[0]


@transaction.atomic
def _save(complaints: list[Complaint], rng: Any, now: dt.datetime) -> None:
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    decisions: list[Decision] = []
    replies: list[Reply] = []
    revisits: list[Revisit] = []
    steps: list[StepDeadline] = []
    alerts: list[Alert] = []
    cases: list[TypicalCase] = []
    for c in complaints:
        handler = c.handler
        if c.is_fast_track:
            units = [c.outlet, *c.outlet.get_ancestors()]
            alerts += [
                Alert(
                    complaint=c,
                    org_unit=u,
                    kind=Alert.Kind.FAST_TRACK,
                    created_at=c.received_at,
                    message=f"{c.reference}: {c.content[:60]}",
                    acknowledged_at=c.received_at + dt.timedelta(hours=1) if c.closed_at else None,
                )
                for u in units
            ]
        if c.replied_at and handler is not None:
            decided = c.replied_at - dt.timedelta(hours=2)
            decisions.append(
                Decision(
                    complaint=c,
                    facts="经调查核实，客户反映情况基本属实"
                    if rng.random() < 0.6
                    else "经调阅录像和交易记录，未发现违规操作",
                    basis=rng.choice(BASES),
                    remedy=rng.choice(REMEDIES),
                    upheld=rng.random() < 0.6,
                    decided_by=handler,
                    decided_at=decided,
                )
            )
            replies.append(
                Reply(
                    complaint=c,
                    method=rng.choice(Reply.Method.values),
                    text="已将处理结果告知客户",
                    replied_by=handler,
                    replied_at=c.replied_at,
                )
            )
            if c.satisfaction:
                revisits.append(
                    Revisit(
                        complaint=c,
                        satisfaction=c.satisfaction,
                        by=handler,
                        at=c.replied_at + dt.timedelta(days=1),
                        note="",
                    )
                )
        if c.status in (Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED):
            step = {
                Status.REGISTERED: Step.ACKNOWLEDGE,
                Status.IN_PROGRESS: Step.INVESTIGATE,
                Status.DECIDED: Step.REPLY,
            }[Status(c.status)]
            started = c.received_at
            due, warn = sop.step_due(step, started, fast_track=c.is_fast_track)
            steps.append(StepDeadline(complaint=c, step=step, started_at=started, due_at=due, warn_at=warn))
        if c.status == Status.CLOSED and handler is not None and len(cases) < 12 and rng.random() < 0.05:
            names = [c.complainant_name] + ([c.staff.display_name] if c.staff else [])
            positive = c.satisfaction == "satisfied"
            cases.append(
                TypicalCase(
                    complaint=c,
                    outlet=c.outlet,
                    polarity="positive" if positive else "negative",
                    title=("耐心解释化解客户不满" if positive else "服务不到位引发投诉")
                    + f"（{c.reference[-8:]}）",
                    text=deidentify(f"{c.content}\n根因：{c.root_cause}", names),
                    category_code=c.category_code,
                    lesson="首问负责、一次性告知" if positive else "加强员工服务规范培训",
                    created_by=handler,
                    created_at=c.closed_at or now,
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=1000)
    # An upheld complaint's root cause goes to the rectification ledger, at the decision's date, as the
    # decide service does (S3, #14).
    for decision in decisions:
        if decision.upheld:
            with clock.frozen(decision.decided_at):
                report_defect(actor=SYSTEM, complaint=decision.complaint, decision=decision)
    Reply.objects.bulk_create(replies, batch_size=1000)
    Revisit.objects.bulk_create(revisits, batch_size=1000)
    StepDeadline.objects.bulk_create(steps, batch_size=1000)
    Alert.objects.bulk_create(alerts, batch_size=1000)
    TypicalCase.objects.bulk_create(cases)
    for c in complaints:
        requested_at: dt.datetime | None = getattr(c, "_review_requested_at", None)
        if requested_at is not None:
            with clock.frozen(requested_at):
                complaint_request_review(
                    actor=SYSTEM, complaint=c, reason=REVIEW_REASONS[c.pk % len(REVIEW_REASONS)]
                )
