"""Customer feedback facts (F1–F6). Evaluation is the per-ticket rating from the counter's pad."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.models import ImportBatch, OrgUnit, PublishedManager, audited


class Evaluation(models.Model):
    """One rating for one finished ticket (F1); satisfaction measures read this table."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    ticket = models.OneToOneField("floor.Ticket", on_delete=models.CASCADE, related_name="evaluation")
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    counter = models.ForeignKey(
        "floor.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations"
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("rated at"), db_index=True)
    source = models.CharField(max_length=10, default="pad")  # pad | import
    # Written by `fuwu import events` (#18); hidden from every reader until the batch is published.
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["Evaluation"]()

    scope_path = "outlet"

    class Meta:
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="feedback_eval_import_idx",
                condition=models.Q(import_batch__isnull=False),
            )
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.ticket} {self.rating}"


DEFAULT_REASONS = ["等候时间长", "服务态度", "业务不熟练", "流程繁琐", "环境设施", "产品不满意"]


class PadConfig(models.Model):
    """How long after a finish the pad accepts a rating, and which reasons it offers (per outlet, else global)."""

    outlet = models.OneToOneField(
        OrgUnit,
        verbose_name=_("outlet"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default for every outlet."),
    )
    window_seconds = models.PositiveIntegerField(_("rating window (s)"), default=180)
    reasons = models.JSONField(_("reasons when not satisfied"), default=list)

    history = audited()
    scope_path = "outlet"

    class Meta:
        verbose_name = _("evaluation pad settings")
        verbose_name_plural = _("evaluation pad settings")

    def __str__(self) -> str:
        return f"{self.outlet or '*'} {self.window_seconds}s"


class FeedbackItem(models.Model):
    """One message left in the feedback box (QR code in the outlet or online), anonymous or with contact (F3)."""

    class Channel(models.TextChoices):
        QR = "qr", _("QR code in the outlet")
        ONLINE = "online", _("Online")

    class Subject(models.TextChoices):
        OUTLET = "outlet", _("The outlet")
        STAFF = "staff", _("A staff member")
        SERVICE = "service", _("A service")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting reply")
        REPLIED = "replied", _("Replied")

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    subject = models.CharField(_("about"), max_length=8, choices=Subject.choices, default=Subject.OUTLET)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    service = models.ForeignKey(
        "floor.ServiceType",
        verbose_name=_("business type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A compliment (表扬) of the staff member or the counter named (K5 service stars count them per staff).
    is_compliment = models.BooleanField(_("compliment"), default=False, db_index=True)
    counter = models.ForeignKey(
        "floor.Counter",
        verbose_name=_("counter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("message"))
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = models.CharField(_("contact name"), max_length=40, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_cipher = models.TextField(blank=True)
    client_key = models.CharField(max_length=64, db_index=True)  # hashed client address, for throttling only
    access_hash = models.CharField(max_length=64, unique=True)  # hash of the customer's private reply link
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_feedback",
    )
    reply_due_at = models.DateTimeField(_("reply due"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    terms = models.JSONField(default=list, blank=True)  # segmented keywords, for trending terms

    history = audited(excluded_fields=["phone_cipher", "phone_hash"])
    scope_path = "outlet"

    class Meta:
        ordering = ["-submitted_at"]
        # The customer 360 finds a customer's box messages by their phone's keyed hash, newest first.
        indexes = [models.Index(fields=["phone_hash", "-submitted_at"], name="feedback_item_phone_idx")]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")

    def __str__(self) -> str:
        return f"#{self.pk} {self.outlet} {self.text[:20]}"

    @property
    def is_overdue(self) -> bool:
        """Past its reply deadline and still unanswered (lists mark it red)."""
        return self.status == self.Status.OPEN and self.reply_due_at < clock.now()


class BoxSender(models.Model):
    """One row per (hashed) client address of the public feedback box: the lock its throttle counts under.

    Posts from one address take this row FOR UPDATE before counting their last hour's messages, so twenty
    simultaneous posts are counted one after another and exactly the limit get through.
    """

    client_key = models.CharField(max_length=64, unique=True)
    first_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("feedback box sender")
        verbose_name_plural = _("feedback box senders")

    def __str__(self) -> str:
        return self.client_key[:12]


class SurveyBatch(models.Model):
    """One imported file of third-party survey results (F4)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    provider = models.CharField(_("provider"), max_length=60, blank=True)
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows = models.PositiveIntegerField(default=0)

    # The `fuwu import survey` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["SurveyBatch"]()
    scope_path = "org_unit"

    class Meta:
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="feedback_sbatch_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]
        ordering = ["-imported_at"]
        verbose_name = _("survey import")
        verbose_name_plural = _("survey imports")

    def __str__(self) -> str:
        return self.file_name


class SurveyResponse(models.Model):
    """One respondent's answers: NPS (0–10), CSAT (1–5) on the service and on the bank overall."""

    batch = models.ForeignKey(SurveyBatch, on_delete=models.CASCADE, related_name="responses")
    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(_("response id"), max_length=64, unique=True)
    responded_on = models.DateField(_("answered on"), db_index=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0–10)"), null=True, blank=True)
    service_csat = models.PositiveSmallIntegerField(_("service satisfaction (1–5)"), null=True, blank=True)
    overall_csat = models.PositiveSmallIntegerField(_("overall satisfaction (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    # The `fuwu import survey` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["SurveyResponse"]()
    scope_path = "outlet"

    class Meta:
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="feedback_sresp_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]
        ordering = ["-responded_on"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_detractor(self) -> bool:
        return self.nps is not None and self.nps <= 6


class SurveyTarget(models.Model):
    """A target for a survey measure at an org unit (seed 000: service ≥ 90 %, overall ≥ 92 %)."""

    class Measure(models.TextChoices):
        SERVICE_CSAT = "service_csat", _("Service satisfaction (CSAT)")
        OVERALL_CSAT = "overall_csat", _("Overall satisfaction (CSAT)")
        NPS = "nps", _("Net promoter score")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    target = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=1)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "measure"], name="feedback_target_unique")]
        verbose_name = _("survey target")
        verbose_name_plural = _("survey targets")

    def __str__(self) -> str:
        return f"{self.org_unit} {self.measure} ≥ {self.target}"


class FollowUp(models.Model):
    """The closed loop (F5): a dissatisfied rating, detractor answer or negative feedback for the outlet head."""

    class Source(models.TextChoices):
        EVALUATION = "evaluation", _("Dissatisfied rating")
        SURVEY = "survey", _("Detractor survey answer")
        FEEDBACK = "feedback", _("Negative feedback")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved with the customer")
        EXPLAINED = "explained", _("Explained, customer accepts")
        UNREACHABLE = "unreachable", _("Customer unreachable")
        COACHED = "coached", _("Staff coached, no contact possible")
        # The staff member or the outlet was at fault: goes to the rectification ledger (整改台账).
        FAULT_FOUND = "fault_found", _("Fault found: staff or outlet at fault")

    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    feedback = models.OneToOneField(
        FeedbackItem, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    survey_response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    touched_at = models.DateTimeField(_("first action"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("what was done"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # The `fuwu import survey` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["FollowUp"]()
    history = audited()
    scope_path = "outlet"

    class Meta:
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="feedback_fup_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]
        ordering = ["due_at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.summary}"

    @property
    def is_overdue(self) -> bool:
        """Past its deadline and not closed (lists mark it red)."""
        return self.status != self.Status.CLOSED and self.due_at < clock.now()
