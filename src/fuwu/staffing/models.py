"""Staffing facts: call records (W5), staff rostering profiles, weekly staffing plans with their per-interval
forecast and requirement (W1, W2) and the shifts of the roster (W3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import ImportBatch, OrgUnit, PublishedManager, audited


class CallLine(models.TextChoices):
    HOTLINE = "95599", _("95599 hotline")
    CREDIT_CARD = "credit_card", _("Credit-card line")


class Channel(models.TextChoices):
    BRANCH = "branch", _("Branch counters")
    HOTLINE = "95599", _("95599 hotline")
    CREDIT_CARD = "credit_card", _("Credit-card line")


class CallRecord(models.Model):
    """One offered call: answered (answered_at, ended_at) or abandoned (abandoned_at)."""

    centre = models.ForeignKey(
        OrgUnit, verbose_name=_("contact centre"), on_delete=models.PROTECT, related_name="call_records"
    )
    call_id = models.CharField(_("call id"), max_length=64, unique=True)
    line = models.CharField(_("line"), max_length=16, choices=CallLine.choices)
    offered_at = models.DateTimeField(_("offered at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned at"), null=True, blank=True)
    agent = models.CharField(_("agent"), max_length=32, blank=True)
    # The caller, matched on import by customer number or the keyed hash of the calling number (the number
    # itself is never stored); feeds the customer 360's timeline (P1).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Written by `fuwu import calls` (#18); hidden from every reader until the batch is published.
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["CallRecord"]()

    scope_path = "centre"

    class Meta:
        ordering = ["offered_at"]
        indexes = [
            models.Index(fields=["centre", "line", "offered_at"], name="staffing_call_line_idx"),
            models.Index(fields=["customer", "-offered_at"], name="staffing_call_customer_idx"),
            models.Index(
                fields=["import_batch"],
                name="staffing_call_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]
        permissions = [
            # A customer's own calls are their history (like their visits), not the hotline's figures.
            ("view_customer_calls", "May see a customer's own calls in the customer 360"),
        ]
        verbose_name = _("call record")
        verbose_name_plural = _("call records")

    def __str__(self) -> str:
        return self.call_id


class StaffProfile(models.Model):
    """How a staff member can be rostered: skills (counter kinds or call lines), part-time, limits, cost."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staffing_profile"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("rostered at"), on_delete=models.PROTECT, related_name="staff_profiles"
    )
    skills = models.CharField(_("skills"), max_length=200, help_text=_("Comma-separated channels."))
    part_time = models.BooleanField(_("part-time"), default=False)
    max_days = models.PositiveSmallIntegerField(_("max days a week"), default=5)
    max_hours = models.PositiveSmallIntegerField(_("max hours a week"), default=40)
    hourly_cost = models.PositiveIntegerField(_("hourly cost"), default=100)

    history = audited()
    scope_path = "unit"

    class Meta:
        verbose_name = _("staff rostering profile")
        verbose_name_plural = _("staff rostering profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.skills})"

    @property
    def skill_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.skills.split(",") if s.strip())


# The plan's handle time and patience, wherever they are typed (plan page, Erlang API): Erlang A's work grows with
# patience / handle time, and real calls take seconds to hours while callers wait minutes (#18).
MIN_AHT_SECONDS = 5.0
MAX_AHT_SECONDS = 7200.0
MAX_PATIENCE_SECONDS = 1800.0


class StaffingPlan(models.Model):
    """One week's forecast, requirement and roster for an outlet's counters or a call line."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staffing_plans"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.BRANCH)
    week_start = models.DateField(_("week starting"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    day_start = models.TimeField(_("opening time"), default=dt.time(9, 0))
    slots = models.PositiveSmallIntegerField(_("intervals a day"), default=16)
    aht_seconds = models.FloatField(_("handle time (s)"), default=300.0)
    target_seconds = models.FloatField(_("target wait (s)"), default=900.0)
    target_level = models.FloatField(_("service level target"), default=0.8)
    patience_seconds = models.FloatField(_("mean patience (s)"), null=True, blank=True)
    answer_rate = models.FloatField(_("answer-rate target"), null=True, blank=True)
    model_name = models.CharField(_("forecast model"), max_length=40, blank=True)
    backtest = models.JSONField(_("backtest"), default=dict, blank=True)
    roster_status = models.CharField(max_length=20, blank=True)
    # Incremented by every change (build, roster, shift edit, publish): a slow solve or forecast computed
    # from version n is applied only if the plan is still at version n (else 409, nothing written).
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audited()
    scope_path = "unit"

    class Meta:
        ordering = ["-week_start", "unit__code", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "channel", "week_start"], name="staffing_plan_unique_week"
            )
        ]
        verbose_name = _("staffing plan")
        verbose_name_plural = _("staffing plans")

    def __str__(self) -> str:
        return f"{self.unit.name} {self.get_channel_display()} {self.week_start}"

    def slot_start(self, day: dt.date, slot: int) -> dt.datetime:
        return dt.datetime.combine(day, self.day_start) + dt.timedelta(minutes=30 * slot)


class PlanInterval(models.Model):
    """Forecast arrivals and required servers for one 30-minute interval of a plan."""

    plan = models.ForeignKey(StaffingPlan, on_delete=models.CASCADE, related_name="intervals")
    date = models.DateField()
    slot = models.PositiveSmallIntegerField()
    forecast = models.FloatField(default=0.0)
    required = models.PositiveIntegerField(default=0)

    scope_path = "plan__unit"

    class Meta:
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date", "slot"], name="staffing_interval_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} #{self.slot}: {self.required}"


class Shift(models.Model):
    """One person's working time on one day of a plan, with an optional lunch break."""

    plan = models.ForeignKey(StaffingPlan, on_delete=models.CASCADE, related_name="shifts")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="shifts",
    )
    date = models.DateField(_("date"))
    start_slot = models.PositiveSmallIntegerField(_("start"))
    end_slot = models.PositiveSmallIntegerField(_("end"))
    lunch_slot = models.PositiveSmallIntegerField(_("lunch"), null=True, blank=True)
    lunch_slots = models.PositiveSmallIntegerField(default=2)
    skill = models.CharField(_("skill"), max_length=16)

    history = audited()
    scope_path = "plan__unit"

    class Meta:
        ordering = ["date", "start_slot", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "staff", "date"], name="staffing_shift_one_a_day")
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.start_slot}-{self.end_slot}"

    def covers(self, slot: int) -> bool:
        if not self.start_slot <= slot < self.end_slot:
            return False
        return self.lunch_slot is None or not self.lunch_slot <= slot < self.lunch_slot + self.lunch_slots
