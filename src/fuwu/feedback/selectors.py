"""Reads for the pad, F2 evaluation measures, the feedback box, surveys and follow-ups (org-scoped).

Every selector takes `fetched_by` by keyword and checks the read permission with `core.access.require`
before it reads (a pad holds only the right to rate, a teller none of the view rights), then narrows to the
principal's units with `core.scoping`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from fuwu.core import clock
from fuwu.core.access import require
from fuwu.core.errors import Forbidden, NotFound, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import DevicePrincipal, Principal
from fuwu.core.scoping import get_visible, visible
from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp, SurveyResponse, SurveyTarget
from fuwu.feedback.rules import PadSettings, pad_settings_in_force
from fuwu.floor import policy as floor_policy
from fuwu.floor.models import Counter as Window  # collections.Counter counts terms below
from fuwu.floor.models import ServiceType, Ticket

STEP = 4  # treebeard path step
RATE = "feedback.add_evaluation"


# --- F1: what the pad shows ------------------------------------------------------------------------------


def _pad(principal: Principal) -> DevicePrincipal:
    require(principal, RATE, unit=getattr(principal, "org_unit", None))
    if not isinstance(principal, DevicePrincipal) or principal.kind != "pad":
        raise Forbidden(_("Only an evaluation pad has a current ticket."), code="not_a_pad")
    return principal


def pad_pending_ticket(*, fetched_by: Principal) -> tuple[Ticket | None, PadSettings]:
    """The ticket this pad's counter finished most recently, if it is still open for a rating."""
    pad = _pad(fetched_by)
    settings = pad_settings_in_force(pad.org_unit)
    now = clock.now()
    since = now - settings.window
    # Never the demo's simulated customers, nor a ticket "finished" after now (#19).
    ticket = (
        visible(Ticket.objects.all(), pad)
        .filter(
            counter__code=pad.counter_code,
            status=Ticket.Status.FINISHED,
            finished_at__gte=since,
            finished_at__lte=now,
            is_simulated=False,
        )
        .select_related("staff", "service", "counter")
        .order_by("-finished_at")
        .first()
    )
    if ticket is not None and Evaluation.objects.filter(ticket=ticket).exists():
        ticket = None
    # Once the next customer has been called to the counter, the previous one has left the pad.
    if (
        ticket is not None
        and visible(Ticket.objects.all(), pad)
        .filter(
            counter__code=pad.counter_code,
            called_at__gt=ticket.finished_at,
            status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING],
        )
        .exists()
    ):
        ticket = None
    return ticket, settings


def rating_ticket(*, fetched_by: Principal, ticket_id: int) -> Ticket:
    """The ticket a pad is about to rate (only principals that may rate read it; its outlet only)."""
    require(fetched_by, RATE)
    return get_visible(Ticket.objects.select_related("counter", "outlet"), fetched_by, pk=ticket_id)


def pad_settings(*, fetched_by: Principal, outlet: OrgUnit) -> PadSettings:
    """The pad settings in force at `outlet`, for the page that edits them."""
    require(fetched_by, "feedback.view_padconfig", unit=outlet)
    return pad_settings_in_force(outlet)


# --- F2: evaluation rate and satisfaction (DESIGN.md "Measures") ------------------------------------------


@dataclass(frozen=True)
class EvaluationCounts:
    """The additive parts of the F2 measures for one group; any level or period is a sum of these."""

    finished: int = 0
    evaluated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    def __add__(self, other: EvaluationCounts) -> EvaluationCounts:
        return EvaluationCounts(
            self.finished + other.finished,
            self.evaluated + other.evaluated,
            self.satisfied + other.satisfied,
            self.basically_satisfied + other.basically_satisfied,
            self.dissatisfied + other.dissatisfied,
        )

    def parts(self) -> dict[str, float]:
        """The same additive parts the measures catalogue defines (fuwu.measures.catalogue.COUNT_PARTS)."""
        return {
            "finished": self.finished,
            "evaluated": self.evaluated,
            "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied,
        }


def _percent(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole else None


def evaluation_rate(counts: EvaluationCounts) -> float | None:
    """评价率 in %: evaluated tickets ÷ finished tickets × 100 (None if none finished).

    The same definition as the measures catalogue's `evaluation_rate`; computed here so feedback never
    imports the measures app, which reads feedback's facts (the import stays one way: measures → feedback).
    """
    return _percent(counts.evaluated, counts.finished)


def satisfaction(counts: EvaluationCounts, *, include_basic: bool = False) -> float | None:
    """满意度 in %: 满意 ÷ evaluations × 100; with include_basic, (满意 + 基本满意) ÷ evaluations × 100."""
    happy = counts.satisfied + (counts.basically_satisfied if include_basic else 0)
    return _percent(happy, counts.evaluated)


GROUPS = ("counter", "staff", "outlet", "tier2", "tier1", "head_office")
PERIODS = ("day", "week", "month")
_DEPTH = {"head_office": 1, "tier1": 2, "tier2": 3}


@dataclass(frozen=True)
class EvaluationRow:
    key: str
    label: str
    period: dt.date
    counts: EvaluationCounts

    @property
    def evaluation_rate(self) -> float | None:
        return evaluation_rate(self.counts)

    @property
    def satisfaction(self) -> float | None:
        return satisfaction(self.counts)

    @property
    def satisfaction_broad(self) -> float | None:
        return satisfaction(self.counts, include_basic=True)


def evaluation_table(
    *,
    fetched_by: Principal,
    start: dt.date,
    end: dt.date,
    group: str = "outlet",
    period: str = "day",
    within: OrgUnit | None = None,
) -> list[EvaluationRow]:
    """F2 per counter/staff/outlet/org level and per day/week/month, over tickets finished in [start, end]."""
    require(fetched_by, "feedback.view_evaluation", unit=within)
    problems = []
    if group not in GROUPS:
        problems.append({"field": "group", "reason": _("Choose one of the offered values.")})
    if period not in PERIODS:
        problems.append({"field": "period", "reason": _("Choose one of the offered values.")})
    if end < start:
        problems.append({"field": "end", "reason": _("The end date is before the start date.")})
    if problems:
        raise ValidationFailed(_("Choose a grouping, a period and a date range."), details=problems)
    # The real floor's customers only (floor.policy.real): the live simulated day's are never rated.
    tickets = visible(Ticket.objects.all(), fetched_by).filter(
        floor_policy.real(), status=Ticket.Status.FINISHED, business_date__gte=start, business_date__lte=end
    )
    if within is not None:
        tickets = tickets.filter(outlet__path__startswith=within.path)
    bucket = {
        "day": F("business_date"),
        "week": TruncWeek("business_date"),
        "month": TruncMonth("business_date"),
    }[period]
    keys = {
        "counter": ["counter__code", "counter__number", "outlet__name"],
        "staff": ["staff__username", "staff__display_name"],
    }.get(group, ["outlet__path", "outlet__name"])
    rows = (
        tickets.annotate(bucket=bucket)
        .values("bucket", *keys)
        .annotate(
            finished=Count("pk"),
            evaluated=Count("evaluation"),
            satisfied=Count("evaluation", filter=Q(evaluation__rating=Evaluation.Rating.SATISFIED)),
            basic=Count("evaluation", filter=Q(evaluation__rating=Evaluation.Rating.BASICALLY_SATISFIED)),
            dissatisfied=Count("evaluation", filter=Q(evaluation__rating=Evaluation.Rating.DISSATISFIED)),
        )
        .order_by("bucket", *keys)
    )
    totals: dict[tuple[str, dt.date], EvaluationCounts] = defaultdict(EvaluationCounts)
    labels: dict[str, str] = {}
    names = {}
    if group in _DEPTH:
        names = {u.path: u.name for u in OrgUnit.objects.filter(depth=_DEPTH[group])}
    for r in rows:
        day = r["bucket"].date() if isinstance(r["bucket"], dt.datetime) else r["bucket"]
        if group == "counter":
            key = r["counter__code"] or "-"
            labels[key] = f"{r['outlet__name']} {r['counter__number'] or '-'}号窗口"
        elif group == "staff":
            key = r["staff__username"] or "-"
            labels[key] = r["staff__display_name"] or key
        elif group == "outlet":
            key = r["outlet__path"]
            labels[key] = r["outlet__name"]
        else:
            key = r["outlet__path"][: _DEPTH[group] * STEP]
            labels[key] = names.get(key, key)
        totals[(key, day)] += EvaluationCounts(
            r["finished"], r["evaluated"], r["satisfied"], r["basic"], r["dissatisfied"]
        )
    return [
        EvaluationRow(key, labels[key], day, counts)
        for (key, day), counts in sorted(totals.items(), key=lambda kv: (kv[0][1], labels[kv[0][0]]))
    ]


# --- F3 / F5: feedback, follow-ups, the staff member's own stream -----------------------------------------

VIEW_ITEMS = "feedback.view_feedbackitem"
VIEW_FOLLOW_UPS = "feedback.view_followup"
# Who has feedback of their own: those who serve customers on the floor (front line and outlet head, who
# may work a counter), so the ones pads and the feedback box name. One rule for the "My feedback" menu item
# (nav.py), its page, the home panel and these reads (#19).
OWN_FEEDBACK = "floor.add_ticket"


def feedback_items(*, fetched_by: Principal, status: str | None = None) -> QuerySet[FeedbackItem]:
    """The feedback box messages of the principal's units, newest first."""
    require(fetched_by, VIEW_ITEMS)
    qs = visible(FeedbackItem.objects.select_related("outlet", "owner", "staff"), fetched_by)
    return qs.filter(status=status) if status else qs


def feedback_item(*, fetched_by: Principal, pk: int) -> FeedbackItem:
    require(fetched_by, VIEW_ITEMS)
    return get_visible(
        FeedbackItem.objects.select_related("outlet", "owner", "staff", "service", "replied_by", "counter"),
        fetched_by,
        pk=pk,
    )


def compliment_choices(*, fetched_by: Principal, outlet: OrgUnit) -> tuple[list[User], list[Window]]:
    """The staff and windows of `outlet` a message can be credited to (the triage form's choices)."""
    require(fetched_by, VIEW_ITEMS, unit=outlet)
    staff = list(User.objects.filter(org_unit=outlet, is_active=True).order_by("staff_code", "username"))
    counters = list(Window.objects.filter(outlet=outlet).order_by("number"))
    return staff, counters


def compliment_targets(
    *, fetched_by: Principal, item: FeedbackItem, staff_id: int | None, counter_id: int | None
) -> tuple[User | None, Window | None]:
    """The staff member and window chosen in the triage form, from the item's outlet only."""
    staff, counters = compliment_choices(fetched_by=fetched_by, outlet=item.outlet)
    chosen_staff = next((u for u in staff if u.pk == staff_id), None)
    chosen_counter = next((c for c in counters if c.pk == counter_id), None)
    problems = []
    if staff_id is not None and chosen_staff is None:
        problems.append({"field": "staff", "reason": _("Not a member of this outlet.")})
    if counter_id is not None and chosen_counter is None:
        problems.append({"field": "counter", "reason": _("This outlet has no such window.")})
    if problems:
        raise ValidationFailed(_("Please correct the marked fields."), details=problems)
    return chosen_staff, chosen_counter


def feedback_by_link(*, token: str) -> FeedbackItem:
    """The item behind a customer's private reply link (the link is the only credential)."""
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    item = FeedbackItem.objects.select_related("outlet").filter(access_hash=digest).first()
    if item is None:
        raise NotFound()
    return item


def follow_ups(*, fetched_by: Principal, open_only: bool = True) -> QuerySet[FollowUp]:
    """Follow-ups of the principal's units (an escalation goes up the same subtree, so it stays visible)."""
    require(fetched_by, VIEW_FOLLOW_UPS)
    qs = visible(FollowUp.objects.select_related("outlet", "owner", "staff", "escalated_to"), fetched_by)
    if open_only:
        qs = qs.exclude(status=FollowUp.Status.CLOSED)
    return qs.order_by("due_at")


def follow_up(*, fetched_by: Principal, pk: int) -> FollowUp:
    require(fetched_by, VIEW_FOLLOW_UPS)
    return get_visible(
        FollowUp.objects.select_related("outlet", "owner", "staff", "evaluation", "feedback", "escalated_to"),
        fetched_by,
        pk=pk,
    )


@dataclass(frozen=True)
class StreamEntry:
    at: dt.datetime
    kind: str
    rating: str
    text: str
    kind_label: str = ""
    rating_label: str = ""


def own_stream(
    *,
    fetched_by: Principal,
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    q: str = "",
) -> QuerySet[Any]:
    """What customers said about this staff member, never anyone else's: their pad ratings and feedback-box
    messages as one query (a union of {kind, pk, at}), so the page pages and counts it in SQL (#19).

    `kind` keeps one source ("evaluation" or "feedback"); `since`/`until` are business dates, inclusive; `q`
    searches the words. `stream_entries` turns a page of these rows into what the page shows.
    """
    if not isinstance(fetched_by, User) or not fetched_by.is_active:
        raise Forbidden(_("Only a staff member has an own feedback stream."))
    require(fetched_by, OWN_FEEDBACK, message=_("Only staff who serve customers have feedback of their own."))
    parts = {
        "evaluation": Evaluation.objects.filter(staff=fetched_by).annotate(when=F("at")),
        "feedback": FeedbackItem.objects.filter(staff=fetched_by).annotate(when=F("submitted_at")),
    }
    if q:
        parts["evaluation"] = parts["evaluation"].filter(comment__icontains=q)
        parts["feedback"] = parts["feedback"].filter(text__icontains=q)
    for name, rows in parts.items():
        if since is not None:
            rows = rows.filter(when__gte=dt.datetime.combine(since, dt.time.min, tzinfo=clock.SHANGHAI))
        if until is not None:
            end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
            rows = rows.filter(when__lt=end)
        # No ordering inside: a compound statement's parts may not have one; the list orders the union.
        tagged = rows.order_by().annotate(kind=Value(name, output_field=CharField()))
        parts[name] = tagged.values("kind", "pk", "when")
    if kind in parts:
        return parts[kind]
    return parts["evaluation"].union(parts["feedback"], all=True)


def stream_entries(*, fetched_by: Principal, rows: list[dict[str, Any]]) -> list[StreamEntry]:
    """A page of `own_stream` rows as entries, in the page's order (two reads: one per source); only the
    reader's own, as `own_stream` reads them."""
    if not isinstance(fetched_by, User) or not fetched_by.is_active:
        raise Forbidden(_("Only a staff member has an own feedback stream."))
    evaluations = Evaluation.objects.filter(staff=fetched_by).in_bulk(
        [r["pk"] for r in rows if r["kind"] == "evaluation"]
    )
    items = FeedbackItem.objects.filter(staff=fetched_by).in_bulk(
        [r["pk"] for r in rows if r["kind"] == "feedback"]
    )
    entries = []
    for r in rows:
        if r["kind"] == "evaluation" and r["pk"] in evaluations:
            e = evaluations[r["pk"]]
            said = "、".join(e.reasons) or e.comment
            entries.append(
                StreamEntry(e.at, "evaluation", e.rating, said, _("Pad rating"), e.get_rating_display())
            )
        elif r["pk"] in items:
            i = items[r["pk"]]
            entries.append(
                StreamEntry(
                    i.submitted_at,
                    "feedback",
                    i.sentiment,
                    i.text,
                    _("Feedback box"),
                    i.get_sentiment_display(),
                )
            )
    return entries


def my_ratings_today(*, fetched_by: Principal) -> dict[str, int]:
    """Today's ratings of the reader's own service, by rating (the teller's 'my day', #19)."""
    if not isinstance(fetched_by, User) or not fetched_by.is_active:
        raise Forbidden(_("Only a staff member has ratings of their own."))
    require(fetched_by, OWN_FEEDBACK, message=_("Only staff who serve customers have feedback of their own."))
    start = dt.datetime.combine(clock.today(), dt.time(0), tzinfo=clock.SHANGHAI)
    rows = Evaluation.objects.filter(staff=fetched_by, at__gte=start, at__lt=start + dt.timedelta(days=1))
    return dict(rows.order_by().values_list("rating").annotate(n=Count("pk")))


# --- F4: surveys ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyFigures:
    responses: int
    nps: float | None  # promoters% − detractors%, −100…100
    service_csat: float | None  # share of 4–5 answers, %
    overall_csat: float | None


def nps(scores: list[int]) -> float | None:
    """NPS = (answers 9–10 − answers 0–6) ÷ answers × 100."""
    if not scores:
        return None
    return (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores) * 100


def csat(scores: list[int]) -> float | None:
    """CSAT = answers 4–5 ÷ answers × 100 (1–5 scale)."""
    if not scores:
        return None
    return sum(s >= 4 for s in scores) / len(scores) * 100


def survey_figures(*, fetched_by: Principal, unit: OrgUnit, start: dt.date, end: dt.date) -> SurveyFigures:
    require(fetched_by, "feedback.view_surveyresponse", unit=unit)
    rows = list(
        visible(SurveyResponse.objects.all(), fetched_by)
        .filter(outlet__path__startswith=unit.path, responded_on__gte=start, responded_on__lte=end)
        .values_list("nps", "service_csat", "overall_csat")
    )
    return SurveyFigures(
        responses=len(rows),
        nps=nps([r[0] for r in rows if r[0] is not None]),
        service_csat=csat([r[1] for r in rows if r[1] is not None]),
        overall_csat=csat([r[2] for r in rows if r[2] is not None]),
    )


@dataclass(frozen=True)
class TargetProgress:
    measure: str
    label: str
    target: float
    actual: float | None
    set_at: OrgUnit

    @property
    def met(self) -> bool:
        return self.actual is not None and self.actual >= self.target


def target_progress(*, fetched_by: Principal, unit: OrgUnit, figures: SurveyFigures) -> list[TargetProgress]:
    """Each survey target that applies to `unit` (its own or the nearest ancestor's) against `figures`.

    Takes the figures the caller already computed with survey_figures (scoped there) rather than reading
    the responses a second time; targets of the unit's ancestors apply to it whether or not it may see them.
    """
    require(fetched_by, "feedback.view_surveytarget", unit=unit)
    chain = [unit, *reversed(list(unit.get_ancestors()))]
    targets = {(t.org_unit_id, t.measure): t for t in SurveyTarget.objects.filter(org_unit__in=chain)}
    out = []
    for measure, label in SurveyTarget.Measure.choices:
        for owner in chain:
            row = targets.get((owner.pk, measure))
            if row is not None:
                out.append(
                    TargetProgress(measure, str(label), float(row.target), getattr(figures, measure), owner)
                )
                break
    return out


# --- F6: trending terms -----------------------------------------------------------------------------------


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in bank time, so every F6 figure counts the same days."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI)
    return lo, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)


def _items_in(fetched_by: Principal, unit: OrgUnit, start: dt.date, end: dt.date) -> QuerySet[FeedbackItem]:
    lo, hi = _day_bounds(start, end)
    return visible(FeedbackItem.objects.all(), fetched_by).filter(
        outlet__path__startswith=unit.path, submitted_at__gte=lo, submitted_at__lt=hi
    )


def trending_terms(
    *,
    fetched_by: Principal,
    unit: OrgUnit,
    start: dt.date,
    end: dt.date,
    negative_only: bool = False,
    limit: int = 15,
) -> list[tuple[str, int]]:
    """Most frequent phrases in the feedback text of `unit`'s outlets in [start, end], counted per message.

    Stop words and fillers are left out (text.trends); the pad's reason tags are a dimension of their own
    (`reason_counts`), never mixed in.
    """
    from fuwu.feedback.text import trends  # jieba stays out of the URLconf's imports

    require(fetched_by, VIEW_ITEMS, unit=unit)
    items = _items_in(fetched_by, unit, start, end)
    if negative_only:
        items = items.filter(sentiment=FeedbackItem.Sentiment.NEGATIVE)
    counts: Counter[str] = Counter()
    for text in items.values_list("text", flat=True):
        counts.update(trends.phrases(text))
    return counts.most_common(limit)


@dataclass(frozen=True)
class TermInsights:
    """F6: what customers wrote in a window, against the windows before it."""

    messages: int
    frequent: list[tuple[str, int]]
    rising: list[Any]  # text.trends.RisingTerm, best first
    history_start: dt.date


def term_insights(
    *, fetched_by: Principal, unit: OrgUnit, start: dt.date, end: dt.date, history_windows: int = 3
) -> TermInsights:
    """Frequent phrases in [start, end] and the ones rising significantly against the `history_windows`
    windows of the same length just before it (binomial test, Benjamini–Hochberg; text.trends)."""
    from fuwu.feedback.text import trends

    require(fetched_by, VIEW_ITEMS, unit=unit)
    days = (end - start).days + 1
    history_start = start - dt.timedelta(days=days * history_windows)
    current = [
        trends.phrases(t) for t in _items_in(fetched_by, unit, start, end).values_list("text", flat=True)
    ]
    history = [
        trends.phrases(t)
        for t in _items_in(fetched_by, unit, history_start, start - dt.timedelta(days=1)).values_list(
            "text", flat=True
        )
    ]
    counts: Counter[str] = Counter()
    for terms in current:
        counts.update(set(terms))
    return TermInsights(
        messages=len(current),
        frequent=counts.most_common(20),
        rising=trends.rising_terms(current, history, limit=15),
        history_start=history_start,
    )


def reason_counts(
    *, fetched_by: Principal, unit: OrgUnit, start: dt.date, end: dt.date
) -> list[tuple[str, int]]:
    """The pad's reason tags on ratings of `unit`'s outlets in [start, end]: a dimension apart from text."""
    from fuwu.feedback.text import trends

    require(fetched_by, "feedback.view_evaluation", unit=unit)
    lo, hi = _day_bounds(start, end)
    reasons = visible(Evaluation.objects.all(), fetched_by).filter(
        outlet__path__startswith=unit.path, at__gte=lo, at__lt=hi
    )
    return trends.reason_counts(list(r) for r in reasons.values_list("reasons", flat=True))


def rated_with_reason(
    *, fetched_by: Principal, unit: OrgUnit, reason: str, start: dt.date, end: dt.date
) -> QuerySet[Evaluation]:
    """Drill-down from a reason tag: the ratings of `unit`'s outlets in [start, end] that carry it."""
    require(fetched_by, "feedback.view_evaluation", unit=unit)
    lo, hi = _day_bounds(start, end)
    rated = visible(Evaluation.objects.select_related("outlet", "counter", "staff"), fetched_by).filter(
        outlet__path__startswith=unit.path, at__gte=lo, at__lt=hi
    )
    ids = [pk for pk, reasons in rated.values_list("pk", "reasons") if reason in (reasons or [])]
    return rated.filter(pk__in=ids).order_by("-at", "-pk")


@dataclass(frozen=True)
class FeedbackFilter:
    """The drill-down filters of the feedback list: every F6 figure links here with its own filter."""

    unit: OrgUnit | None = None
    status: str | None = None
    sentiment: str | None = None
    topic: str | None = None
    term: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    compliment: bool | None = None


def feedback_filtered(*, fetched_by: Principal, where: FeedbackFilter) -> QuerySet[FeedbackItem]:
    """The feedback messages behind a number: by unit, status, sentiment, topic, phrase, dates, compliment.

    A phrase matches exactly the messages the term counts counted (their phrases include it), so the list
    behind "排队时间 (12)" has 12 messages.
    """
    from fuwu.feedback.text import trends

    require(fetched_by, VIEW_ITEMS, unit=where.unit)
    qs = visible(FeedbackItem.objects.select_related("outlet", "owner", "staff"), fetched_by)
    if where.unit is not None:
        qs = qs.filter(outlet__path__startswith=where.unit.path)
    if where.start is not None or where.end is not None:
        lo, hi = _day_bounds(where.start or dt.date(2000, 1, 1), where.end or clock.today())
        qs = qs.filter(submitted_at__gte=lo, submitted_at__lt=hi)
    if where.status:
        qs = qs.filter(status=where.status)
    if where.sentiment:
        qs = qs.filter(sentiment=where.sentiment)
    if where.compliment is not None:
        qs = qs.filter(is_compliment=where.compliment)
    if where.topic:
        ids = [pk for pk, topics in qs.values_list("pk", "topics") if where.topic in (topics or [])]
        qs = qs.filter(pk__in=ids)
    if where.term:
        texts = list(qs.filter(text__contains=where.term).values_list("pk", "text"))
        qs = qs.filter(pk__in=trends.mentions(texts, where.term))
    return qs.order_by("-submitted_at", "-pk")


SENTIMENTS = tuple(FeedbackItem.Sentiment.values)


def sentiment_trend(
    *, fetched_by: Principal, where: FeedbackFilter, period: str = "day"
) -> list[dict[str, Any]]:
    """Messages per day (or week, from Monday) and sentiment for the filtered messages, every bucket of
    [where.start, where.end] listed (zeros too), oldest first: the trend chart's points."""
    if where.start is None or where.end is None:
        raise ValidationFailed(
            _("Choose a grouping, a period and a date range."),
            details=[{"field": "start", "reason": _("This field is required.")}],
        )
    if period not in ("day", "week"):
        raise ValidationFailed(
            _("Choose a grouping, a period and a date range."),
            details=[{"field": "period", "reason": _("Choose one of the offered values.")}],
        )
    rows = feedback_filtered(fetched_by=fetched_by, where=where).values_list("submitted_at", "sentiment")

    def bucket(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday()) if period == "week" else day

    counts: dict[dt.date, Counter[str]] = {}
    day = bucket(where.start)
    while day <= where.end:
        counts[day] = Counter()
        day += dt.timedelta(days=7 if period == "week" else 1)
    for at, sentiment in rows:
        counts.setdefault(bucket(clock.business_date(at)), Counter())[sentiment or "neutral"] += 1
    return [
        {"day": day, **{name: found.get(name, 0) for name in SENTIMENTS}}
        for day, found in sorted(counts.items())
    ]


def topic_and_sentiment_counts(
    *, fetched_by: Principal, unit: OrgUnit, start: dt.date, end: dt.date
) -> tuple[dict[str, int], dict[str, int]]:
    """How many of `unit`'s feedback items in [start, end] carry each topic, and each sentiment (F6)."""
    require(fetched_by, VIEW_ITEMS, unit=unit)
    lo, hi = _day_bounds(start, end)
    items = visible(FeedbackItem.objects.all(), fetched_by).filter(
        outlet__path__startswith=unit.path, submitted_at__gte=lo, submitted_at__lt=hi
    )
    topics: Counter[str] = Counter()
    sentiments: Counter[str] = Counter()
    for item_topics, sentiment in items.values_list("topics", "sentiment"):
        topics.update(item_topics)
        sentiments[sentiment] += 1
    return dict(topics), dict(sentiments)


# The public feedback box is reached by anyone with the outlet's QR code: it names outlets and their
# business types (public facts), nothing else.


def public_outlets() -> QuerySet[OrgUnit]:
    outlets: QuerySet[OrgUnit] = OrgUnit.objects.filter(kind=OrgUnit.Kind.OUTLET, is_active=True)
    return outlets.order_by("path")


def public_outlet(code: str) -> OrgUnit:
    outlet = public_outlets().filter(code=code).first()
    if outlet is None:
        raise NotFound()
    return outlet


def public_services(outlet: OrgUnit) -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(outlet=outlet, is_active=True)
