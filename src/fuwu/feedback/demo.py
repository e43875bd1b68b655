"""Demo: pad ratings for the floor's simulated days (dissatisfaction rises with wait), feedback, a survey import."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django.db import transaction

from fuwu.core import clock
from fuwu.core.principals import SYSTEM
from fuwu.core.services import device_token_issue
from fuwu.feedback import importers, rules, services
from fuwu.feedback.models import DEFAULT_REASONS, Evaluation, FeedbackItem, FollowUp, PadConfig
from fuwu.floor.models import Counter, Ticket

OTHER_REASONS = [r for r in DEFAULT_REASONS if r != "等候时间长"]
OUTCOME_NOTES = {
    "resolved": "已电话回访致歉，客户表示理解",
    "explained": "已向客户解释业务规定，客户接受",
    "unreachable": "三次致电未接通，已短信致歉",
    "coached": "已对当班柜员进行服务辅导",
    "fault_found": "经核实柜员未履行一次性告知义务，纳入整改",
}


def _probabilities(wait_seconds: float) -> tuple[float, float]:
    """(p dissatisfied, p basically satisfied) for a wait: both climb with the wait, capped at one hour."""
    load = min(max(wait_seconds, 0.0) / 3600.0, 1.0)
    return 0.01 + 0.30 * load, 0.06 + 0.20 * load


def build(bank: Any, *, out: Any, options: dict[str, Any]) -> None:
    quick = bool(options.get("quick"))
    rng = bank.rng
    PadConfig.objects.get_or_create(
        outlet=None, defaults={"window_seconds": 180, "reasons": list(DEFAULT_REASONS)}
    )
    rated = _ratings(rng)
    if rated:
        out.write(f"feedback: {rated} pad ratings on the floor's history\n")
    items = _feedback_items(bank, rng, per_outlet=2 if quick else 8)
    out.write(f"feedback: {items} feedback-box messages\n")
    out.write(f"feedback: {_survey(bank, rng, per_outlet=3 if quick else 25)}\n")
    for measure, target in (
        ("service_csat", Decimal(90)),
        ("overall_csat", Decimal(92)),
        ("nps", Decimal(30)),
    ):
        services.survey_target_set(actor=SYSTEM, org_unit=bank.head_office, measure=measure, target=target)
    counter = Counter.objects.filter(outlet__code="BJ-HD-01").order_by("number").first()
    if counter is not None:
        _token, raw = device_token_issue(
            actor=SYSTEM, org_unit=counter.outlet, kind="pad", counter_code=counter.code, name="demo pad"
        )
        out.write(f"feedback: pad for {counter.outlet.name} {counter}: /feedback/pad/#token={raw}\n")


@transaction.atomic
def _ratings(rng: Any) -> int:
    tickets = list(
        Ticket.objects.filter(
            status=Ticket.Status.FINISHED,
            counter__isnull=False,
            finished_at__isnull=False,
            evaluation__isnull=True,
        ).values_list(
            "pk", "outlet_id", "counter_id", "staff_id", "issued_at", "called_at", "finished_at", "number"
        )
    )
    if not tickets:
        return 0  # no floor history: nothing to rate
    evaluations = []
    for pk, outlet_id, counter_id, staff_id, issued, called, finished, _number in tickets:
        if rng.random() > 0.86:  # not every customer presses the pad
            continue
        wait = (called - issued).total_seconds() if called and issued else 0.0
        p_bad, p_basic = _probabilities(wait)
        draw = rng.random()
        if draw < p_bad:
            rating = Evaluation.Rating.DISSATISFIED
            reasons = ["等候时间长"] if wait > 900 and rng.random() < 0.8 else [rng.choice(OTHER_REASONS)]
        elif draw < p_bad + p_basic:
            rating = Evaluation.Rating.BASICALLY_SATISFIED
            reasons = ["等候时间长"] if wait > 1200 and rng.random() < 0.5 else []
        else:
            rating, reasons = Evaluation.Rating.SATISFIED, []
        evaluations.append(
            Evaluation(
                ticket_id=pk,
                outlet_id=outlet_id,
                counter_id=counter_id,
                staff_id=staff_id,
                rating=rating,
                reasons=reasons,
                at=cast(dt.datetime, finished) + dt.timedelta(seconds=rng.randint(3, 90)),
                source="pad",
            )
        )
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    bad = Evaluation.objects.filter(
        rating=Evaluation.Rating.DISSATISFIED, follow_up__isnull=True
    ).select_related("ticket", "outlet")
    heads = {}
    follow_ups = []
    now = clock.now()
    for evaluation in bad:
        if evaluation.outlet_id not in heads:
            heads[evaluation.outlet_id] = rules.outlet_head(evaluation.outlet)
        due = rules.end_of_business_day_after(evaluation.at, rules.FOLLOW_UP_BUSINESS_DAYS)
        follow_up = FollowUp(
            outlet_id=evaluation.outlet_id,
            source=FollowUp.Source.EVALUATION,
            evaluation=evaluation,
            staff_id=evaluation.staff_id,
            owner=heads[evaluation.outlet_id],
            opened_at=evaluation.at,
            due_at=due,
            summary=f"{evaluation.ticket.number} " + "、".join(evaluation.reasons),
        )
        if due < now and rng.random() < 0.9:  # most past ones were handled in time
            outcome = rng.choice(list(OUTCOME_NOTES))
            follow_up.status, follow_up.outcome, follow_up.outcome_note = (
                "closed",
                outcome,
                OUTCOME_NOTES[outcome],
            )
            follow_up.touched_at = evaluation.at + dt.timedelta(hours=2)
            follow_up.closed_at = evaluation.at + dt.timedelta(hours=rng.randint(3, 30))
        follow_ups.append(follow_up)
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    # A follow-up that found a fault is a service defect: it goes to the rectification ledger, at its own date,
    # as the closing service does (S3, #14).
    faults = FollowUp.objects.filter(outcome=FollowUp.Outcome.FAULT_FOUND, closed_at__isnull=False)
    for follow_up in faults.select_related("outlet").order_by("closed_at"):
        with clock.frozen(cast(dt.datetime, follow_up.closed_at)):
            services._report_fault(SYSTEM, follow_up)
    return len(evaluations)


@transaction.atomic
def _feedback_items(bank: Any, rng: Any, *, per_outlet: int) -> int:
    from fuwu.feedback.text import analysis  # jieba and the model: loaded when the demo builds
    from fuwu.feedback.text.train import DATA, load

    texts, _labels = load(DATA / "train.tsv")
    now = clock.now()
    created = []
    staff_by_outlet: dict[int, list[Any]] = {}
    for user in bank.staff:
        if user.org_unit_id is not None:
            staff_by_outlet.setdefault(user.org_unit_id, []).append(user)
    for outlet in bank.outlets:
        head = rules.outlet_head(outlet)
        for _ in range(per_outlet):
            text = rng.choice(texts)
            found = analysis.analyze(text)
            submitted = now - dt.timedelta(days=rng.randint(0, 27), minutes=rng.randint(0, 600))
            staff = (
                rng.choice(staff_by_outlet[outlet.pk])
                if staff_by_outlet.get(outlet.pk) and rng.random() < 0.3
                else None
            )
            item = FeedbackItem(
                outlet=outlet,
                channel=rng.choice(["qr", "online"]),
                subject="staff" if staff else "outlet",
                staff=staff,
                # Praise of a named staff member is a compliment (K5 stars count it), as triage would mark it.
                is_compliment=staff is not None and found.sentiment == FeedbackItem.Sentiment.POSITIVE,
                text=text,
                client_key=f"demo-{rng.random()}",
                access_hash=secrets.token_hex(32),
                submitted_at=submitted,
                owner=head,
                reply_due_at=rules.end_of_business_day_after(submitted, rules.FEEDBACK_REPLY_BUSINESS_DAYS),
                sentiment=found.sentiment,
                topics=found.topics,
                terms=found.terms,
            )
            if submitted < now - dt.timedelta(days=2) and rng.random() < 0.85:
                item.status, item.reply, item.replied_at, item.replied_by = (
                    "replied",
                    "感谢您的宝贵意见，我们已安排改进，欢迎再次光临。",
                    submitted + dt.timedelta(hours=20),
                    head,
                )
            created.append(item)
    FeedbackItem.objects.bulk_create(created, batch_size=1000)
    negatives = [i for i in created if i.sentiment == "negative"]
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                outlet=i.outlet,
                source=FollowUp.Source.FEEDBACK,
                feedback=i,
                staff=i.staff,
                owner=i.owner,
                summary=i.text[:80],
                opened_at=i.submitted_at,
                due_at=rules.end_of_business_day_after(i.submitted_at, rules.FOLLOW_UP_BUSINESS_DAYS),
                status="closed" if i.status == "replied" else "open",
                outcome="resolved" if i.status == "replied" else "",
                closed_at=i.replied_at,
                outcome_note=OUTCOME_NOTES["resolved"] if i.status == "replied" else "",
            )
            for i in negatives
        ]
    )
    return len(created)


def _survey(bank: Any, rng: Any, *, per_outlet: int) -> str:
    """Write the survey vendor's file for the last quarter and import it through the real importer."""
    today = clock.today()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["response_id", "outlet_code", "date", "nps", "service_csat", "overall_csat", "comment"]
            )
            n = 0
            for outlet in bank.outlets:
                quality = rng.uniform(-0.8, 0.8)  # some outlets are simply better run
                for _ in range(per_outlet):
                    n += 1
                    nps = max(0, min(10, round(rng.gauss(8.2 + quality, 1.6))))
                    service = max(1, min(5, round(rng.gauss(4.4 + quality / 2, 0.7))))
                    overall = max(1, min(5, round(rng.gauss(4.3 + quality / 2, 0.7))))
                    comment = "排队时间太长" if nps <= 4 else ("服务很好" if nps >= 9 else "")
                    writer.writerow(
                        [
                            f"SV-{bank.seed}-{n:06d}",
                            outlet.code,
                            (today - dt.timedelta(days=rng.randint(1, 90))).isoformat(),
                            nps,
                            service,
                            overall,
                            comment,
                        ]
                    )
        return importers.survey_import_file(
            path,
            actor=SYSTEM,
            org_unit=bank.head_office,
            file_name="季度满意度调查.csv",
            provider="第三方调查公司",
        )
