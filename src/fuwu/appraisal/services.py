"""Writes of the appraisal app: scorecards and their dated weights, service stars, briefings, peer figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.appraisal import figures
from fuwu.appraisal.models import BriefingJob, ItemWeight, Level, Rule, Scorecard, ScorecardItem
from fuwu.core import access, audit, clock
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
    job.refresh_from_db()
    return job
