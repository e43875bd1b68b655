"""Writes of the appraisal app: scorecards and their dated weights, service stars, briefings, peer figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.appraisal import figures
from fuwu.appraisal.models import (
    BriefingJob,
    Candidate,
    ItemWeight,
    Level,
    Nomination,
    PeerFigure,
    Rule,
    Scorecard,
    ScorecardItem,
    StarPolicy,
    StarRound,
)
from fuwu.appraisal.states import STAR_ROUND
from fuwu.core import access, audit, clock, pii
from fuwu.core import roles as core_roles
from fuwu.core.errors import DomainError, ValidationFailed
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal


def _invalid(field: str, reason: str) -> ValidationFailed:
    return ValidationFailed(_("Check the highlighted fields."), details=[{"field": field, "reason": reason}])


def scorecard_create(
    *, actor: Principal, level: str, name: str, staff_role: str = "", satisfaction_cap: float = 40.0
) -> Scorecard:
    """Create the scorecard of one level (or of one staff role)."""
    access.require(actor, "appraisal.add_scorecard")
    if level not in Level.values:
        raise _invalid("level", _("Choose one of the offered values."))
    if level == Level.STAFF and staff_role not in core_roles.ROLE_CODES:
        raise _invalid("staff_role", _("Choose the staff role this scorecard appraises."))
    if level != Level.STAFF:
        staff_role = ""
    if not 0 < satisfaction_cap <= 100:
        raise _invalid("satisfaction_cap", _("Enter a percentage between 0 and 100."))
    if Scorecard.objects.filter(level=level, staff_role=staff_role).exists():
        raise _invalid("level", _("This level already has a scorecard."))
    with transaction.atomic():
        card = Scorecard.objects.create(
            level=level,
            staff_role=staff_role,
            name=name.strip() or str(Level(level).label),
            satisfaction_cap=satisfaction_cap,
            created_at=clock.now(),
        )
        audit.record(actor=actor, action="appraisal.scorecard_create", target=card, data={"level": level})
    return card


def scorecard_item_add(
    *,
    actor: Principal,
    scorecard: Scorecard,
    measure: str,
    rule: str,
    target: float | None = None,
    baseline: float | None = None,
) -> ScorecardItem:
    """Put a catalogue measure on a scorecard with its scoring rule."""
    access.require(actor, "appraisal.change_scorecard")
    m = figures.measure(measure)
    if scorecard.level == Level.STAFF and not figures.per_staff(measure):
        raise _invalid("measure", _("This measure has no figure per staff member."))
    if rule not in Rule.values:
        raise _invalid("rule", _("Choose one of the offered values."))
    if rule in (Rule.TARGET, Rule.PROGRESS) and target is None:
        raise _invalid("target", _("This rule needs a target."))
    if rule == Rule.PROGRESS and baseline is None:
        raise _invalid("baseline", _("This rule needs a baseline."))
    if rule == Rule.PROGRESS and baseline == target:
        raise _invalid("baseline", _("The baseline must differ from the target."))
    if ScorecardItem.objects.filter(scorecard=scorecard, measure=m.id).exists():
        raise _invalid("measure", _("This measure is already on the scorecard."))
    with transaction.atomic():
        item = ScorecardItem.objects.create(
            scorecard=scorecard,
            measure=m.id,
            rule=rule,
            target=target,
            baseline=baseline,
            order=ScorecardItem.objects.filter(scorecard=scorecard).count(),
        )
        audit.record(
            actor=actor,
            action="appraisal.item_add",
            target=item,
            data={"measure": m.id, "rule": rule, "target": target, "baseline": baseline},
        )
    return item


def _satisfaction_weight(scorecard: Scorecard, day: dt.date, override: tuple[int, float]) -> float:
    from fuwu.appraisal.scoring import WeightStep, weight_on

    total = 0.0
    for item in scorecard.items.filter(measure__in=figures.SATISFACTION).prefetch_related("weights"):
        steps = [WeightStep(w.effective_from, w.weight) for w in item.weights.all()]
        if item.pk == override[0]:
            steps = [s for s in steps if s.effective_from != day] + [WeightStep(day, override[1])]
        total += weight_on(steps, day)
    return total


def scorecard_weight_set(
    *, actor: Principal, item: ScorecardItem, effective_from: dt.date, weight: float
) -> ItemWeight:
    """Set an item's weight from a date on; the satisfaction measures together never exceed the cap."""
    access.require(actor, "appraisal.change_scorecard")
    if not 0 <= weight <= 100:
        raise _invalid("weight", _("Enter a percentage between 0 and 100."))
    with transaction.atomic():
        # Lock the scorecard: two weight changes at once must not both pass the cap check.
        card = Scorecard.objects.select_for_update().get(pk=item.scorecard_id)
        if item.measure in figures.SATISFACTION:
            # The cap holds on this date and on every later step date of any satisfaction item.
            days = {effective_from} | {
                d
                for d in ItemWeight.objects.filter(
                    item__scorecard=card,
                    item__measure__in=figures.SATISFACTION,
                    effective_from__gt=effective_from,
                ).values_list("effective_from", flat=True)
            }
            for day in sorted(days):
                if _satisfaction_weight(card, day, (item.pk, weight)) > card.satisfaction_cap + 1e-9:
                    raise _invalid(
                        "weight",
                        _("Satisfaction would weigh more than the bank's cap of %(cap)s%% from %(day)s.")
                        % {"cap": f"{card.satisfaction_cap:g}", "day": day.isoformat()},
                    )
        row, _created = ItemWeight.objects.update_or_create(
            item=item, effective_from=effective_from, defaults={"weight": weight}
        )
        audit.record(
            actor=actor,
            action="appraisal.weight_set",
            target=item,
            data={"effective_from": effective_from.isoformat(), "weight": weight},
        )
    return row


def scorecard_item_remove(*, actor: Principal, item: ScorecardItem) -> None:
    """Take a measure off a scorecard (its weight schedule goes with it)."""
    access.require(actor, "appraisal.change_scorecard")
    with transaction.atomic():
        audit.record(actor=actor, action="appraisal.item_remove", target=item, data={"measure": item.measure})
        item.delete()


# --- the quarterly briefing (K6) -------------------------------------------------------------------


def briefing_folder(job: BriefingJob) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "briefings" / str(job.pk)


def briefing_request(
    *, actor: Principal, unit: OrgUnit, quarter: str, whole_bank: bool = False
) -> BriefingJob:
    """Queue a briefing for `unit` (whole bank: head office plus each tier-1 branch) built in the background."""
    access.require(actor, "appraisal.add_briefingjob", unit=unit)
    period = figures.period(quarter)
    if "Q" not in period.label:
        raise _invalid("quarter", _("Enter a quarter such as 2026-Q3."))
    whole_bank = whole_bank and unit.kind == OrgUnit.Kind.HEAD_OFFICE
    with transaction.atomic():
        job = BriefingJob.objects.create(
            unit=unit,
            quarter=period.label,
            whole_bank=whole_bank,
            requested_by=actor if isinstance(actor, User) else None,
            requested_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="appraisal.briefing_request",
            target=job,
            org_unit=unit,
            data={"quarter": period.label},
        )

        def enqueue() -> None:
            from fuwu.appraisal.tasks import build_briefing

            build_briefing.enqueue(job.pk)

        transaction.on_commit(enqueue)
    return job


def briefing_run(*, actor: Principal, job: BriefingJob) -> BriefingJob:
    """Build a queued briefing's files, reporting progress on the job row as each unit is done.

    The files are built as the person who asked (`job.requested_by`), so they hold only what that person
    may see; `actor` is whoever runs the job (the worker's system principal).
    """
    from fuwu.appraisal import briefing

    access.require(actor, "appraisal.add_briefingjob", unit=job.unit)
    reader: Principal = job.requested_by if job.requested_by is not None else actor
    # Claim the job with a conditional update so two workers never build the same briefing twice.
    claimed = BriefingJob.objects.filter(pk=job.pk, status=BriefingJob.Status.QUEUED).update(
        status=BriefingJob.Status.RUNNING, progress=1
    )
    if not claimed:
        job.refresh_from_db()
        return job
    folder = briefing_folder(job)
    try:
        units = briefing.bank_units(reader, job.unit) if job.whole_bank else [job.unit]
        names: list[str] = []
        for index, unit in enumerate(units, start=1):
            paths = briefing.write(reader, unit=unit, quarter=job.quarter, out=folder)
            names.extend(p.name for p in paths)
            BriefingJob.objects.filter(pk=job.pk).update(
                progress=max(1, int(index / len(units) * 100) - 1),
                files=names,
                message=_("%(done)s of %(total)s units done") % {"done": index, "total": len(units)},
            )
        BriefingJob.objects.filter(pk=job.pk).update(
            status=BriefingJob.Status.DONE, progress=100, finished_at=clock.now(), files=names, message=""
        )
    except DomainError as exc:
        BriefingJob.objects.filter(pk=job.pk).update(
            status=BriefingJob.Status.FAILED, finished_at=clock.now(), message=exc.message[:200]
        )
    except Exception:
        # Anything else (a full disk, a typesetting error) must not leave the page polling a job that never
        # ends: the job fails visibly and the error goes on to the worker's log.
        BriefingJob.objects.filter(pk=job.pk).update(
            status=BriefingJob.Status.FAILED,
            finished_at=clock.now(),
            message=_("The briefing could not be built; the error is in the server log."),
        )
        raise
    job.refresh_from_db()
    return job


# --- service stars (K5) ----------------------------------------------------------------------------


def star_policy_set(
    *,
    actor: Principal,
    effective_from: dt.date,
    upheld_action: str,
    deduction: float,
    critical_action: str,
    critical_deduction: float,
    min_evaluations: int,
    nomination_bonus: float,
    compliment_points: float,
    max_compliments: int,
    stars_per_outlet: int,
) -> StarPolicy:
    """Set the service-star rule from a month on (the first of a month): how candidates score, and whether an
    upheld complaint or a failed critical inspection item disqualifies or deducts points each.

    Earlier months keep the rule they were ranked under; a month already approved anywhere is closed."""
    access.require(actor, "appraisal.change_starpolicy")
    if effective_from.day != 1:
        raise _invalid("effective_from", _("Enter the first day of a month."))
    for field, value in (("upheld_action", upheld_action), ("critical_action", critical_action)):
        if value not in StarPolicy.Upheld.values:
            raise _invalid(field, _("Choose one of the offered values."))
    for field, number in (
        ("deduction", deduction),
        ("critical_deduction", critical_deduction),
        ("nomination_bonus", nomination_bonus),
        ("compliment_points", compliment_points),
        ("min_evaluations", min_evaluations),
        ("max_compliments", max_compliments),
    ):
        if number < 0:
            raise _invalid(field, _("Enter a positive number."))
    if stars_per_outlet < 1:
        raise _invalid("stars_per_outlet", _("Enter a positive number."))
    month = f"{effective_from:%Y-%m}"
    values = {
        "upheld_action": upheld_action,
        "deduction": deduction,
        "critical_action": critical_action,
        "critical_deduction": critical_deduction,
        "min_evaluations": min_evaluations,
        "nomination_bonus": nomination_bonus,
        "compliment_points": compliment_points,
        "max_compliments": max_compliments,
        "stars_per_outlet": stars_per_outlet,
    }
    with transaction.atomic():
        # A rule approved stars were chosen under stays as it was: the wall shows why they were chosen.
        if StarRound.objects.filter(month__gte=month, status=StarRound.Status.APPROVED).exists():
            raise _invalid(
                "effective_from",
                _("Stars of %(month)s or later are already approved: choose a later month.")
                % {"month": month},
            )
        policy, created = StarPolicy.objects.update_or_create(effective_from=effective_from, defaults=values)
        audit.record(
            actor=actor,
            action="appraisal.star_policy_set",
            target=policy,
            data={"effective_from": effective_from.isoformat(), "created": created, **values},
        )
    return policy


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    p = figures.period(month)
    if p.label != month or len(month) != 7:
        raise _invalid("month", _("Enter a month such as 2026-10."))
    return p.start, p.end


def star_round_open(*, actor: Principal, outlet: OrgUnit, month: str) -> StarRound:
    """The outlet's round for a month (created as a draft the first time), ranked from the catalogue."""
    access.require(actor, "appraisal.nominate_star", unit=outlet)
    _month_bounds(month)
    if outlet.kind != OrgUnit.Kind.OUTLET:
        raise _invalid("outlet", _("Service stars are chosen per outlet."))
    with transaction.atomic():
        found, created = StarRound.objects.get_or_create(outlet=outlet, month=month)
        if created:
            audit.record(actor=actor, action="appraisal.star_round_open", target=found, org_unit=outlet)
    if found.status == StarRound.Status.DRAFT:
        return star_round_rank(actor=actor, round=found)
    return found


def _upheld(actor: Principal, staff_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[str]]:
    """Upheld complaints against each member of staff decided in the month (read through complaints' selectors)."""
    from fuwu.complaints import selectors as complaint_selectors

    lo = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    found: dict[int, list[str]] = {}
    rows = (
        complaint_selectors.complaints(fetched_by=actor)
        .filter(
            staff_id__in=staff_ids,
            decisions__upheld=True,
            decisions__decided_at__gte=lo,
            decisions__decided_at__lt=hi,
        )
        .values_list("staff_id", "reference")
        .distinct()
    )
    for staff_id, reference in rows:
        found.setdefault(staff_id, []).append(reference)
    return found


def _signals(
    actor: Principal, outlet: OrgUnit, start: dt.date, end: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """Points and disqualifications other apps contribute through `<app>/stars.py` (SIGNALS = [callable]).

    Each callable (principal, outlet, start, end) returns {staff id: [{"kind", "text", "points",
    "disqualify"}]} — e.g. an inspections app's mystery-shopper observations and failed critical items. A row
    marked "disqualify" is a failed critical item: the star policy's rule decides whether it disqualifies or
    deducts its points.
    """
    from fuwu.core.discovery import app_modules

    found: dict[int, list[dict[str, Any]]] = {}
    for _app, module in app_modules("stars", exclude=("fuwu.appraisal",)):
        for signal in getattr(module, "SIGNALS", ()):
            for staff_id, rows in signal(actor, outlet, start, end).items():
                found.setdefault(int(staff_id), []).extend(rows)
    return found


def _rank_candidates(actor: Principal, r: StarRound) -> None:
    from fuwu.appraisal.scoring import competition_ranks

    start, end = _month_bounds(r.month)
    policy = StarPolicy.in_force(start)
    parts = figures.month_staff_parts(actor, r.outlet, start, end)
    nominations = {n.staff_id: n for n in r.nominations.all()}
    # The staff cut holds each member's evaluations and compliments alike (a member praised but never
    # evaluated has a row too).
    staff = {
        u.pk: u
        for u in User.objects.filter(is_active=True, org_unit=r.outlet)
        if u.pk in parts or u.pk in nominations
    }
    upheld = _upheld(actor, list(staff), start, end)
    signals = _signals(actor, r.outlet, start, end)
    scored: dict[int, tuple[float | None, bool, list[dict[str, Any]]]] = {}
    for pk in staff:
        reasons: list[dict[str, Any]] = []
        mine = parts.get(pk)
        evaluated = int(mine.get("evaluated", 0)) if mine else 0
        values = figures.evaluate(mine, ["satisfaction", "compliments"]) if mine else {}
        satisfaction = values.get("satisfaction")
        praised = int(values.get("compliments") or 0)
        score: float | None = None
        if satisfaction is not None and evaluated >= policy.min_evaluations:
            score = round(satisfaction, 1)
            reasons.append(
                {
                    "kind": "satisfaction",
                    "points": score,
                    "text": _("Satisfaction %(value).1f%% from %(n)s evaluations")
                    % {"value": satisfaction, "n": evaluated},
                }
            )
        else:
            reasons.append(
                {
                    "kind": "evaluations",
                    "points": 0,
                    "text": _("Only %(n)s evaluations (at least %(min)s needed)")
                    % {"n": evaluated, "min": policy.min_evaluations},
                }
            )
        if praised and score is not None:
            counted = min(praised, policy.max_compliments)
            points = policy.compliment_points * counted
            score += points
            reasons.append(
                {
                    "kind": "compliments",
                    "points": points,
                    "text": _("%(n)s compliment(s) in feedback: %(points)s points")
                    % {"n": praised, "points": f"{points:g}"},
                }
            )
        elif praised:
            reasons.append(
                {
                    "kind": "compliments",
                    "points": 0,
                    "text": _("%(n)s compliment(s) in feedback (no points without enough evaluations)")
                    % {"n": praised},
                }
            )
        nomination = nominations.get(pk)
        if nomination is not None:
            score = (score or 0.0) + policy.nomination_bonus
            reasons.append(
                {
                    "kind": "nomination",
                    "points": policy.nomination_bonus,
                    "text": _("Nominated by the outlet head: %(reason)s") % {"reason": nomination.reason},
                }
            )
        disqualified = False
        complaints = upheld.get(pk, [])
        if complaints:
            if policy.upheld_action == StarPolicy.Upheld.DISQUALIFY:
                disqualified = True
                reasons.append(
                    {
                        "kind": "upheld",
                        "points": 0,
                        "text": _("%(n)s upheld complaint(s): disqualified") % {"n": len(complaints)},
                    }
                )
            elif score is not None:
                cut = policy.deduction * len(complaints)
                score -= cut
                reasons.append(
                    {
                        "kind": "upheld",
                        "points": -cut,
                        "text": _("%(n)s upheld complaint(s): %(points)s points deducted")
                        % {"n": len(complaints), "points": f"{cut:g}"},
                    }
                )
        for signal in signals.get(pk, []):
            points = float(signal.get("points") or 0)
            if signal.get("disqualify"):
                # A failed critical item: the policy says whether it disqualifies or costs points.
                if policy.critical_disqualifies:
                    disqualified = True
                else:
                    points = -policy.critical_deduction
                    if score is not None:
                        score += points
            elif score is not None:
                score += points
            reasons.append(
                {
                    "kind": str(signal.get("kind", "signal")),
                    "points": points,
                    "text": str(signal.get("text", "")),
                }
            )
        scored[pk] = (None if score is None else round(score, 1), disqualified, reasons)
    ranks = competition_ranks({pk: s for pk, (s, dq, _r) in scored.items() if not dq}, True)
    r.candidates.all().delete()
    Candidate.objects.bulk_create(
        [
            Candidate(
                round=r,
                staff=staff[pk],
                score=score if score is not None else 0.0,
                rank=None if dq or score is None else ranks.get(pk),
                disqualified=dq,
                reasons=reasons,
            )
            for pk, (score, dq, reasons) in scored.items()
        ]
    )


def star_round_rank(*, actor: Principal, round: StarRound) -> StarRound:
    """Rank the round's candidates again from the catalogue, nominations and upheld complaints."""

    def effect(locked: StarRound) -> StarRound:
        _rank_candidates(actor, locked)
        locked.ranked_at = clock.now()
        return locked

    return STAR_ROUND.apply(round, "rank", actor=actor, effect=effect)


def star_nominate(*, actor: Principal, round: StarRound, staff: User, reason: str) -> StarRound:
    """The outlet head nominates a member of the outlet's staff, with a reason shown on the wall of stars."""
    reason = pii.scrub(reason.strip())  # shown on the wall of stars to everyone in the outlet (#18)
    if len(reason) < 2:
        raise _invalid("reason", _("Say why, in a few words."))

    def effect(locked: StarRound) -> StarRound:
        if staff.org_unit_id != locked.outlet_id:
            raise _invalid("staff_id", _("Choose a member of this outlet's staff."))
        Nomination.objects.update_or_create(
            round=locked,
            staff=staff,
            defaults={
                "reason": reason,
                "nominated_by": actor if isinstance(actor, User) else None,
                "nominated_at": clock.now(),
            },
        )
        _rank_candidates(actor, locked)
        locked.ranked_at = clock.now()
        return locked

    return STAR_ROUND.apply(round, "nominate", actor=actor, effect=effect, data={"staff": staff.pk})


def star_submit(*, actor: Principal, round: StarRound) -> StarRound:
    """Rank once more and mark the best (stars_per_outlet, not disqualified) as the stars; send for approval."""

    def effect(locked: StarRound) -> StarRound:
        _rank_candidates(actor, locked)
        locked.ranked_at = clock.now()
        n = StarPolicy.in_force(_month_bounds(locked.month)[0]).stars_per_outlet
        best = [
            c for c in locked.candidates.filter(disqualified=False, rank__isnull=False).order_by("rank", "pk")
        ]
        chosen = [c.pk for c in best if c.rank is not None and c.rank <= n]
        if not chosen:
            raise _invalid("general", _("No eligible candidate this month."))
        Candidate.objects.filter(pk__in=chosen).update(is_star=True)
        return locked

    return STAR_ROUND.apply(round, "submit", actor=actor, effect=effect)


def star_approve(*, actor: Principal, round: StarRound) -> StarRound:
    """The head of the branch approves the outlet's stars; they appear on the wall of stars."""

    def effect(locked: StarRound) -> StarRound:
        locked.approved_by = actor if isinstance(actor, User) else None
        locked.approved_at = clock.now()
        return locked

    return STAR_ROUND.apply(round, "approve", actor=actor, effect=effect)


def star_send_back(*, actor: Principal, round: StarRound) -> StarRound:
    """Return a submitted round to the outlet head (the stars are unmarked)."""

    def effect(locked: StarRound) -> StarRound:
        locked.candidates.update(is_star=False)
        return locked

    return STAR_ROUND.apply(round, "send_back", actor=actor, effect=effect)


# --- benchmarking (K7) -----------------------------------------------------------------------------


def peer_figure_set(
    *,
    actor: Principal,
    bank: str,
    year: int,
    measure: str,
    value: float,
    source: str,
    same_definition: bool = True,
    note: str = "",
) -> PeerFigure:
    """Enter (or correct) one published figure of another bank."""
    access.require(actor, "appraisal.add_peerfigure")
    figures.peer_measure(measure)
    if not bank.strip() or not source.strip():
        raise _invalid("source" if bank.strip() else "bank", _("This field is required."))
    with transaction.atomic():
        row, created = PeerFigure.objects.update_or_create(
            bank=bank.strip(),
            year=year,
            measure=measure,
            defaults={
                "value": value,
                # Free text typed or imported by hand: masked like every other free-text field (#18).
                "source": pii.scrub(source.strip()),
                "same_definition": same_definition,
                "note": pii.scrub(note),
            },
        )
        audit.record(
            actor=actor,
            action="appraisal.peer_set",
            target=row,
            data={"bank": row.bank, "year": year, "measure": measure, "value": value, "created": created},
        )
    return row


def peer_figure_delete(*, actor: Principal, figure: PeerFigure) -> None:
    """Remove a peer figure entered by mistake."""
    access.require(actor, "appraisal.delete_peerfigure")
    with transaction.atomic():
        audit.record(actor=actor, action="appraisal.peer_delete", target=figure, data={"bank": figure.bank})
        figure.delete()
