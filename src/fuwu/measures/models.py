"""Daily additive rollups of the facts, the dirty-day queue that keeps them fresh, and targets (K1–K2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import OrgUnit, audited
from fuwu.measures.catalogue import (
    APPROVAL_COUNT_PARTS,
    APPROVAL_SUM_PARTS,
    CALL_COUNT_PARTS,
    CALL_SUM_PARTS,
    COMPLIMENT_PARTS,
    COUNT_PARTS,
    HIST_PARTS,
    INSPECTION_COUNT_PARTS,
    INSPECTION_SUM_PARTS,
    LANGUAGE_PARTS,
    STOCK_PARTS,
    SUGGESTION_PARTS,
    SUM_PARTS,
    TRAINING_PARTS,
)


class Cut(models.TextChoices):
    TOTAL = "", _("Whole unit")
    SERVICE = "service", _("Business type")
    COUNTER = "counter", _("Counter")
    STAFF = "staff", _("Staff member")
    TIER = "tier", _("Customer tier")
    HOUR = "hour", _("Hour of day")
    LINE = "line", _("Call line")
    COURSE = "course", _("Course")
    AGENT = "agent", _("Agent")
    STEP = "step", _("Approval step")
    PRODUCT = "product", _("Product")


class Rollup(models.Model):
    """The additive parts of every measure for one unit, one business date and one cut (e.g. one counter).

    The cut "" row holds the whole unit; the other cuts split the ticket parts of that same day, so the
    rows of one cut add up to the "" row's ticket parts. A contact centre's call parts are split the same
    way by call line and by hour offered; training parts by course, language parts by agent, approval parts
    by process step, suggestion parts by product. The staff cut also holds each member's suggestion and
    compliment parts (a member with no ticket may have a row).
    """

    date = models.DateField(_("business date"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    cut = models.CharField(max_length=8, choices=Cut.choices, default=Cut.TOTAL, blank=True)
    key = models.CharField(max_length=64, blank=True)  # service/counter code, staff id, tier, hour, line
    built_at = models.DateTimeField()

    for _part in (
        COUNT_PARTS
        + HIST_PARTS
        + CALL_COUNT_PARTS
        + INSPECTION_COUNT_PARTS
        + TRAINING_PARTS
        + LANGUAGE_PARTS
        + APPROVAL_COUNT_PARTS
        + SUGGESTION_PARTS
        + COMPLIMENT_PARTS
    ):
        locals()[_part] = models.PositiveIntegerField(default=0)
    for _part in SUM_PARTS + CALL_SUM_PARTS + INSPECTION_SUM_PARTS + APPROVAL_SUM_PARTS:
        locals()[_part] = models.FloatField(default=0)
    for _part in STOCK_PARTS:  # signed changes of a balance
        locals()[_part] = models.IntegerField(default=0)
    del _part

    scope_path = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "cut", "key"], name="measures_rollup_unique")
        ]
        indexes = [
            models.Index(fields=["cut", "date"], name="measures_rollup_cut_date"),
            # Dashboards read one cut of the units under a node for a date range: seek per unit, not per day.
            models.Index(fields=["cut", "unit", "date"], name="measures_rollup_cut_unit_date"),
        ]
        # Individual staff figures (the "staff" cut): front-line staff read their own, not a colleague's.
        permissions = [("view_staff_figures", _("Can view individual staff members' figures"))]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date} {self.cut}:{self.key}"


class DirtyDay(models.Model):
    """A (unit, business date) whose rollups must be rebuilt; writers of back-dated facts add these."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="measures_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date}"


class RollupState(models.Model):
    """The single row remembering up to when facts have been rolled up (the incremental watermark)."""

    name = models.CharField(max_length=20, unique=True, default="default")
    watermark = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.watermark}"


class Target(models.Model):
    """A target for one measure at one org unit: from baseline at the start date to value by the due date (K2)."""

    measure = models.CharField(_("measure"), max_length=40)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    baseline = models.FloatField(_("baseline"))
    value = models.FloatField(_("target value"))
    start_date = models.DateField(_("start"))
    due_date = models.DateField(_("due"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = audited()
    scope_path = "unit"

    class Meta:
        ordering = ["unit__path", "measure", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "unit", "due_date"], name="measures_target_unique")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.measure} @ {self.unit.code}: {self.baseline} → {self.value} by {self.due_date}"
