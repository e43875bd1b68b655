"""Demo supervision: a year of 神秘人 / video / on-site inspections across the demo outlets by the demo's
supervisors, through the real services (dated with core.clock), with Chinese finding notes, generated evidence
photos, rectifications in every state, a few appeals; finish() runs the escalation sweep over the overdue ones.

Every outlet has a service level that drifts up over the year (the "+2 points" campaign), so the trend and
league pages have something true to show. One seeded random.Random: the same seed gives the same year.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from typing import Any

from fuwu.core import calendar, clock, roles
from fuwu.core.errors import DomainError
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM, system
from fuwu.inspections import services
from fuwu.inspections.models import Inspection, Item, RectificationTask

ACTOR = system("demo")
BY_KIND: dict[str, list[str]] = {
    Inspection.Kind.MYSTERY: ["WGY", "QGY", "SWFZ", "YRYB", "LSFW"],
    Inspection.Kind.VIDEO: ["SBZ", "TTDW", "LSFW"],
    Inspection.Kind.ONSITE: ["6S", "SBX", "BDF", "YRYB"],
}
NOTES: dict[str, list[str]] = {
    "WGY-1": ["客户进门后无人问候,大堂经理在低头整理单据", "柜员未主动问候,直接要求出示证件"],
    "WGY-2": ["柜员全程面无表情,未与客户目光交流"],
    "WGY-3": ["未询问客户办理何种业务,客户自行取号"],
    "WGY-4": ["客户在自助设备前操作失败两次,无人上前辅导"],
    "WGY-5": ["业务办结后柜员未道别,直接叫下一号"],
    "QGY-2": ["贵宾客户落座5分钟未奉茶"],
    "QGY-3": ["理财经理未递送名片"],
    "QGY-5": ["未结合客户需求推荐产品,仅办理存款"],
    "QGY-7": ["客户离开贵宾区时无人送别"],
    "SBZ-1": ["客户咨询跨行转账手续费,员工答复“不归我管,去问柜台”"],
    "SBZ-2": ["10:20–10:28 1号位迎客取号位空岗,客户自行取号", "午间1号位无人值守约15分钟"],
    "SBZ-3": ["5号窗口柜员在无客户时低头玩手机", "大堂副理倚靠填单台刷短视频"],
    "SBZ-4": ["员工向客户推介非本行代销的理财产品,疑似私售"],
    "SBX-1": ["首问员工让客户“等一下”后离开,未交接"],
    "SBX-2": ["客户出门时无人送别"],
    "SBX-3": ["财富客户办理业务时客户经理未全程陪同"],
    "SBX-4": ["柜员未执行“七步曲”,未唱收唱付"],
    "SWFZ-1": ["客户进门1分钟无人接待"],
    "SWFZ-2": ["客户询问挂失流程,员工回答“不知道”"],
    "SWFZ-3": ["转介至理财经理时未交接客户需求,客户重复说明"],
    "6S-1": ["柜台上放有私人水杯和零食"],
    "6S-2": ["宣传折页摆放凌乱,过期活动海报未撤下"],
    "6S-3": ["自助设备屏幕有明显污渍,地面有水渍未清理"],
    "6S-4": ["卫生责任区检查记录缺最近一周"],
    "6S-6": ["消防通道堆放纸箱"],
    "YRYB-1": ["柜员未佩戴工号牌"],
    "YRYB-2": ["员工佩戴夸张耳饰"],
    "YRYB-4": ["柜员使用方言与客户交流,客户听不懂"],
    "YRYB-5": ["员工对客户说“你自己看嘛,上面都写着”"],
    "YRYB-6": ["解释理财产品时使用大量专业术语,客户表示没听懂"],
    "LSFW-3": ["未识别贵宾客户,贵宾客户在普通区排队40分钟"],
    "LSFW-5": ["简单查询业务未分流至自助设备,柜面排队较长"],
    "LSFW-7": ["有理财意向的客户未转介至理财经理"],
    "TTDW-1": ["1号位无人站立值守", "1号位值守人员坐着玩手机"],
    "TTDW-2": ["自助服务区无人引导,老年客户操作困难"],
    "TTDW-8": ["1号位缺位时未按顺序补位"],
}
EVIDENCE = [
    "已对相关员工进行谈话提醒,并在晨会上通报",
    "已调整排班表,确保1、2号位专人值守,弹性柜员补位",
    "已组织网点全员学习服务规范并考试,成绩附后",
    "已清理现场并建立每日巡检表,附整改后照片",
    "已将该员工纳入下月服务礼仪培训名单",
]
APPEALS = [
    "当时该员工正在协助老年客户办理业务,并非空岗,有监控录像为证",
    "客户购买的是本行代销产品,非私售,附产品代销协议",
    "检查时段为系统故障应急处置,员工均在处理客户问题",
]


def _photo(rng: random.Random, taken: dt.datetime, label: str) -> bytes:
    from PIL import Image, ImageDraw

    base = rng.choice([(200, 190, 170), (180, 200, 210), (220, 210, 200), (170, 180, 170)])
    img = Image.new("RGB", (960, 720), base)
    d = ImageDraw.Draw(img)
    for _ in range(6):  # counters, screens, doors
        x, y = rng.randint(0, 800), rng.randint(100, 600)
        shade = tuple(max(0, c - rng.randint(40, 110)) for c in base)
        d.rectangle([x, y, x + rng.randint(80, 260), y + rng.randint(40, 160)], fill=shade)
    d.rectangle([0, 0, 960, 40], fill=(30, 30, 30))
    d.text((12, 12), f"{taken:%Y-%m-%d %H:%M}  {label}", fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70, exif=exif)
    return out.getvalue()


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=clock.SHANGHAI)


def _supervisors(outlet: OrgUnit) -> list[User]:
    ancestors = [outlet.path[:i] for i in range(OrgUnit.steplen, len(outlet.path), OrgUnit.steplen)]
    return list(
        User.objects.filter(groups__name=roles.SUPERVISOR, org_unit__path__in=ancestors, is_active=True)
        .order_by("pk")
        .distinct()
    )


def _visit(
    rng: random.Random, outlet: OrgUnit, sup: User, kind: str, day: dt.date, quality: float
) -> Inspection | None:
    template = rng.choice(BY_KIND[kind])
    moment = _at(day, rng)
    clock.set_clock(moment, speed=0)
    inspection = services.inspection_start_adhoc(actor=sup, outlet=outlet, template_code=template, kind=kind)
    staff = list(User.objects.filter(org_unit=outlet, is_active=True).values_list("pk", flat=True))
    for item in Item.objects.filter(version=inspection.version).order_by("section__order", "order"):
        p_fail = (1 - quality) * (0.3 if item.critical else 1.0)
        failed = rng.random() < p_fail
        na = not failed and rng.random() < 0.04
        note = rng.choice(NOTES.get(item.code, [f"未做到:{item.text}"])) if failed else ""
        who = rng.choice(staff) if failed and staff else None
        if item.response == Item.Response.POINTS:
            points = rng.randint(1, item.max_points - 1) if failed else item.max_points
            services.response_save(
                actor=sup,
                inspection=inspection,
                item_id=item.pk,
                points=points,
                note=note,
                staff_id=who,
                result="na" if na else "",
            )
        else:
            result = "fail" if failed else "na" if na else "pass"
            services.response_save(
                actor=sup,
                inspection=inspection,
                item_id=item.pk,
                result=result,
                note=note,
                staff_id=who,
                position=item.position if failed else None,
            )
        if failed and item.photo_required:
            services.photo_add(
                actor=sup, inspection=inspection, item_id=item.pk, content=_photo(rng, moment, item.code)
            )
    return services.inspection_submit(actor=sup, inspection=inspection)


def _rectify(rng: random.Random, task: RectificationTask, today: dt.date, *, neglect: bool = False) -> None:
    """Move `task` through a plausible life given its age: old ones closed, recent ones still open, the
    `neglect`ed ones left open to be overdue and escalated."""
    opened = clock.business_date(task.opened_at)
    age = calendar.business_days_between(opened, today)
    owner = task.owner
    checkers = _supervisors(task.unit)
    if owner is None or age < 1 or not checkers:
        return
    checker = rng.choice([c for c in checkers if c.pk != owner.pk] or checkers)
    roll = rng.random()
    if roll < 0.06 and age > 2:  # appeal within the window
        clock.set_clock(_at(calendar.add_business_days(opened, 2), rng), speed=0)
        services.task_appeal(actor=owner, task=task, reason=rng.choice(APPEALS))
        if age > 6 and rng.random() < 0.8:  # a few still wait for the branch's decision
            clock.set_clock(_at(calendar.add_business_days(opened, 5), rng), speed=0)
            finder = task.finding.supervisor_id if task.finding else None
            deciders = [c for c in checkers if c.pk != finder] or checkers
            uphold = rng.random() < 0.4
            services.task_appeal_decide(
                actor=rng.choice(deciders),
                task=task,
                uphold=uphold,
                note="经调取录像核实,申诉成立" if uphold else "录像显示问题属实,申诉不成立",
            )
        return
    if neglect or (age < 4 and roll < 0.6) or 0.05 <= roll < 0.12:
        return  # still open: recent, or neglected (it will be overdue and escalated)
    late = rng.random() < 0.15
    fix_after = min(age - 1, (8 if late else rng.randint(1, 4)))
    clock.set_clock(_at(calendar.add_business_days(opened, max(1, fix_after)), rng), speed=0)
    services.task_submit_evidence(
        actor=owner,
        task=task,
        evidence=rng.choice(EVIDENCE),
        photo_files=[_photo(rng, clock.now(), "整改后")] if rng.random() < 0.5 else [],
    )
    if age - fix_after < 2:
        return  # awaiting verification
    clock.set_clock(_at(calendar.add_business_days(opened, fix_after + 1), rng), speed=0)
    r = rng.random()
    if r < 0.1:
        services.task_reopen(actor=checker, task=task, note="复查时问题依旧,请继续整改")
        if age - fix_after > 5 and rng.random() < 0.6:  # the rest are still being reworked
            clock.set_clock(_at(calendar.add_business_days(opened, fix_after + 3), rng), speed=0)
            services.task_submit_evidence(actor=owner, task=task, evidence="已再次整改,附照片")
    elif r < 0.2:
        services.task_defer(actor=checker, task=task)
    else:
        services.task_verify(actor=checker, task=task, note="复查通过")


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    started = time.monotonic()
    services.templates_install_builtin(actor=SYSTEM)
    rng = random.Random(bank.seed + 14)
    today = clock.today()
    days = 90 if options.get("quick") else 365
    visits = 0
    # The history is written at its own dates; the caller's clock (frozen in tests) is restored after.
    with clock.frozen(clock.now()):
        for outlet in bank.outlets:
            sups = _supervisors(outlet)
            if not sups:
                continue
            quality = rng.uniform(0.72, 0.93)
            day = today - dt.timedelta(days=days)
            while True:
                day = calendar.next_business_day(day + dt.timedelta(days=rng.randint(10, 24)))
                if day >= today:
                    break
                progress = 1 - (today - day).days / days
                kind = rng.choices(list(BY_KIND), weights=[5, 3, 2])[0]
                try:
                    _visit(rng, outlet, rng.choice(sups), kind, day, min(0.99, quality + 0.04 * progress))
                    visits += 1
                except DomainError:
                    continue
        tasks = RectificationTask.objects.select_related("owner", "finding").order_by("opened_at", "pk")
        inspected = 0
        for task in tasks:
            # One inspection task in eight is left neglected, so the ledger always shows overdue, escalated
            # inspection tasks, however many tasks other apps' demos opened before this step (they share `rng`).
            neglect = False
            if task.source_kind == "inspection":
                neglect = inspected % 8 == 5
                inspected += 1
            try:
                _rectify(rng, task, today, neglect=neglect)
            except DomainError:
                continue
    out.write(f"inspections: {visits} visits over {days} days in {time.monotonic() - started:.1f}s\n")


def finish(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    """The escalation sweep once every app has built: overdue tasks of every source, the forbidden phrases
    that the knowledge step reports after this app's step included, climb the org tree."""
    escalated = services.tasks_escalate(actor=ACTOR)
    states = {s: RectificationTask.objects.filter(status=s).count() for s in RectificationTask.Status.values}
    out.write(f"rectification ledger: {states}, {escalated} escalated\n")
