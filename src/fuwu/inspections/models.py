"""Inspection templates (versioned), inspections with responses and photos, and the rectification ledger (S1–S3, S6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.models import ImportBatch, OrgUnit, PublishedManager, audited


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Template(models.Model):
    """A checklist (五个一, 四不准, 6S …); its content lives in numbered versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = audited()

    class Meta:
        ordering = ["code"]
        verbose_name = _("inspection template")

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    """One frozen version of a template: an inspection is scored on the version it started with."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("change note"), max_length=200, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="insp_version_unique")]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    title = models.CharField(_("section"), max_length=100)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """One checklist item: weighted, yes/no/N/A or 0–N points, maybe critical, maybe needing a photo on failure."""

    class Response(models.TextChoices):
        YES_NO = "yes_no", _("Pass / fail / N/A")
        POINTS = "points", _("Points")

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    code = models.CharField(_("code"), max_length=32)
    text = models.CharField(_("item"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.PositiveIntegerField(_("weight"), default=1)
    response = models.CharField(_("response set"), max_length=8, choices=Response.choices, default="yes_no")
    max_points = models.PositiveIntegerField(_("maximum points"), default=1)
    critical = models.BooleanField(_("critical"), default=False)
    photo_required = models.BooleanField(_("photo required when failed"), default=False)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default="normal")
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)  # 厅堂 1–7 号位

    class Meta:
        ordering = ["version", "section__order", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="insp_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Inspection(models.Model):
    """One visit (神秘人 / 视频 / 现场) of one outlet against one template version."""

    class Kind(models.TextChoices):
        MYSTERY = "mystery", _("Mystery shopper")
        VIDEO = "video", _("Video")
        ONSITE = "onsite", _("On-site")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Handed in")
        CANCELLED = "cancelled", _("Cancelled")

    class Band(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet"))
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="planned")
    planned = models.BooleanField(_("planned"), default=False)
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("supervisor"),
    )
    created_at = models.DateTimeField(_("created"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=10, choices=Band.choices, blank=True)
    critical_failed = models.BooleanField(_("critical item failed"), default=False)
    staff_observed = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff observed"),
    )
    position = models.PositiveSmallIntegerField(_("position observed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outlet", "kind", "visit_date"])]
        permissions = [
            ("conduct_inspection", "May fill in and submit inspections"),
            ("plan_inspection", "May plan and schedule inspections"),
            ("view_unannounced", "May see mystery-shopper visits before they are submitted"),
            ("view_supervision", "May see the supervisor roster and piece-rate tally"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.outlet.name} #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        """Handed in: scored, and its findings are in the rectification ledger."""
        return self.status == self.Status.SUBMITTED


class Response(models.Model):
    """The answer to one item of one inspection, saved item by item as a draft."""

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NA = "na", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    # An upheld appeal removes the finding: the item then scores as passed; the answer itself is kept.
    appeal_upheld = models.BooleanField(default=False)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1)

    history = audited()
    scope_path = "inspection__outlet"

    class Meta:
        ordering = ["inspection", "item__section__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="insp_response_unique")]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}: {self.result or self.points}"


class Finding(models.Model):
    """A failed item of a submitted inspection; it opens a rectification task and counts for piece rate."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="finding")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings"
    )
    created_at = models.DateTimeField()
    removed = models.BooleanField(_("removed on appeal"), default=False)

    history = audited()
    scope_path = "inspection__outlet"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.inspection_id}"


class RectificationTask(models.Model):
    """One line of the rectification ledger (整改台账), whatever source reported the defect."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Evidence submitted")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")
        APPEALED = "appealed", _("Under appeal")
        WITHDRAWN = "withdrawn", _("Withdrawn on appeal")

    # The ledger's "not yet fixed": the unit still owes the fix (an appeal is still undecided).
    OPEN_STATES = (Status.OPEN, Status.REOPENED, Status.APPEALED)

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        COMPLAINT = "complaint", _("Complaint")
        EVALUATION = "evaluation", _("Evaluation follow-up")
        LANGUAGE = "language", _("Forbidden phrase")

    source_kind = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_id = models.CharField(max_length=64)
    label = models.CharField(_("subject"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default="normal")
    reason_code = models.CharField(max_length=64, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("owner"),
    )
    finding = models.OneToOneField(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="task"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    opened_at = models.DateTimeField(_("opened"))
    due = models.DateField(_("due"))
    required_evidence = models.CharField(_("required evidence"), max_length=200, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_time = models.BooleanField(null=True)
    # When the task left the ledger's open states: verified, or withdrawn on an upheld appeal.
    closed_at = models.DateTimeField(null=True, blank=True)
    recheck_at_next_inspection = models.BooleanField(_("verify at next inspection"), default=False)
    verification_note = models.TextField(blank=True)
    appeal_reason = models.TextField(_("appeal reason"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decision = models.TextField(_("appeal decision"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_to = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Opened for an import's findings while the import runs (#18): hidden, like the findings, until that batch
    # is published, and deleted with it if the run fails.
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["RectificationTask"]()
    history = audited()
    scope_path = "unit"

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_kind", "source_id"], name="insp_task_source_unique")
        ]
        indexes = [
            models.Index(fields=["status", "due"]),
            models.Index(
                fields=["import_batch"],
                name="insp_task_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]
        permissions = [
            ("rectify_task", "May submit rectification evidence and appeal"),
            ("verify_task", "May verify or reopen rectifications"),
            ("decide_appeal", "May decide appeals against findings"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_kind_display()} {self.label}"

    # Overdue, defined once for the ledger, the task page, the API, the home worklist and the escalation
    # sweep: not yet fixed and its due date (a business date, inclusive) passed. Evidence handed in on or
    # before the due date is on time (`on_time`), by the same comparison.
    @staticmethod
    def past_due(due: dt.date, day: dt.date) -> bool:
        return day > due

    @classmethod
    def overdue_on(cls, day: dt.date) -> Q:
        """The overdue rule as a query filter, for lists and the sweep."""
        return Q(status__in=cls.OPEN_STATES, due__lt=day)

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status in self.OPEN_STATES and self.past_due(self.due, day)

    @property
    def is_overdue(self) -> bool:
        """Overdue today (Shanghai business date): what screens mark."""
        return self.is_overdue_on(clock.today())


class Photo(models.Model):
    """An evidence photo (of a failed item or of a fix): content-checked, hashed, thumbnailed, EXIF time kept."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    task = models.ForeignKey(
        RectificationTask, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="inspections/%Y/%m/")
    thumbnail = models.FileField(upload_to="inspections/thumbs/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)  # from EXIF DateTimeOriginal
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_path = "unit"

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.sha256[:12]
