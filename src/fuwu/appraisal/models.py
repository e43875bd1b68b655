"""Appraisal (K4–K7): scorecards with dated weights, monthly service stars, briefing jobs, peer figures.

Scores are never stored: they are computed from the one measure catalogue each time they are shown, so a
scorecard page, a briefing and `fuwu measures` cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import OrgUnit, audited


class Level(models.TextChoices):
    TIER1 = "tier1", _("Tier-1 branches")
    TIER2 = "tier2", _("Tier-2 branches")
    OUTLET = "outlet", _("Outlets")
    STAFF = "staff", _("Staff of one role")


class Rule(models.TextChoices):
    TARGET = "target", _("Against a target")
    PROGRESS = "progress", _("Progress from baseline to target")
    RANK = "rank", _("Rank among peers")


class Scorecard(models.Model):
    """The measures one level is appraised on (bank-wide: head office sets it, every unit reads it)."""

    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    staff_role = models.CharField(_("staff role"), max_length=32, blank=True)  # level "staff" only
    name = models.CharField(_("name"), max_length=60)
    # The most the satisfaction measures may weigh together on any date (seed 002: at most 40%).
    satisfaction_cap = models.FloatField(_("satisfaction weight cap (%)"), default=40.0)
    created_at = models.DateTimeField(_("created"))

    history = audited()

    class Meta:
        ordering = ["level", "staff_role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["level", "staff_role"], name="appraisal_scorecard_level_role")
        ]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        permissions = [("view_staff_scores", "Can see every staff member's score, not only one's own")]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    """One catalogue measure on a scorecard with its scoring rule (weights are dated, see ItemWeight)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    measure = models.CharField(_("measure"), max_length=40)
    rule = models.CharField(_("scoring rule"), max_length=8, choices=Rule.choices)
    target = models.FloatField(_("target"), null=True, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = audited()

    class Meta:
        ordering = ["scorecard", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "measure"], name="appraisal_item_measure_once")
        ]

    def __str__(self) -> str:
        return f"{self.scorecard_id}:{self.measure}"


class ItemWeight(models.Model):
    """From `effective_from` on (until the next row), the item weighs `weight` percent."""

    item = models.ForeignKey(ScorecardItem, on_delete=models.CASCADE, related_name="weights")
    effective_from = models.DateField(_("effective from"))
    weight = models.FloatField(_("weight (%)"))

    history = audited()

    class Meta:
        ordering = ["item", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["item", "effective_from"], name="appraisal_weight_date_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.effective_from}: {self.weight}%"


class StarPolicy(models.Model):
    """How service-star candidates score and what an upheld complaint or a failed critical inspection item
    costs, from the month `effective_from` on (until the next row): a change never re-scores earlier months."""

    class Upheld(models.TextChoices):
        DISQUALIFY = "disqualify", _("Disqualify")
        DEDUCT = "deduct", _("Deduct points")

    effective_from = models.DateField(_("effective from"), unique=True)  # the first day of a month
    upheld_action = models.CharField(
        _("an upheld complaint"), max_length=10, choices=Upheld.choices, default=Upheld.DISQUALIFY
    )
    deduction = models.FloatField(_("points deducted per upheld complaint"), default=20.0)
    critical_action = models.CharField(
        _("a failed critical inspection item"),
        max_length=10,
        choices=Upheld.choices,
        default=Upheld.DISQUALIFY,
    )
    critical_deduction = models.FloatField(_("points deducted per failed critical item"), default=20.0)
    min_evaluations = models.PositiveIntegerField(_("evaluations needed"), default=10)
    nomination_bonus = models.FloatField(_("points for a nomination"), default=10.0)
    compliment_points = models.FloatField(_("points per compliment in feedback"), default=5.0)
    max_compliments = models.PositiveSmallIntegerField(_("compliments counted at most"), default=3)
    stars_per_outlet = models.PositiveSmallIntegerField(_("stars per outlet"), default=1)

    history = audited()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("service-star policy")
        verbose_name_plural = _("service-star policies")

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"

    @classmethod
    def in_force(cls, month_start: dt.date) -> StarPolicy:
        """The policy of the month starting `month_start` (the defaults when none was ever set)."""
        found = cls.objects.filter(effective_from__lte=month_start).order_by("-effective_from").first()
        return found or cls(effective_from=dt.date(2000, 1, 1))

    @property
    def upheld_disqualifies(self) -> bool:
        return self.upheld_action == self.Upheld.DISQUALIFY

    @property
    def critical_disqualifies(self) -> bool:
        return self.critical_action == self.Upheld.DISQUALIFY

    @property
    def month(self) -> str:
        return f"{self.effective_from:%Y-%m}"


class StarRound(models.Model):
    """One outlet's service-star selection for one month: drafted, submitted by the head, approved above."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")

    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    ranked_at = models.DateTimeField(_("ranked"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["-month", "outlet__path"]
        constraints = [models.UniqueConstraint(fields=["outlet", "month"], name="appraisal_round_once")]
        verbose_name = _("service-star round")
        verbose_name_plural = _("service-star rounds")
        permissions = [
            ("nominate_star", "Can nominate staff and submit the outlet's stars"),
            ("approve_star", "Can approve an outlet's service stars"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.month}"


class Nomination(models.Model):
    """The outlet head puts a member of staff forward, with a reason shown on the wall of stars."""

    round = models.ForeignKey(StarRound, on_delete=models.CASCADE, related_name="nominations")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField()

    scope_path = "round__outlet"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "staff"], name="appraisal_nomination_once")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.staff_id}"


class Candidate(models.Model):
    """A ranked candidate of a round, with every reason for the score (what the wall of stars shows)."""

    round = models.ForeignKey(StarRound, on_delete=models.CASCADE, related_name="candidates")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    disqualified = models.BooleanField(default=False)
    is_star = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)  # [{"kind": …, "text": …, "points": …}]

    scope_path = "round__outlet"

    class Meta:
        ordering = ["round", "disqualified", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "staff"], name="appraisal_candidate_once")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.staff_id} {self.score}"


class BriefingJob(models.Model):
    """A quarterly briefing being built in the background; its files are kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(_("quarter"), max_length=7)
    whole_bank = models.BooleanField(default=False)  # head office plus one briefing per tier-1 branch
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.CharField(max_length=200, blank=True)
    files = models.JSONField(default=list)  # file names in the job's folder
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_path = "unit"

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.quarter} {self.status}"

    @property
    def in_progress(self) -> bool:
        """Still being built: the page keeps polling its progress."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PeerFigure(models.Model):
    """A published figure of another bank (同业对标), entered by hand or imported from Excel."""

    bank = models.CharField(_("bank"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    measure = models.CharField(_("measure"), max_length=40)
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=200)
    # False when the peer counts differently from our catalogue definition: shown, never compared.
    same_definition = models.BooleanField(_("same definition as ours"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = audited()

    class Meta:
        ordering = ["measure", "year", "bank"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "year", "measure"], name="appraisal_peer_once")
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.year} {self.measure}"
