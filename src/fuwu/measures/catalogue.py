"""The one catalogue of measures (K1): what each number means, exactly, and how it is built.

Every measure is a formula over *parts*: additive quantities (counts, sums, fixed-bucket histogram counts)
that are computed per (unit, business date, cut) by the rollup builder and, unchanged, by the Ibis
definitions over the raw facts. Because parts only ever add up, any org level and any period is a sum
of daily rows, and one `evaluate()` turns parts into figures for every engine. A measure whose
denominator is zero has no value (None, shown as "no data"), never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Lower edges (seconds) of the wait-time histogram: 1-minute buckets to 30 min, 5-minute to 60 min,
# 15-minute to 120 min, then one open bucket. A p90 read from it is within one bucket of the exact value.
WAIT_EDGES: tuple[int, ...] = (
    tuple(range(0, 1800, 60)) + tuple(range(1800, 3600, 300)) + tuple(range(3600, 7200, 900)) + (7200,)
)
N_BUCKETS = len(WAIT_EDGES)


def wait_bucket(seconds: float) -> int:
    """Index of the histogram bucket holding a wait of `seconds` (negative clock skew counts as 0)."""
    index = 0
    for i, edge in enumerate(WAIT_EDGES):
        if seconds >= edge:
            index = i
        else:
            break
    return index


def bucket_upper(index: int) -> int:
    """Upper edge of a bucket; the open last bucket reports its lower edge."""
    return WAIT_EDGES[index + 1] if index + 1 < N_BUCKETS else WAIT_EDGES[index]


# Additive parts. Durations are whole seconds between timestamps truncated to the second.
COUNT_PARTS: tuple[str, ...] = (
    "issued",  # tickets issued on the business date
    "called",  # tickets with a first call
    "within_target",  # called tickets whose wait ≤ the business type's target wait
    "finished",  # tickets served to the end (status finished)
    "service_n",  # finished tickets with both start and finish times
    "no_show",
    "diverted",
    "evaluated",  # finished tickets that carry an evaluation
    "satisfied",
    "basically_satisfied",
    "complaints",  # complaints received (merged duplicates excluded), by business date received
    "complaints_closed",  # complaints closed, by business date closed
    "complaints_on_time",  # closed at or before their due time
    "cycle_days",  # Σ calendar days received → closed, over closed complaints
    "cycle_business_days",  # Σ business days (received, closed], over closed complaints
    "feedback_replied",  # feedback-box items replied, by business date replied
    "feedback_replied_on_time",  # replied at or before their reply due time
)
SUM_PARTS: tuple[str, ...] = ("wait_sum", "service_sum")  # seconds
HIST_PARTS: tuple[str, ...] = tuple(f"w{i:02d}" for i in range(N_BUCKETS))  # wait histogram counts
# Contact-centre parts (W5 facts: staffing.CallRecord), by the business date the call was offered on.
# Durations are whole seconds between timestamps truncated to the second, as for tickets.
ANSWER_TARGET_SECONDS = 20  # service-level threshold: answered at most 20 s after being offered
SHORT_ABANDON_SECONDS = 5  # a caller who hangs up within 5 s is not counted against the service level
CALL_COUNT_PARTS: tuple[str, ...] = (
    "calls_offered",  # calls offered to the line's agents
    "calls_answered",  # answered by an agent
    "calls_answered_in_target",  # answered ≤ 20 s after being offered
    "calls_abandoned",  # the caller hung up before an answer
    "calls_abandoned_short",  # abandoned ≤ 5 s after being offered
    "calls_handled",  # answered calls with an end time (the handle-time denominator)
)
CALL_SUM_PARTS: tuple[str, ...] = ("handle_sum",)  # Σ seconds answered → ended, over handled calls
CALL_PARTS: tuple[str, ...] = CALL_COUNT_PARTS + CALL_SUM_PARTS
# Supervision parts (S2–S3 facts: inspections.Inspection and the rectification ledger, declared by
# inspections/fact_tables.py as the "inspections" and "rectifications" tables). Inspections count on their
# visit date with their score as it stands now (an upheld appeal restores it); ledger tasks on the business
# date of the event named.
INSPECTION_COUNT_PARTS: tuple[str, ...] = (
    "inspections_submitted",  # submitted inspections of any kind, by visit date
    "mystery_submitted",  # of those, kind 神秘人
    "findings",  # findings of those inspections not removed on appeal
    "rect_verified",  # ledger tasks (every source) verified, by business date verified
    "rect_verified_on_time",  # of those, the last evidence submitted on or before the due date
)
INSPECTION_SUM_PARTS: tuple[str, ...] = ("inspection_score_sum", "mystery_score_sum")  # Σ 0–100 scores
# Stock parts: signed changes of a balance (+1 when a task opens or falls overdue, −1 when it closes or
# leaves the overdue state), so a balance at the end of a date is the sum of its rows up to that date and
# still adds across units. Readers sum them from the first rollup up to the period's last date (or today).
LEDGER_STOCK_PARTS: tuple[str, ...] = (
    "rect_open",  # +1 on the date opened, −1 on the date closed (verified, or withdrawn on appeal)
    "rect_overdue",  # +1 the day after the due date, −1 when evidence is submitted (and stands) or the task closes
)
INSPECTION_PARTS: tuple[str, ...] = INSPECTION_COUNT_PARTS + INSPECTION_SUM_PARTS + LEDGER_STOCK_PARTS
# Training parts (T1 facts: training.Assignment, declared by training/fact_tables.py as "training"), on the
# assignment's due date at the learner's unit when assigned; cancelled assignments count nowhere. Also cut
# by course (the rollups' "course" cut, keyed by course code).
TRAINING_PARTS: tuple[str, ...] = (
    "training_due",  # assignments falling due on the date
    "training_on_time",  # of those, completed on or before the due date (Shanghai business date)
    "training_completed",  # of those, completed at all (late included)
)
# Service-language parts (A3 facts: knowledge.LanguageCheck, declared by knowledge/fact_tables.py as
# "language"): each checked text (a staff reply or a call transcript), on its business date at its unit; also
# cut by agent (the rollups' "agent" cut, keyed by agent code).
LANGUAGE_PARTS: tuple[str, ...] = (
    "lang_checked",  # texts checked
    "lang_hits",  # Σ forbidden-phrase hits in them
    "lang_with_hit",  # texts with at least one forbidden phrase
    "lang_calls",  # of the texts, call transcripts (where the greeting and farewell are required)
    "lang_calls_complete",  # calls with every required phrase
)
# Approval parts (L1 facts: approvals.CaseStep, declared by approvals/fact_tables.py as "approval_steps"):
# each step decided (approved, returned or rejected) on the business date decided, at its owner unit; also cut
# by step (the rollups' "step" cut, keyed "PROCESS:step"). Elapsed is business seconds from activation to
# decision on the approvals calendar (the unit the step limits are set in); waiting is the business seconds
# paused for the customer's documents. A fixed histogram of elapsed business hours gives median and p90.
STEP_EDGES_HOURS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24, 32, 40, 48, 64, 80, 120)
STEP_HIST_PARTS: tuple[str, ...] = tuple(f"a{i:02d}" for i in range(len(STEP_EDGES_HOURS)))
APPROVAL_COUNT_PARTS: tuple[str, ...] = (
    "appr_decided",  # steps decided
    "appr_breached",  # of those, decided after their (pause-adjusted) due time
    *STEP_HIST_PARTS,
)
APPROVAL_SUM_PARTS: tuple[str, ...] = (
    "appr_elapsed_sum",  # Σ business seconds activation → decision
    "appr_paused_sum",  # Σ business seconds paused for the customer
    "appr_wall_sum",  # Σ wall-clock seconds activation → decision
)
# A balance like the ledger's (see STOCK_PARTS): +1 when a step becomes active, −1 when it stops being active.
APPROVAL_STOCK_PARTS: tuple[str, ...] = ("appr_open",)
APPROVAL_PARTS: tuple[str, ...] = APPROVAL_COUNT_PARTS + APPROVAL_SUM_PARTS + APPROVAL_STOCK_PARTS
# Next-product parts (P3 facts: customers.Suggestion, declared by customers/fact_tables.py as "suggestions"):
# each suggestion on the business date it was shown, at its outlet, with its reaction as it stands now; also
# cut by staff member (the rollups' "staff" cut: the referrer credited, else whom it was shown to) and by
# product (the "product" cut, keyed by product code).
SUGGESTION_PARTS: tuple[str, ...] = (
    "sugg_shown",  # suggestions shown
    "sugg_accepted",  # of those, accepted by the customer
    "sugg_referred",  # of those, referred to a relationship manager
)
# Compliment parts (K5 facts: feedback.FeedbackItem marked a compliment, declared by feedback/fact_tables.py
# as "compliments"): on the business date written, at its outlet; also cut by the staff member it names.
COMPLIMENT_PARTS: tuple[str, ...] = ("compliments",)
PARTS: tuple[str, ...] = (
    COUNT_PARTS
    + SUM_PARTS
    + HIST_PARTS
    + CALL_PARTS
    + INSPECTION_PARTS
    + TRAINING_PARTS
    + LANGUAGE_PARTS
    + APPROVAL_PARTS
    + SUGGESTION_PARTS
    + COMPLIMENT_PARTS
)
COMPLAINT_PARTS = (
    "complaints",
    "complaints_closed",
    "complaints_on_time",
    "cycle_days",
    "cycle_business_days",
)
FEEDBACK_PARTS = ("feedback_replied", "feedback_replied_on_time")
TICKET_PARTS = (
    frozenset(PARTS)
    - set(COMPLAINT_PARTS)
    - set(FEEDBACK_PARTS)
    - set(CALL_PARTS)
    - set(INSPECTION_PARTS)
    - set(TRAINING_PARTS)
    - set(LANGUAGE_PARTS)
    - set(APPROVAL_PARTS)
    - set(SUGGESTION_PARTS)
    - set(COMPLIMENT_PARTS)
)
# Every balance part, whatever app it comes from: readers sum these up to a date instead of over a period.
STOCK_PARTS: tuple[str, ...] = LEDGER_STOCK_PARTS + APPROVAL_STOCK_PARTS

Parts = Mapping[str, float]


def empty_parts() -> dict[str, float]:
    return dict.fromkeys(PARTS, 0)


def add_parts(into: dict[str, float], other: Parts) -> dict[str, float]:
    for name in PARTS:
        into[name] += other.get(name, 0) or 0
    return into


def sum_parts(many: Iterable[Parts]) -> dict[str, float]:
    total = empty_parts()
    for parts in many:
        add_parts(total, parts)
    return total


def over_steps(steps: Iterable[Parts]) -> dict[str, float]:
    """A period's parts from its consecutive steps: flows summed, each balance as of the last step."""
    total = empty_parts()
    last: Parts = {}
    for parts in steps:
        add_parts(total, parts)
        last = parts
    for name in STOCK_PARTS:
        total[name] = last.get(name, 0) or 0
    return total


def _ratio(num: str, den: str, scale: float = 1.0) -> Callable[[Parts], float | None]:
    def formula(p: Parts) -> float | None:
        denominator = p.get(den, 0)
        return None if not denominator else p.get(num, 0) / denominator * scale

    return formula


def _ratio_sum(nums: tuple[str, ...], den: str, scale: float = 1.0) -> Callable[[Parts], float | None]:
    def formula(p: Parts) -> float | None:
        denominator = p.get(den, 0)
        return None if not denominator else sum(p.get(n, 0) for n in nums) / denominator * scale

    return formula


def _count(name: str) -> Callable[[Parts], float | None]:
    return lambda p: float(p.get(name, 0))


def p90_wait_seconds(p: Parts) -> float | None:
    """Upper edge of the bucket holding the nearest-rank 90th percentile of the waits."""
    counts = [int(p.get(name, 0)) for name in HIST_PARTS]
    total = sum(counts)
    if not total:
        return None
    rank = math.ceil(0.9 * total)
    running = 0
    for index, count in enumerate(counts):
        running += count
        if running >= rank:
            return float(bucket_upper(index))
    raise AssertionError("histogram ranks exhausted")  # unreachable: running reaches total ≥ rank


def _p90_minutes(p: Parts) -> float | None:
    value = p90_wait_seconds(p)
    return None if value is None else value / 60


ORG = "org"
TIME_GRAINS = ("day", "week", "month", "quarter", "year")
TICKET_GRAINS = (ORG, "counter", "staff", "service", "tier", "hour", *TIME_GRAINS)
COMPLAINT_GRAINS = (ORG, *TIME_GRAINS)
CALL_GRAINS = (ORG, "line", "hour", *TIME_GRAINS)  # org = the contact centre (and every unit above it)
INSPECTION_GRAINS = (ORG, *TIME_GRAINS)
TRAINING_GRAINS = (ORG, "course", *TIME_GRAINS)
LANGUAGE_GRAINS = (ORG, "agent", *TIME_GRAINS)
APPROVAL_GRAINS = (ORG, "step", *TIME_GRAINS)
SUGGESTION_GRAINS = (ORG, "staff", "product", *TIME_GRAINS)
COMPLIMENT_GRAINS = (ORG, "staff", *TIME_GRAINS)


def step_bucket(hours: float) -> int:
    """Index of the elapsed-hours histogram bucket holding `hours` of business time."""
    index = 0
    for i, edge in enumerate(STEP_EDGES_HOURS):
        if hours >= edge:
            index = i
        else:
            break
    return index


def _step_quantile(q: float) -> Callable[[Parts], float | None]:
    """Upper edge (hours) of the bucket holding the nearest-rank q-quantile of the elapsed business hours."""

    def formula(p: Parts) -> float | None:
        counts = [int(p.get(name, 0)) for name in STEP_HIST_PARTS]
        total = sum(counts)
        if not total:
            return None
        rank, running = math.ceil(q * total), 0
        for index, count in enumerate(counts):
            running += count
            if running >= rank:
                edges = STEP_EDGES_HOURS
                return float(edges[index + 1] if index + 1 < len(edges) else edges[index])
        raise AssertionError("histogram ranks exhausted")  # unreachable: running reaches total ≥ rank

    return formula


def _working_hours(p: Parts) -> float | None:
    n = p.get("appr_decided", 0)
    return None if not n else (p.get("appr_elapsed_sum", 0) - p.get("appr_paused_sum", 0)) / n / 3600


def _call_service_level(p: Parts) -> float | None:
    """Answered within 20 s ÷ (answered + abandoned after more than 5 s), in %."""
    base = p.get("calls_answered", 0) + p.get("calls_abandoned", 0) - p.get("calls_abandoned_short", 0)
    return None if not base else p.get("calls_answered_in_target", 0) / base * 100


@dataclass(frozen=True)
class Measure:
    id: str
    name: Promise | str
    name_zh: str
    unit: str
    higher_is_better: bool
    definition: Promise | str
    facts: tuple[str, ...]
    grains: tuple[str, ...]
    formula: Callable[[Parts], float | None] = field(repr=False)
    decimals: int = 1
    # A rate or score whose change is better or worse; a volume (tickets issued) is shown uncoloured (#19).
    judged: bool = True
    # Rankings list a unit or person only when this part (the measure's denominator) reaches `min_volume`
    # in the period: 9 evaluations do not make a satisfaction champion (#19).
    volume: str = ""
    min_volume: int = 0

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"

    @property
    def unit_label(self) -> str:
        """The unit as shown beside a figure (分钟, %, 笔…), never the code."""
        return str(UNIT_LABELS.get(self.unit, self.unit))

    @property
    def stock(self) -> bool:
        """A balance at the end of the period (open tasks), not a flow over it."""
        return bool(set(parts_read([self.id])) & set(STOCK_PARTS))

    def ranked(self, parts: Parts) -> bool:
        """Whether a row with these parts has the volume to take a place in a ranking."""
        return not self.volume or parts.get(self.volume, 0) >= self.min_volume

    def value(self, parts: Parts) -> float | None:
        return self.formula(parts)


MINUTES = "min"
PERCENT = "%"
COUNT = "count"
POINTS = "points"
PER_INSPECTION = "per inspection"
PER_100_TEXTS = "per 100 texts"
HOURS = "h"
UNIT_LABELS: dict[str, Promise | str] = {
    MINUTES: _("min"),
    PERCENT: "%",
    COUNT: _("count"),
    "‱": "‱",
    "d": _("days"),
    "s": _("s"),
    POINTS: _("points"),
    PER_INSPECTION: _("per inspection"),
    PER_100_TEXTS: _("per 100 texts"),
    HOURS: _("hours"),
}
# The least volume for a place in a ranking (#19): evaluations for satisfaction, called tickets for waits…
MIN_EVALUATIONS = 30
MIN_TICKETS = 30
MIN_CALLS = 100
MIN_SUGGESTIONS = 20

MEASURES: tuple[Measure, ...] = (
    Measure(
        "tickets_issued",
        _("Tickets issued"),
        "取号量",
        COUNT,
        True,
        _("Tickets issued on the business date."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _count("issued"),
        0,
        judged=False,
    ),
    Measure(
        "tickets_served",
        _("Tickets served"),
        "服务量",
        COUNT,
        True,
        _("Tickets served to the end (status finished)."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _count("finished"),
        0,
        judged=False,
    ),
    Measure(
        "avg_wait",
        _("Average wait"),
        "平均等候时间",
        MINUTES,
        False,
        _("Mean of (first called − issued) over tickets called, in minutes."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _ratio("wait_sum", "called", 1 / 60),
        volume="called",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "p90_wait",
        _("90th percentile wait"),
        "90%分位等候时间",
        MINUTES,
        False,
        _("Nearest-rank 90th percentile of the waits, as the upper edge of its fixed histogram bucket."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _p90_minutes,
        volume="called",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "served_within_target",
        _("Called within target wait"),
        "等候达标率",
        PERCENT,
        True,
        _("Tickets whose wait ≤ the business type's target wait ÷ tickets called."),
        ("floor.Ticket", "floor.ServiceType"),
        TICKET_GRAINS,
        _ratio("within_target", "called", 100),
        volume="called",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "avg_service",
        _("Average service time"),
        "平均办理时间",
        MINUTES,
        False,
        _("Mean of (finished − started) over finished tickets, in minutes."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _ratio("service_sum", "service_n", 1 / 60),
        volume="service_n",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "no_show_rate",
        _("No-show rate"),
        "过号率",
        PERCENT,
        False,
        _("Tickets closed as no-show ÷ tickets called."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _ratio("no_show", "called", 100),
        volume="called",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "diversion_rate",
        _("Diversion rate"),
        "分流率",
        PERCENT,
        True,
        _("Tickets diverted to self-service or e-channels ÷ tickets issued."),
        ("floor.Ticket",),
        TICKET_GRAINS,
        _ratio("diverted", "issued", 100),
        volume="issued",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "evaluation_rate",
        _("Evaluation rate"),
        "评价率",
        PERCENT,
        True,
        _("Finished tickets with an evaluation ÷ finished tickets."),
        ("floor.Ticket", "feedback.Evaluation"),
        TICKET_GRAINS,
        _ratio("evaluated", "finished", 100),
        volume="finished",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "satisfaction",
        _("Satisfaction (satisfied)"),
        "满意率",
        PERCENT,
        True,
        _("Evaluations 'satisfied' ÷ evaluations."),
        ("feedback.Evaluation",),
        TICKET_GRAINS,
        _ratio("satisfied", "evaluated", 100),
        volume="evaluated",
        min_volume=MIN_EVALUATIONS,
    ),
    Measure(
        "satisfaction_broad",
        _("Satisfaction (satisfied + basically)"),
        "满意及基本满意率",
        PERCENT,
        True,
        _("Evaluations 'satisfied' or 'basically satisfied' ÷ evaluations."),
        ("feedback.Evaluation",),
        TICKET_GRAINS,
        _ratio_sum(("satisfied", "basically_satisfied"), "evaluated", 100),
        volume="evaluated",
        min_volume=MIN_EVALUATIONS,
    ),
    Measure(
        "complaints_per_10k",
        _("Complaints per 10,000 served"),
        "万笔投诉量",
        "‱",
        False,
        _("Complaints received ÷ tickets finished × 10,000 (same unit and period)."),
        ("complaints.Complaint", "floor.Ticket"),
        COMPLAINT_GRAINS,
        _ratio("complaints", "finished", 10_000),
        2,
        volume="finished",
        min_volume=MIN_TICKETS,
    ),
    Measure(
        "complaint_cycle_days",
        _("Complaint cycle (calendar days)"),
        "投诉处理周期(自然日)",
        "d",
        False,
        _("Mean of calendar days from the date received to the date closed, over complaints closed."),
        ("complaints.Complaint",),
        COMPLAINT_GRAINS,
        _ratio("cycle_days", "complaints_closed"),
    ),
    Measure(
        "complaint_cycle_business_days",
        _("Complaint cycle (business days)"),
        "投诉处理周期(工作日)",
        "d",
        False,
        _("Mean of business days in (date received, date closed], over complaints closed."),
        ("complaints.Complaint", "core.CalendarDay"),
        COMPLAINT_GRAINS,
        _ratio("cycle_business_days", "complaints_closed"),
    ),
    Measure(
        "complaint_on_time",
        _("Complaints closed on time"),
        "投诉按时办结率",
        PERCENT,
        True,
        _("Complaints closed at or before their due time ÷ complaints closed."),
        ("complaints.Complaint",),
        COMPLAINT_GRAINS,
        _ratio("complaints_on_time", "complaints_closed", 100),
    ),
    Measure(
        "feedback_on_time",
        _("Feedback answered on time"),
        "意见及时答复率",
        PERCENT,
        True,
        _("Feedback-box messages replied at or before their reply due time ÷ messages replied."),
        ("feedback.FeedbackItem",),
        COMPLAINT_GRAINS,
        _ratio("feedback_replied_on_time", "feedback_replied", 100),
    ),
    Measure(
        "calls_offered",
        _("Calls offered"),
        "呼入量",
        COUNT,
        True,
        _("Calls offered to the line's agents, by the business date offered."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _count("calls_offered"),
        0,
        judged=False,
    ),
    Measure(
        "calls_answered",
        _("Calls answered"),
        "接通量",
        COUNT,
        True,
        _("Offered calls an agent answered."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _count("calls_answered"),
        0,
        judged=False,
    ),
    Measure(
        "call_answer_rate",
        _("Answer rate"),
        "接通率",
        PERCENT,
        True,
        _("Calls answered ÷ calls offered."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _ratio("calls_answered", "calls_offered", 100),
        volume="calls_offered",
        min_volume=MIN_CALLS,
    ),
    Measure(
        "call_service_level",
        _("20-second service level"),
        "20秒服务水平",
        PERCENT,
        True,
        # Abandons within 5 s count in neither part; seconds are whole, as for every duration here.
        _("Calls answered ≤ 20 s after being offered ÷ (answered + abandoned after more than 5 s)."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _call_service_level,
        volume="calls_offered",
        min_volume=MIN_CALLS,
    ),
    Measure(
        "call_abandon_rate",
        _("Abandon rate"),
        "放弃率",
        PERCENT,
        False,
        _("Calls abandoned before an answer (however soon) ÷ calls offered."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _ratio("calls_abandoned", "calls_offered", 100),
        volume="calls_offered",
        min_volume=MIN_CALLS,
    ),
    Measure(
        "call_aht",
        _("Average handle time"),
        "平均处理时长",
        "s",
        False,
        _("Mean of (ended − answered) over answered calls with an end time, in seconds."),
        ("staffing.CallRecord",),
        CALL_GRAINS,
        _ratio("handle_sum", "calls_handled"),
        0,
        volume="calls_handled",
        min_volume=MIN_CALLS,
    ),
    # Training (T1; seeds 000, 002, 003): assignments by role, unit, finding or lapsed certificate.
    Measure(
        "training_due",
        _("Training assignments due"),
        "到期培训任务数",
        COUNT,
        True,
        _(
            "Training assignments (not cancelled) falling due in the period, at the learner's unit when assigned."
        ),
        ("training.Assignment",),
        TRAINING_GRAINS,
        _count("training_due"),
        0,
        judged=False,
    ),
    Measure(
        "training_on_time",
        _("Training completed on time"),
        "按时完成培训数",
        COUNT,
        True,
        _("Of the training assignments due in the period, those completed on or before their due date."),
        ("training.Assignment",),
        TRAINING_GRAINS,
        _count("training_on_time"),
        0,
        judged=False,
    ),
    Measure(
        "training_completed",
        _("Training completed"),
        "已完成培训数",
        COUNT,
        True,
        _("Of the training assignments due in the period, those completed at all (late included)."),
        ("training.Assignment",),
        TRAINING_GRAINS,
        _count("training_completed"),
        0,
        judged=False,
    ),
    Measure(
        "training_completion",
        _("Training completion"),
        "培训按时完成率",
        PERCENT,
        True,
        _(
            "Training assignments due in the period completed on or before their due date (Shanghai business date) ÷ assignments due in the period (cancelled ones excluded)."
        ),
        ("training.Assignment",),
        TRAINING_GRAINS,
        _ratio("training_on_time", "training_due", 100),
        volume="training_due",
        min_volume=5,
    ),
    # Service language (A3; seeds 002–004): forbidden and required phrases in what staff write and say.
    Measure(
        "language_checked",
        _("Texts checked for service language"),
        "服务用语检查文本数",
        COUNT,
        True,
        _("Staff replies and call transcripts checked against the phrase dictionary in the period."),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _count("lang_checked"),
        0,
        judged=False,
    ),
    Measure(
        "forbidden_phrase_hits",
        _("Forbidden-phrase hits"),
        "禁用语命中次数",
        COUNT,
        False,
        _("Forbidden phrases (any variant) found in the texts checked in the period."),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _count("lang_hits"),
        0,
    ),
    Measure(
        "forbidden_phrase_rate",
        _("Forbidden phrases per 100 texts"),
        "禁用语百条命中数",
        PER_100_TEXTS,
        False,
        _("Forbidden-phrase hits ÷ texts checked × 100 (staff replies and call transcripts)."),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _ratio("lang_hits", "lang_checked", 100),
        2,
        volume="lang_checked",
        min_volume=20,
    ),
    Measure(
        "texts_with_forbidden_rate",
        _("Texts with a forbidden phrase"),
        "含禁用语文本占比",
        PERCENT,
        False,
        _("Texts checked with at least one forbidden phrase ÷ texts checked."),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _ratio("lang_with_hit", "lang_checked", 100),
        volume="lang_checked",
        min_volume=20,
    ),
    Measure(
        "language_calls_checked",
        _("Calls checked for required phrases"),
        "文明用语检查通话数",
        COUNT,
        True,
        _(
            "Call transcripts checked in the period (a single chat reply is not expected to greet and say goodbye)."
        ),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _count("lang_calls"),
        0,
        judged=False,
    ),
    Measure(
        "required_phrase_compliance",
        _("Required-phrase compliance"),
        "文明用语完整率",
        PERCENT,
        True,
        _(
            "Call transcripts containing every required phrase (greeting, farewell…) ÷ call transcripts checked."
        ),
        ("knowledge.LanguageCheck",),
        LANGUAGE_GRAINS,
        _ratio("lang_calls_complete", "lang_calls", 100),
        volume="lang_calls",
        min_volume=20,
    ),
    # Approvals (L1; seed 000): process steps with time limits, the fast track and the bottlenecks.
    Measure(
        "approval_steps_decided",
        _("Approval steps decided"),
        "审批环节办结数",
        COUNT,
        True,
        _("Approval steps approved, returned or rejected in the period (by business date decided)."),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _count("appr_decided"),
        0,
        judged=False,
    ),
    Measure(
        "approval_breach_rate",
        _("Approval step breach rate"),
        "审批环节超时率",
        PERCENT,
        False,
        _(
            "Steps decided after their due time (the limit in business hours, moved on by any pause for the customer) ÷ steps decided."
        ),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _ratio("appr_breached", "appr_decided", 100),
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_step_median_hours",
        _("Approval step median (business hours)"),
        "审批环节耗时中位数(工作小时)",
        HOURS,
        False,
        _(
            "Nearest-rank median of the business hours from a step's activation to its decision, as the upper edge of its fixed histogram bucket (1-hour buckets to 8 h, then 10, 12, 16, 24… 120 h)."
        ),
        ("approvals.CaseStep", "core.CalendarDay"),
        APPROVAL_GRAINS,
        _step_quantile(0.5),
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_step_p90_hours",
        _("Approval step 90th percentile (business hours)"),
        "审批环节耗时90%分位(工作小时)",
        HOURS,
        False,
        _(
            "Nearest-rank 90th percentile of the business hours from activation to decision, as the upper edge of its fixed histogram bucket."
        ),
        ("approvals.CaseStep", "core.CalendarDay"),
        APPROVAL_GRAINS,
        _step_quantile(0.9),
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_waiting_hours",
        _("Approval step waiting for the customer"),
        "审批环节等待客户时长(工作小时)",
        HOURS,
        False,
        _("Mean business hours a decided step was paused waiting for the customer's documents."),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _ratio("appr_paused_sum", "appr_decided", 1 / 3600),
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_working_hours",
        _("Approval step working time"),
        "审批环节办理时长(工作小时)",
        HOURS,
        False,
        _(
            "Mean business hours from activation to decision minus the time paused for the customer, over steps decided."
        ),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _working_hours,
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_calendar_hours",
        _("Approval step calendar hours"),
        "审批环节自然耗时(小时)",
        HOURS,
        False,
        _(
            "Mean wall-clock hours from a step's activation to its decision (what the customer waits), over steps decided."
        ),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _ratio("appr_wall_sum", "appr_decided", 1 / 3600),
        volume="appr_decided",
        min_volume=10,
    ),
    Measure(
        "approval_steps_open",
        _("Approval steps in progress"),
        "在办审批环节数",
        COUNT,
        False,
        _(
            "Approval steps waiting for a decision at the end of the period's last date (today for a period still running)."
        ),
        ("approvals.CaseStep",),
        APPROVAL_GRAINS,
        _count("appr_open"),
        0,
    ),
    # Supervision (S2–S3, seed 004): inspections and the rectification ledger of every defect source.
    Measure(
        "inspections",
        _("Inspections"),
        "检查次数",
        COUNT,
        True,
        _("Inspections of every kind submitted in the period, by visit date."),
        ("inspections.Inspection",),
        INSPECTION_GRAINS,
        _count("inspections_submitted"),
        0,
        judged=False,
    ),
    Measure(
        "inspection_score",
        _("Inspection score"),
        "检查平均得分",
        POINTS,
        True,
        _(
            "Mean 0–100 score of the inspections of every kind submitted in the period (by visit date), each as it stands now (an upheld appeal restores it). Score: 100 × Σ weight × earned ÷ Σ weight over applicable items; N/A items out of the denominator; a failed critical item caps it at 59."
        ),
        ("inspections.Inspection",),
        INSPECTION_GRAINS,
        _ratio("inspection_score_sum", "inspections_submitted"),
        2,
        volume="inspections_submitted",
        min_volume=1,
    ),
    Measure(
        "mystery_score",
        _("Mystery-shopper score"),
        "神秘人检查得分",
        POINTS,
        True,
        _(
            "The inspection score over mystery-shopper (神秘人) inspections only. Seed 004's target: the average rises by 2 points or more from one quarter to the next."
        ),
        ("inspections.Inspection",),
        INSPECTION_GRAINS,
        _ratio("mystery_score_sum", "mystery_submitted"),
        2,
        volume="mystery_submitted",
        min_volume=1,
    ),
    Measure(
        "findings_per_inspection",
        _("Findings per inspection"),
        "每次检查发现问题数",
        PER_INSPECTION,
        False,
        _(
            "Findings (failed items not removed on appeal) of the inspections submitted in the period ÷ those inspections."
        ),
        ("inspections.Inspection", "inspections.Finding"),
        INSPECTION_GRAINS,
        _ratio("findings", "inspections_submitted"),
        2,
        volume="inspections_submitted",
        min_volume=1,
    ),
    Measure(
        "rectification_on_time_rate",
        _("Rectification on-time rate"),
        "整改按时完成率",
        PERCENT,
        True,
        _(
            "Rectification tasks (every source) verified in the period whose last evidence was submitted on or before the due date ÷ tasks verified in the period."
        ),
        ("inspections.RectificationTask",),
        INSPECTION_GRAINS,
        _ratio("rect_verified_on_time", "rect_verified", 100),
        volume="rect_verified",
        min_volume=1,
    ),
    Measure(
        "open_rectifications",
        _("Open rectifications"),
        "未完成整改数",
        COUNT,
        False,
        _(
            "Rectification tasks (every source) opened and not yet verified or withdrawn on appeal at the end of the period's last date (today for a period still running), awaiting verification included."
        ),
        ("inspections.RectificationTask",),
        INSPECTION_GRAINS,
        _count("rect_open"),
        0,
    ),
    Measure(
        "overdue_rectifications",
        _("Overdue rectifications"),
        "逾期未整改数",
        COUNT,
        False,
        _(
            "Open rectification tasks past their due date with no evidence submitted (evidence rejected on reopening does not count), at the end of the period's last date (today for a period still running)."
        ),
        ("inspections.RectificationTask",),
        INSPECTION_GRAINS,
        _count("rect_overdue"),
        0,
    ),
    # Next product (P3; seeds 001/002): what the counter suggested and what the customers made of it.
    Measure(
        "suggestions_shown",
        _("Product suggestions shown"),
        "产品推荐展示次数",
        COUNT,
        True,
        _(
            "Next-product suggestions shown to staff for a customer in the period (a suggestion shown again the same day counts once)."
        ),
        ("customers.Suggestion",),
        SUGGESTION_GRAINS,
        _count("sugg_shown"),
        0,
        judged=False,
    ),
    Measure(
        "suggestion_conversion",
        _("Suggestion conversion rate"),
        "产品推荐转化率",
        PERCENT,
        True,
        _(
            "Suggestions shown in the period that the customer accepted or that were referred to a relationship manager ÷ suggestions shown in the period."
        ),
        ("customers.Suggestion",),
        SUGGESTION_GRAINS,
        _ratio_sum(("sugg_accepted", "sugg_referred"), "sugg_shown", 100),
        volume="sugg_shown",
        min_volume=MIN_SUGGESTIONS,
    ),
    # Compliments (K5; seed 000): praise in the feedback box, for the outlet and the staff member it names.
    Measure(
        "compliments",
        _("Compliments in feedback"),
        "表扬数",
        COUNT,
        True,
        _(
            "Feedback messages written in the period that the customer or triage marked as a compliment (表扬)."
        ),
        ("feedback.FeedbackItem",),
        COMPLIMENT_GRAINS,
        _count("compliments"),
        0,
    ),
)
BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}


def get(measure_id: str) -> Measure:
    from django.utils.translation import gettext

    from fuwu.core.errors import NotFound

    try:
        return BY_ID[measure_id]
    except KeyError as exc:
        raise NotFound(gettext("Unknown measure “%(measure)s”.") % {"measure": measure_id}) from exc


def evaluate(parts: Parts, measure_ids: Iterable[str] | None = None) -> dict[str, float | None]:
    """Every (or the chosen) measure's value from one set of parts."""
    chosen = [get(i) for i in measure_ids] if measure_ids else list(MEASURES)
    return {m.id: m.value(parts) for m in chosen}


def describe(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "name": str(measure.name),
        "name_zh": measure.name_zh,
        "unit": measure.unit,
        "direction": measure.direction,
        "definition": str(measure.definition),
        "facts": list(measure.facts),
        "grains": list(measure.grains),
        "unit_label": measure.unit_label,
        "judged": measure.judged,
        "stock": measure.stock,
        "volume": measure.volume,
        "min_volume": measure.min_volume,
    }


class _Reads(dict[str, float]):
    """Parts that remember which names a formula looked up."""

    def __init__(self, value: float) -> None:
        super().__init__(dict.fromkeys(PARTS, value))
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> float:
        self.read.add(key)
        return super().__getitem__(key)


_READS: dict[str, tuple[str, ...]] = {}


def parts_read(measure_ids: Iterable[str]) -> tuple[str, ...]:
    """The parts the chosen measures' formulas read (in PARTS order), so a reader sums only those columns.

    Found by evaluating each formula on parts that record their lookups, once with every part 1 and once
    with every part 0, so a branch taken only for a zero denominator still counts.
    """
    wanted: set[str] = set()
    for measure_id in measure_ids:
        if measure_id not in _READS:
            measure = get(measure_id)
            seen: set[str] = set()
            for value in (1.0, 0.0):
                probe = _Reads(value)
                measure.value(probe)
                seen |= probe.read
            _READS[measure_id] = tuple(name for name in PARTS if name in seen)
        wanted.update(_READS[measure_id])
    return tuple(name for name in PARTS if name in wanted)


# Per-fact parts that other apps read too (staffing's live call KPIs): kept here, in the leaf, so the
# definitions live in one place and those apps never import the rollup builder.
def seconds_between(later: dt.datetime, earlier: dt.datetime) -> int:
    """Whole seconds between two timestamps, each truncated to the second (as every engine does)."""
    return int(later.timestamp() // 1) - int(earlier.timestamp() // 1)


def call_parts(row: dict[str, Any]) -> dict[str, float]:
    """The parts one offered call contributes (answered, abandoned, or — if neither — only offered)."""
    parts: dict[str, float] = {"calls_offered": 1}
    if row["answered_at"] is not None:
        answer = seconds_between(row["answered_at"], row["offered_at"])
        parts.update(calls_answered=1, calls_answered_in_target=int(answer <= ANSWER_TARGET_SECONDS))
        if row["ended_at"] is not None:
            parts.update(calls_handled=1, handle_sum=seconds_between(row["ended_at"], row["answered_at"]))
    elif row["abandoned_at"] is not None:
        gave_up = seconds_between(row["abandoned_at"], row["offered_at"])
        parts.update(calls_abandoned=1, calls_abandoned_short=int(gave_up <= SHORT_ABANDON_SECONDS))
    return parts
