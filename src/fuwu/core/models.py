from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node


class AuditedHistoryBase(models.Model):
    """Base for every simple-history table: who and when come from the library, the IP from here."""

    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True


def audited(**kwargs: Any) -> HistoricalRecords:
    """The one way a model gets an audit trail (who, when, what, from which IP)."""
    return HistoricalRecords(bases=[AuditedHistoryBase], **kwargs)


class OrgUnit(MP_Node):
    """A node of the bank: head office → tier-1 branch → tier-2 branch → outlet (any depth)."""

    class Kind(models.TextChoices):
        HEAD_OFFICE = "head_office", _("Head office")
        TIER1 = "tier1", _("Tier-1 branch")
        TIER2 = "tier2", _("Tier-2 branch")
        OUTLET = "outlet", _("Outlet")
        DEPARTMENT = "department", _("Department")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = audited()
    node_order_by = ["code"]

    # scoping: an org unit is visible when it is in the viewer's subtree
    scope_path = ""

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        permissions = [
            ("view_all_orgs", "May read every org unit, not only its own subtree"),
            ("view_full_pii", "May see full ID and phone numbers (each view is audited)"),
            ("manage_devices", "May issue and revoke device tokens"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    """A staff member: belongs to one org unit and may hold several roles (Django groups)."""

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    staff_code = models.CharField(_("staff code"), max_length=32, unique=True, null=True, blank=True)
    display_name = models.CharField(_("name"), max_length=50, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)

    history = audited(excluded_fields=["password", "last_login"])

    scope_path = "org_unit"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.username


class CalendarDay(models.Model):
    """A date that breaks the Monday–Friday rule: a public holiday or a make-up workday (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    history = audited()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("business calendar")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class AuditEvent(models.Model):
    """An audited action that is not a row change: revealing PII, device token issue/revoke, logins."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    scope_path = "org_unit"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class DeviceToken(models.Model):
    """A bearer token for one device at one outlet (kiosk, counter, evaluation pad, display, importer)."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        COUNTER = "counter", _("Counter terminal")
        PAD = "pad", _("Evaluation pad")
        DISPLAY = "display", _("Display board")
        IMPORTER = "importer", _("Importer")

    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="devices"
    )
    counter_code = models.CharField(_("counter"), max_length=32, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = audited(excluded_fields=["last_used_at"])

    scope_path = "org_unit"

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.prefix}… @ {self.org_unit.code}"


class IdempotencyRecord(models.Model):
    """The stored response of a device POST so a retry with the same Idempotency-Key has one effect."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    # sha256 of the request body: the same key sent with a different body is refused, not replayed.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class SweepRun(models.Model):
    """When each periodic sweep last ran, so several workers never run one twice in a period."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One in-app message to one staff member: an escalation, a reminder, a task that needs them.

    The text is kept as its English msgid and parameters and translated when read, so each reader sees it
    in their own language. `key` makes a sender idempotent: a sweep that runs twice writes one row.
    """

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("sent"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    key = models.CharField(max_length=150, blank=True)

    # A notification is its recipient's own; the selectors also narrow to the recipient.
    scope_path = "recipient__org_unit"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notif_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="core_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class ImportBatch(models.Model):
    """One run of a large import (#18): its rows are written in short transactions, tagged with the batch,
    and every reader ignores them until one short update sets `published_at` — so the floor keeps writing
    while the file goes in, and a failed run shows nothing."""

    kind = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportUndo(models.Model):
    """How to take back one row an upsert import (customers, holdings) wrote before its batch was published:
    delete it (`created`), or put back the columns in `before` where they still hold what the import wrote
    (`after`) — a later write by the floor is kept (core.batches.import_batch_undo). Deleted on publish."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="undo")
    model = models.CharField(max_length=64)  # app_label.model_name
    row_id = models.BigIntegerField()
    created = models.BooleanField(default=False)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    objects = models.Manager["ImportUndo"]()

    def __str__(self) -> str:
        return f"{self.model} {self.row_id}"


_M = TypeVar("_M", bound=models.Model)


class PublishedManager(models.Manager[_M]):
    """The default manager of a model an import batch writes to (its `import_batch` link): the rows of a batch
    not yet published are not there, for every selector, measure and fact read alike. Deleting and Django's
    own related-object plumbing go through `_base_manager`, which still sees them."""

    def get_queryset(self) -> models.QuerySet[_M]:
        # Uncorrelated: the database reads the (few) pending batch ids once per query.
        pending = ImportBatch.objects.filter(published_at=None).values("pk")
        return super().get_queryset().exclude(import_batch__in=pending)
