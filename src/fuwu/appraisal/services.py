"""Writes of the appraisal app: scorecards and their dated weights, service stars, briefings, peer figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fuwu.appraisal import figures
from fuwu.appraisal.models import ItemWeight, Level, Rule, Scorecard, ScorecardItem
from fuwu.core import access, audit, clock
from fuwu.core import roles as core_roles
from fuwu.core.errors import ValidationFailed
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
    if scorecard.level == Level.STAFF and measure not in figures.STAFF_MEASURES:
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
                    item__scorecard=card, item__measure__in=figures.SATISFACTION, effective_from__gt=effective_from
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


