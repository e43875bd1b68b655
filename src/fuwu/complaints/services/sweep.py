"""The deadline sweep and alert acknowledgement.

The sweep finds candidates with one read, then handles each case in its own short transaction with the
case's row locked and the condition re-checked: a long sweep never holds locks on every open case, a failure
on one case leaves the others done, and two sweeps running at once alert once (issue 12).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from fuwu.complaints import deadlines, sop
from fuwu.complaints.models import OPEN_STATUSES, Alert, Complaint, ReviewRequest, Status, StepDeadline
from fuwu.complaints.services._common import alert
from fuwu.core import audit, clock
from fuwu.core.access import require
from fuwu.core.errors import NotFound
from fuwu.core.principals import Principal

CLOSED = (Status.WITHDRAWN, Status.MERGED, Status.CLOSED)


def _lock_case(pk: int) -> Complaint | None:
    """The case, locked for this short transaction: a concurrent step or sweep on it waits."""
    qs = Complaint.objects.select_related("outlet")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(pk=pk).first()


def _each(ids: list[int], step: Callable[[Complaint], bool]) -> int:
    """Run `step` on each case in its own transaction; count the cases it acted on."""
    done = 0
    for pk in ids:
        with transaction.atomic():
            case = _lock_case(pk)
            if case is not None and step(case):
                done += 1
    return done


def deadlines_sweep(*, actor: Principal) -> dict[str, int]:
    """Warn at 80% of each SOP step and the statutory clock; escalate step, statutory, regulator and review
    breaches to the next level up (each once); refresh the due date of cases whose holiday schedule was
    missing. One short transaction per case."""
    require(actor, "complaints.change_complaint")
    now = clock.now()
    today = clock.today()
    open_steps: QuerySet[StepDeadline] = StepDeadline.objects.filter(done_at__isnull=True).exclude(
        complaint__status__in=CLOSED
    )

    def warn_steps(c: Complaint) -> bool:
        steps = c.steps.filter(done_at__isnull=True, warned_at__isnull=True, warn_at__lte=now)
        for step in steps:
            alert(
                c,
                c.outlet,
                Alert.Kind.WARNING,
                f"{c.reference}: {step.get_step_display()} 80%",
                step=step.step,
            )
            step.warned_at = now
            step.save(update_fields=["warned_at"])
        return bool(steps)

    def escalate_steps(c: Complaint) -> bool:
        steps = list(c.steps.filter(done_at__isnull=True, escalated_at__isnull=True, due_at__lt=now))
        target = c.outlet.get_parent() or c.outlet
        for step in steps:
            alert(c, target, Alert.Kind.BREACH, f"{c.reference}: {step.get_step_display()} ×", step=step.step)
            step.escalated_at = now
            step.escalated_to = target
            step.save(update_fields=["escalated_at", "escalated_to"])
        return len(steps)  # type: ignore[return-value]

    counts = {
        "warned": 0,
        "escalated": 0,
        "statutory_warned": 0,
        "statutory_breached": 0,
        "regulator_breached": 0,
        "review_breached": 0,
        "calendar_refreshed": 0,
    }
    warn_ids = sorted(
        set(
            open_steps.filter(warned_at__isnull=True, warn_at__lte=now).values_list("complaint_id", flat=True)
        )
    )
    for pk in warn_ids:
        with transaction.atomic():
            case = _lock_case(pk)
            if case is not None and case.status not in CLOSED:
                before = case.steps.filter(
                    done_at__isnull=True, warned_at__isnull=True, warn_at__lte=now
                ).count()
                warn_steps(case)
                counts["warned"] += before
    esc_ids = sorted(
        set(
            open_steps.filter(escalated_at__isnull=True, due_at__lt=now).values_list(
                "complaint_id", flat=True
            )
        )
    )
    for pk in esc_ids:
        with transaction.atomic():
            case = _lock_case(pk)
            if case is not None and case.status not in CLOSED:
                counts["escalated"] += int(escalate_steps(case))

    def statutory_step(c: Complaint) -> bool:
        if c.status not in (Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED) or c.replied_at:
            return False
        if c.paused_since is not None:
            return False
        if c.alerts.filter(kind=Alert.Kind.BREACH, step="").exists():
            return False
        state = deadlines.clock_state(c, today=today)
        if state.is_overdue(today):
            target = c.outlet.get_parent() or c.outlet
            alert(
                c,
                target,
                Alert.Kind.BREACH,
                f"{c.reference}: {_('statutory deadline %(due)s passed') % {'due': state.due}}",
            )
            counts["statutory_breached"] += 1
            return True
        if (
            state.fraction_used >= sop.WARN_FRACTION
            and not c.alerts.filter(kind=Alert.Kind.WARNING, step="").exists()
        ):
            alert(
                c,
                c.outlet,
                Alert.Kind.WARNING,
                f"{c.reference}: {state.used_days}/{state.limit_days}, {state.due}",
            )
            counts["statutory_warned"] += 1
            return True
        return False

    # The statutory duty is to decide *and tell*: it is met at the first reply, so a case reopened after the
    # revisit or under review is watched by its SOP steps and its review deadline instead.
    statutory_ids = list(
        Complaint.objects.filter(
            status__in=[Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED],
            paused_since__isnull=True,
            replied_at__isnull=True,
        )
        .exclude(Exists(Alert.objects.filter(complaint=OuterRef("pk"), kind=Alert.Kind.BREACH, step="")))
        .values_list("pk", flat=True)
    )
    _each(statutory_ids, statutory_step)

    def regulator_step(c: Complaint) -> bool:
        if c.status not in OPEN_STATUSES or c.alerts.filter(step="regulator").exists():
            return False
        alert(
            c,
            c.outlet.get_parent() or c.outlet,
            Alert.Kind.BREACH,
            f"{c.reference}: {_('answer to the regulator overdue')}",
            step="regulator",
        )
        return True

    regulator_ids = list(
        Complaint.objects.filter(status__in=list(OPEN_STATUSES), regulator_due_at__lt=now)
        .exclude(alerts__step="regulator")
        .values_list("pk", flat=True)
    )
    counts["regulator_breached"] = _each(regulator_ids, regulator_step)

    def review_step(c: Complaint) -> bool:
        review = (
            c.reviews.filter(decided_at__isnull=True, due_at__lt=now).select_related("reviewing_unit").first()
        )
        if c.status != Status.UNDER_REVIEW or review is None or c.alerts.filter(step="review").exists():
            return False
        target = review.reviewing_unit.get_parent() or review.reviewing_unit
        alert(c, target, Alert.Kind.BREACH, f"{c.reference}: {_('review overdue')}", step="review")
        return True

    review_ids = list(
        ReviewRequest.objects.filter(
            decided_at__isnull=True, due_at__lt=now, complaint__status=Status.UNDER_REVIEW
        )
        .exclude(complaint__alerts__step="review")
        .values_list("complaint_id", flat=True)
    )
    counts["review_breached"] = _each(review_ids, review_step)

    def calendar_step(c: Complaint) -> bool:
        # Someone entered the missing year's schedule: recompute, and the flag clears if it is now known.
        before = (c.due_at, c.calendar_unknown)
        deadlines.refresh_due(c)
        if (c.due_at, c.calendar_unknown) == before:
            return False
        c.save(update_fields=["due_at", "calendar_unknown"])
        return True

    flagged = list(
        Complaint.objects.filter(calendar_unknown=True, status__in=list(OPEN_STATUSES)).values_list(
            "pk", flat=True
        )
    )
    counts["calendar_refreshed"] = _each(flagged, calendar_step)
    return counts


@transaction.atomic
def alert_acknowledge(*, actor: Principal, alert: Alert) -> Alert:
    """Mark an alert as seen."""
    require(actor, "complaints.view_alert", unit=alert.org_unit)
    qs = Alert.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()  # two acknowledgements of one alert write one audit row
    locked = qs.filter(pk=alert.pk).first()
    if locked is None:
        raise NotFound(_("Not found."))
    if locked.acknowledged_at is None:
        locked.acknowledged_at = clock.now()
        locked.save(update_fields=["acknowledged_at"])
        audit.record(actor=actor, action="complaint.alert_ack", target=locked, org_unit=locked.org_unit)
    alert.acknowledged_at = locked.acknowledged_at
    return locked
