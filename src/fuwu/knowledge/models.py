"""Knowledge base entries with their paraphrases and versions, the assistant's conversations, and the
service-language dictionary with its findings (A1–A3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import ImportBatch, OrgUnit, PublishedManager


class Entry(models.Model):
    """One piece of knowledge: a standard question, its answer, and what it applies to."""

    class Kind(models.TextChoices):
        FAQ = "faq", _("FAQ")
        PRODUCT = "product", _("Product")
        GUIDE = "guide", _("Business guide")
        POLICY = "policy", _("Policy")

    class Visibility(models.TextChoices):
        DRAFT = "draft", _("Draft")
        STAFF = "staff", _("Staff only")
        PUBLIC = "public", _("Public")

    class Risk(models.TextChoices):
        NONE = "", _("Not rated")
        R1 = "R1", _("R1 low")
        R2 = "R2", _("R2 medium-low")
        R3 = "R3", _("R3 medium")
        R4 = "R4", _("R4 medium-high")
        R5 = "R5", _("R5 high")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FAQ)
    question = models.CharField(_("standard question"), max_length=300)
    answer_html = models.TextField(_("answer"))
    category = models.CharField(_("category"), max_length=100, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.DRAFT
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Products: the risk level and the fees as published (价格公示) — [{"item": …, "price": …, "basis": …}].
    risk_level = models.CharField(_("risk level"), max_length=2, choices=Risk.choices, blank=True, default="")
    fees = models.JSONField(_("fees"), default=list, blank=True)
    # What a customer must bring (products and business guides): ["居民身份证原件", …].
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    # Business guides: the floor's service type code this guide is the source of "required materials" for.
    service_code = models.CharField(_("service code"), max_length=32, blank=True)
    # Knowledge is bank-wide; the owner is the unit whose editors maintain it (head office by default).
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    scope_path = "owner"

    class Meta:
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        indexes = [models.Index(fields=["visibility", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return self.question


class Paraphrase(models.Model):
    """Another way customers ask the entry's question; the assistant learns from these."""

    class Source(models.TextChoices):
        EDITOR = "editor", _("Editor")
        IMPORT = "import", _("Import")
        HANDOFF = "handoff", _("From a handed-over question")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="paraphrases")
    text = models.CharField(_("paraphrase"), max_length=300)
    normalized = models.CharField(max_length=300)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.EDITOR)
    created_at = models.DateTimeField()

    scope_path = "entry__owner"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "normalized"], name="paraphrase_once")]

    def __str__(self) -> str:
        return self.text


class EntryVersion(models.Model):
    """The entry as it was after one change: who changed it, when, and the whole content (for diff/restore)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content: models.JSONField[Any, Any] = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=100)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    scope_path = "entry__owner"

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="entry_version_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.number}"


class Conversation(models.Model):
    """A customer's chat with the assistant; handed over, it waits in a staff queue of one unit."""

    class Status(models.TextChoices):
        BOT = "bot", _("With the assistant")
        WAITING = "waiting", _("Waiting for staff")
        ANSWERED = "answered", _("Answered by staff")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web / mobile")
        KIOSK = "kiosk", _("Kiosk")
        API = "api", _("API")

    token = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    # The queue: an outlet (asked on its kiosk or from its page) or the contact centre.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BOT)
    handoff_reason = models.CharField(max_length=16, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    handed_over_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField()

    scope_path = "unit"

    class Meta:
        indexes = [models.Index(fields=["unit", "status", "handed_over_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    class Sender(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        BOT = "bot", _("Assistant")
        STAFF = "staff", _("Staff")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    text = models.TextField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Bot turns: what the assistant decided and on which entry.
    outcome = models.CharField(max_length=16, blank=True)
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confidence = models.FloatField(null=True, blank=True)
    data: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    scope_path = "conversation__unit"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_sender_display()}: {self.text[:30]}"


class GapCluster(models.Model):
    """A knowledge gap: open unanswered questions that mean the same, found by the clustering task (gaps.py)."""

    terms = models.JSONField(default=list)  # the words that weigh most: the gap's name on the screen
    size = models.PositiveIntegerField()
    examples = models.JSONField(default=list)  # the most central questions, as customers typed them
    built_at = models.DateTimeField()
    # Set by "create FAQ draft from cluster": the gap is being answered (its questions are resolved by it).
    draft_entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_path = None  # read through selectors that require knowledge.view_unansweredquestion (bank-wide)

    class Meta:
        ordering = ["-size", "pk"]
        verbose_name = _("knowledge gap")
        verbose_name_plural = _("knowledge gaps")

    def __str__(self) -> str:
        return " ".join(self.terms)


class UnansweredQuestion(models.Model):
    """A question the assistant could not answer, kept for the knowledge editors (grouped by `group_key`)."""

    text = models.CharField(max_length=500)
    normalized = models.CharField(max_length=500)
    group_key = models.CharField(max_length=500, db_index=True)
    reason = models.CharField(max_length=16)
    best_entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    best_confidence = models.FloatField(null=True, blank=True)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        GapCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    at = models.DateTimeField()

    scope_path = None  # read through selectors that require knowledge.change_entry (bank-wide editors)

    def __str__(self) -> str:
        return self.text


class Phrase(models.Model):
    """A service-language rule: a forbidden phrase (禁用语) or a required one (文明用语), with its variants."""

    class Kind(models.TextChoices):
        FORBIDDEN = "forbidden", _("Forbidden")
        REQUIRED = "required", _("Required")

    class Moment(models.TextChoices):
        ANY = "", _("Anywhere")
        GREETING = "greeting", _("Greeting")
        FAREWELL = "farewell", _("Farewell")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("phrase"), max_length=100)
    # One variant per line; each is matched like the phrase itself.
    variants = models.TextField(_("variants"), blank=True)
    moment = models.CharField(_("moment"), max_length=10, choices=Moment.choices, blank=True, default="")
    severity = models.CharField(_("severity"), max_length=8, default="normal")
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.text

    def variant_list(self) -> list[str]:
        return [v.strip() for v in self.variants.splitlines() if v.strip()]


class CallTranscript(models.Model):
    """A contact-centre call as text (imported), checked against the dictionary."""

    call_id = models.CharField(max_length=64, unique=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent_code = models.CharField(max_length=32)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()
    missing_required: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)

    # The `fuwu import transcripts` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["CallTranscript"]()
    scope_path = "unit"

    class Meta:
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="knowledge_call_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.call_id


class LanguageFinding(models.Model):
    """One forbidden phrase found in what staff said (kept here; also reported to the rectification ledger)."""

    class Source(models.TextChoices):
        CHAT = "chat", _("Chat reply")
        CALL = "call", _("Call transcript")

    source = models.CharField(max_length=8, choices=Source.choices)
    source_ref = models.CharField(max_length=64)
    phrase = models.ForeignKey(Phrase, on_delete=models.PROTECT, related_name="findings")
    matched = models.CharField(max_length=200)
    excerpt = models.CharField(max_length=300)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent_code = models.CharField(max_length=32, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    # The `fuwu import transcripts` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["LanguageFinding"]()
    scope_path = "unit"

    class Meta:
        indexes = [
            models.Index(fields=["unit", "at"]),
            models.Index(
                fields=["import_batch"],
                name="knowledge_finding_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phrase_id}: {self.matched}"


class LanguageCheck(models.Model):
    """One text checked (a staff reply or a call): the denominator of the language rates."""

    source = models.CharField(max_length=8, choices=LanguageFinding.Source.choices)
    source_ref = models.CharField(max_length=64)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent_code = models.CharField(max_length=32, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    forbidden_hits = models.PositiveIntegerField(default=0)
    required_missing = models.PositiveIntegerField(default=0)

    # The `fuwu import transcripts` run that wrote it; hidden until that batch is published (#18).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["LanguageCheck"]()
    scope_path = "unit"

    class Meta:
        indexes = [
            models.Index(fields=["unit", "at"]),
            models.Index(
                fields=["import_batch"],
                name="knowledge_check_import_idx",
                condition=models.Q(import_batch__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_ref}"


class SentimentLabel(models.Model):
    """A comment the bank labelled itself (imported or corrected by staff): trains the bank's sentiment model."""

    class Label(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    class Source(models.TextChoices):
        IMPORT = "import", _("Import")
        STAFF = "staff", _("Staff correction")

    text = models.TextField()
    label = models.CharField(max_length=8, choices=Label.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    # A staff correction of a feedback message: one label per message (a second correction replaces it).
    feedback_item_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:30]}"
