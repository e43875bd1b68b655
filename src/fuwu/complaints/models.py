"""Complaints under the Chinese rules (C1–C8).

Classification follows JR/T 0169-2018 (three code hierarchies A/B/C kept in `ClassificationCode`; see codes.py
for what is verified). The statutory clock (办法 2020 第十五、十八、二十、二十三、四十三条) is computed by
`fuwu.complaints.clock` from the receipt and the clock events stored in `ClockEvent`; `Complaint.due_at` is
its cached result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import OrgUnit, audited


class Dimension(models.TextChoices):
    """JR/T 0169-2018's three dimensions, lettered A, B and C in the standard."""

    CHANNEL = "channel", _("A Channel")
    CATEGORY = "category", _("B Business category")
    REASON = "reason", _("C Reason")


class ClassificationCode(models.Model):
    """One node of a JR/T 0169 code hierarchy; second levels are refinements banks add themselves."""

    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # The seed code this row descends from (classifier and demo labels); kept through imports.
    seed_key = models.CharField(_("seed key"), max_length=16, blank=True, db_index=True)
    # True for rows loaded from the official table (fuwu import complaint-codes); the seed is not verified.
    verified = models.BooleanField(_("verified against the standard"), default=False)

    history = audited()

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="complaints_code_unique")]
        verbose_name = _("classification code")
        verbose_name_plural = _("classification codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Source(models.TextChoices):
    COUNTER = "counter", _("Teller counter")
    WINDOW = "window", _("Complaint window")
    HOTLINE = "hotline", _("Hotline")
    ONLINE = "online", _("Online")
    LETTER = "letter", _("Letter / e-mail")
    MEDIA = "media", _("Media")
    PBOC = "pboc", _("PBoC referral")
    NFRA = "nfra", _("NFRA referral")
    PETITION = "petition", _("Petition system referral")


REGULATOR_SOURCES = frozenset({Source.PBOC, Source.NFRA, Source.PETITION})


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")
    MAJOR = "major", _("Major")


class Tag(models.TextChoices):
    REGULATOR = "regulator", _("Regulator")
    PUBLIC_OPINION = "public_opinion", _("Public opinion")
    JUDICIAL = "judicial", _("Judicial")
    PETITION = "petition", _("Petition")
    GROUP = "group", _("Group complaint")
    SPECIAL_GROUP = "special_group", _("Special customer group")
    AGGRESSIVE = "aggressive", _("Aggressive behaviour")


class MajorBasis(models.TextChoices):
    """办法 第二十九条: what makes a complaint 重大 (the statutory period is not shortened by it)."""

    NONE = "", _("Not major")
    EVENT = "event", _("Caused by a major disaster, accident or public-health event")
    GROUP = "group", _("Group complaint by 20 or more complainants in person")
    REGULATOR = "regulator", _("Designated major by the regulator")


# 办法 第二十九条(二): a group complaint by this many complainants in person or more is 重大.
MAJOR_GROUP_SIZE = 20


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_PROGRESS = "in_progress", _("In progress")
    DECIDED = "decided", _("Decided")
    REPLIED = "replied", _("Replied to customer")
    CLOSED = "closed", _("Case closed")
    UNDER_REVIEW = "under_review", _("Under review")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = frozenset({Status.REGISTERED, Status.IN_PROGRESS, Status.DECIDED, Status.UNDER_REVIEW})


class Complaint(models.Model):
    """One complaint: who, about what and whom, its codes, severity, and its statutory deadline."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    outlet = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="complaints"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(_("received"), db_index=True)
    due_at = models.DateTimeField(_("decision due"), db_index=True)
    regulator_due_at = models.DateTimeField(_("due to regulator"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    # status in OPEN_STATUSES, stored so the worklist (open first, nearest deadline) reads an index instead of
    # sorting every case by a CASE expression; set with the status by `states.COMPLAINT` through `follow_status()`.
    is_open = models.BooleanField(_("open"), default=True)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.NORMAL
    )
    tags = models.JSONField(_("sensitivity tags"), default=list, blank=True)
    is_fast_track = models.BooleanField(_("fast track"), default=False)
    major_basis = models.CharField(
        _("why major"), max_length=10, choices=MajorBasis.choices, default=MajorBasis.NONE, blank=True
    )
    complainants_in_person = models.PositiveSmallIntegerField(_("complainants in person"), default=1)
    # The due date lands in (or rolls through) a year whose holiday schedule is not entered (issue 13, 9).
    calendar_unknown = models.BooleanField(_("holiday schedule missing"), default=False, db_index=True)
    channel_code = models.CharField(_("channel"), max_length=16, db_index=True)
    category_code = models.CharField(_("business category"), max_length=16, db_index=True)
    reason_code = models.CharField(_("reason"), max_length=16, db_index=True)
    product = models.CharField(_("product"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    demand = models.TextField(_("customer's demand"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant_name = models.CharField(_("complainant"), max_length=50)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_cipher = models.TextField(blank=True)
    is_special_group = models.BooleanField(_("special customer group"), default=False, db_index=True)
    representatives = models.PositiveSmallIntegerField(_("representatives"), default=1)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff complained about"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_against",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_handled",
    )
    handling_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handling",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resubmissions",
    )
    extension_level = models.PositiveSmallIntegerField(_("extensions"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    # How many remediation tasks the handler opened in the rectification ledger: numbers the next one's source
    # there (`<id>/<n>`), under the case's row lock.
    remediations_opened = models.PositiveSmallIntegerField(default=0)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction with handling"), max_length=16, blank=True)
    # The feedback-box message this case was opened from (#19); one case per message.
    feedback_item = models.OneToOneField(
        "feedback.FeedbackItem",
        verbose_name=_("from feedback"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaint",
    )

    history = audited(excluded_fields=["phone_cipher"])
    scope_path = "outlet"

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["outlet", "received_at"], name="complaints_outlet_recv"),
            # The worklist's orders read straight off an index: most urgent first (selectors.URGENT_FIRST) and
            # open first by nearest deadline; the id breaks ties as the list does.
            models.Index(
                fields=["-is_open", "-is_fast_track", "-is_special_group", "due_at", "-id"],
                name="complaints_urgent",
            ),
            models.Index(fields=["-is_open", "due_at", "-id"], name="complaints_open_due"),
            # The counts per state read the status with the columns scoping and need-to-know filter on, from
            # the index alone rather than every row's page of the table.
            models.Index(fields=["status", "outlet", "staff"], name="complaints_status_scope"),
        ]
        permissions = [("open_remediation", "May open remediation tasks in the rectification ledger")]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    def follow_status(self) -> None:
        """Set the stored open flag from the status (the state machine calls this with every move)."""
        self.is_open = self.status in OPEN_STATUSES


class ReferenceSequence(models.Model):
    """The last complaint number handed out per business date (TS + date + four digits).

    One row per day, bumped by one upsert statement: two intakes of the same day serialize on this row
    instead of both reading "highest + 1" and colliding on the unique reference (issue 12).
    """

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class ClockEvent(models.Model):
    """A step that moves the statutory clock: extension, pause/resume, restart, withdrawal, merge."""

    class Kind(models.TextChoices):
        EXTEND = "extend", _("Extension")
        PAUSE = "pause", _("Pause for external appraisal")
        RESUME = "resume", _("Resume")
        RESTART = "restart", _("Restart on new facts")
        MERGE = "merge", _("Resubmission merged")
        WITHDRAW = "withdraw", _("Withdrawn")

    class PauseKind(models.TextChoices):
        NONE = "", "—"
        APPRAISAL = "appraisal", _("External appraisal, test or evaluation (办法 第十八条)")
        MEDIATION = "mediation", _("Mediation (办法 第二十三条)")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clock_events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"))  # when it was recorded
    # The day it counts from: the day the new material, the withdrawal or the appraisal result was received
    # (办法 第十五条、第十八条); blank on rows written before it was recorded: the recording day.
    received_on = models.DateField(_("received on"), null=True, blank=True)
    pause_kind = models.CharField(_("pause kind"), max_length=10, choices=PauseKind.choices, blank=True)
    level = models.PositiveSmallIntegerField(_("extension level"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    customer_notified = models.BooleanField(_("customer told"), default=False)

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.at:%Y-%m-%d}"


class Extension(models.Model):
    """A request to extend the decision deadline (to 30 days, then +30); approved by a superior."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    level = models.PositiveSmallIntegerField(_("level"))  # 1: to 30 days; 2: a further 30
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    customer_notified = models.BooleanField(_("customer told"), default=False)

    history = audited()
    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.complaint_id} +{self.level} {self.state}"


class Step(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    INVESTIGATE = "investigate", _("Investigate")
    DECIDE = "decide", _("Decide")
    REPLY = "reply", _("Reply to customer")
    REVISIT = "revisit", _("Revisit")


class StepDeadline(models.Model):
    """The bank's own SOP clock for one step of one complaint: warned at 80%, escalated on breach."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    warn_at = models.DateTimeField(_("warn at"), db_index=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("step deadline")
        verbose_name_plural = _("step deadlines")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step}"


class Alert(models.Model):
    """A notice to a unit: major/public-opinion fast track, 80% warning, breach escalation, review request."""

    class Kind(models.TextChoices):
        FAST_TRACK = "fast_track", _("Fast track")
        WARNING = "warning", _("80% of time used")
        BREACH = "breach", _("Deadline breached")
        REVIEW = "review", _("Review requested")
        SPECIAL_GROUP = "special_group", _("Special customer group")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="alerts")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit alerted"), on_delete=models.CASCADE, related_name="complaint_alerts"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    step = models.CharField(_("step"), max_length=12, blank=True)  # blank: the statutory decision clock
    message = models.CharField(_("message"), max_length=200)
    created_at = models.DateTimeField(_("created"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    scope_path = "org_unit"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint alert")
        verbose_name_plural = _("complaint alerts")

    def __str__(self) -> str:
        return self.message


class Decision(models.Model):
    """The decision notice (处理决定): facts found, basis, remedy."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="decisions")
    facts = models.TextField(_("facts"))
    basis = models.TextField(_("basis"))
    remedy = models.TextField(_("remedy"), blank=True)
    upheld = models.BooleanField(_("complaint upheld"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"))
    is_review = models.BooleanField(_("review decision"), default=False)

    history = audited()
    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.decided_at:%Y-%m-%d}"


class Reply(models.Model):
    """What the customer was told, how and when."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        SMS = "sms", _("SMS")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="replies")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    text = models.TextField(_("text"))
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField(_("replied"))

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["replied_at"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.replied_at:%Y-%m-%d}"


class Revisit(models.Model):
    """回访: the customer's satisfaction with the handling; dissatisfaction may reopen the case."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        UNREACHABLE = "unreachable", _("Unreachable")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="revisits")
    satisfaction = models.CharField(_("satisfaction"), max_length=14, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["at"]
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.satisfaction}"


class ReviewRequest(models.Model):
    """The customer asks for a review (复核) within 30 days; the superior unit decides."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reviews")
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested"))
    reviewing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("reviewing unit"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.requested_at:%Y-%m-%d}"


class TypicalCase(models.Model):
    """A de-identified copy of a complaint for the typical-case library (正反面典型案例)."""

    class Polarity(models.TextChoices):
        POSITIVE = "positive", _("Positive example")
        NEGATIVE = "negative", _("Negative example")

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="typical_case")
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("case text"))
    lesson = models.TextField(_("lesson"), blank=True)
    category_code = models.CharField(_("business category"), max_length=16)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A document of the case: a letter, a recording, a photo; its type read from its bytes (sniff.py)."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter or written material")
        RECORDING = "recording", _("Recording")
        PHOTO = "photo", _("Photo")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="complaints/%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    scope_path = "complaint__outlet"

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return self.name
