"""Approvals (L1): versioned process definitions, cases, their steps with business-hour limits, and the timeline.

A case keeps the ProcessVersion it started on; editing a process publishes a new version. Each activation of a
step is one CaseStep row (a returned and resubmitted step gets a new row), so the step table is the fact table
of the bottleneck analysis: started_at, finished_at, paused_seconds (waiting for the customer), due times.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.models import OrgUnit, audited


class UnitLevel(models.TextChoices):
    OUTLET = "outlet", _("Outlet")
    TIER2 = "tier2", _("Tier-2 branch")
    TIER1 = "tier1", _("Tier-1 branch")
    HEAD_OFFICE = "head_office", _("Head office")


class Process(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    history = audited()

    class Meta:
        ordering = ["code"]
        verbose_name = _("approval process")
        verbose_name_plural = _("approval processes")
        permissions = [
            ("decide_step", "May approve, return or reject an approval step of their role"),
            ("reassign_step", "May reassign approval steps and record delegations"),
            ("view_bottlenecks", "May read approval bottleneck figures"),
        ]

    def __str__(self) -> str:
        return self.name

    def current(self) -> ProcessVersion:
        return self.versions.filter(published=True).order_by("-number")[0]


class ProcessVersion(models.Model):
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published = models.BooleanField(_("published"), default=False)
    note = models.CharField(_("what changed"), max_length=200, blank=True)

    class Meta:
        ordering = ["process", "number"]
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="approvals_version_once")]

    def __str__(self) -> str:
        return f"{self.process} v{self.number}"


class StepDef(models.Model):
    """One step of a version. Steps with the same position run in parallel; positions run in order."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    owner_role = models.CharField(_("owner role"), max_length=32)
    unit_level = models.CharField(_("unit level"), max_length=16, choices=UnitLevel.choices)
    limit_hours = models.DecimalField(_("time limit (business hours)"), max_digits=6, decimal_places=1)
    # Condition: the step applies only from this amount up (the small-loan fast track skips it below).
    min_amount = models.DecimalField(
        _("applies from amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="approvals_step_code_once")]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    RUNNING = "running", _("In approval")
    WAITING = "waiting", _("Waiting for customer documents")
    RETURNED = "returned", _("Returned for rework")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Case(models.Model):
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.RUNNING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by_label = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # A business system's own id, so a retried API call starts one case.
    external_ref = models.CharField(max_length=64, null=True, blank=True, unique=True)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("approval case")
        verbose_name_plural = _("approval cases")

    def __str__(self) -> str:
        return self.reference


class StepStatus(models.TextChoices):
    ACTIVE = "active", _("Waiting for decision")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Skipped (fast track)")
    CANCELLED = "cancelled", _("Cancelled")


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step_def = models.ForeignKey(StepDef, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.ACTIVE
    )
    owner_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    # Escalation rungs at 50%, 100% and 150% of the limit in business hours (moved on by pauses).
    half_at = models.DateTimeField()
    due_at = models.DateTimeField()
    late_at = models.DateTimeField()
    escalated = models.PositiveSmallIntegerField(default=0)  # highest rung fired: 0–3
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)  # waiting for the customer, excluded from working
    paused_business_seconds = models.PositiveIntegerField(default=0)  # the same wait, in business hours
    finished_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)

    history = audited()
    scope_path = "case__org_unit"

    class Meta:
        ordering = ["case", "started_at", "pk"]
        indexes = [models.Index(fields=["status", "escalated"])]

    def __str__(self) -> str:
        return f"{self.case.reference} · {self.step_def.name}"

    @property
    def is_waiting(self) -> bool:
        """Waiting for a decision: its due time and assignee are what matter."""
        return self.status == StepStatus.ACTIVE

    @property
    def is_overdue(self) -> bool:
        """Waiting for a decision past its (pause-adjusted) due time."""
        return self.is_waiting and self.due_at < clock.now()

    @staticmethod
    def overdue_at(now: dt.datetime) -> models.Q:
        """`is_overdue` at `now` as a filter, so a count of late steps is one aggregate in SQL (#19)."""
        return models.Q(status=StepStatus.ACTIVE, due_at__lt=now)


class CaseEvent(models.Model):
    """The case's timeline: start, each decision, skip, pause/resume, reassignment, escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(CaseStep, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=100)
    kind = models.CharField(max_length=24)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    scope_path = "case__org_unit"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(CaseStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="approvals/")
    name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()
    uploaded_by_label = models.CharField(max_length=100)

    scope_path = "case__org_unit"

    def __str__(self) -> str:
        return self.name


class Escalation(models.Model):
    """One fired rung of one step: the sweep writes it once (unique), to the unit that must act."""

    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="escalations")
    rung = models.PositiveSmallIntegerField()  # 1: 50%, 2: 100%, 3: 150%
    at = models.DateTimeField()
    notified_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    scope_path = "notified_unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "rung"], name="approvals_escalation_once")]

    def __str__(self) -> str:
        return f"{self.step_id} rung {self.rung}"


class Delegation(models.Model):
    """During leave, `delegate` decides the steps `delegator` could decide."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    history = audited()
    scope_path = "delegator__org_unit"

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}"
