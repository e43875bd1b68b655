"""Branch floor facts: the service catalogue, counters, tickets and every step of a ticket's life (Q1–Q10).

Ticket timestamps are the facts every measure reads (DESIGN.md "Measures"): wait = called_at − issued_at,
service = finished_at − started_at.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import ImportBatch, OrgUnit, PublishedManager, audited


class CounterKind(models.TextChoices):
    HIGH = "high", _("High counter")
    LOW = "low", _("Low counter")
    VIP = "vip", _("VIP counter")
    WEALTH = "wealth", _("Wealth room")
    SELF_SERVICE = "self_service", _("Self-service")


class ServiceType(models.Model):
    """A business type an outlet offers (Q1), with its ticket prefix, target wait and materials (Q10)."""

    class Complexity(models.TextChoices):
        SIMPLE = "simple", _("Simple")
        COMPLEX = "complex", _("Complex")

    outlet = models.ForeignKey(
        OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="service_types"
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("number prefix"), max_length=2)
    complexity = models.CharField(
        _("complexity"), max_length=8, choices=Complexity.choices, default=Complexity.SIMPLE
    )
    is_cash = models.BooleanField(_("cash"), default=False)
    # Comma-separated CounterKind values that may serve this business.
    counter_kinds = models.CharField(_("counter kinds"), max_length=80)
    target_wait_seconds = models.PositiveIntegerField(_("target wait (s)"), default=900)
    mean_service_seconds = models.PositiveIntegerField(_("typical service time (s)"), default=300)
    materials = models.TextField(_("required materials"), blank=True, help_text=_("One item per line."))
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["outlet", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "code"], name="floor_service_unique_code"),
            models.UniqueConstraint(fields=["outlet", "prefix"], name="floor_service_unique_prefix"),
        ]
        verbose_name = _("business type")
        verbose_name_plural = _("business types")

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"

    @property
    def counter_kind_list(self) -> list[str]:
        return [k for k in self.counter_kinds.split(",") if k]

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class Counter(models.Model):
    """A service window (柜台/窗口) of one kind at one outlet."""

    outlet = models.ForeignKey(
        OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="counters"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    number = models.PositiveSmallIntegerField(_("window number"))
    kind = models.CharField(_("kind"), max_length=16, choices=CounterKind.choices)
    is_open = models.BooleanField(_("open"), default=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff on duty"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # One of the demo's live simulated day's own counters (#19): only the simulation works it, and it calls
    # only simulated tickets while a person's counter never calls one (floor.policy.eligible).
    is_simulated = models.BooleanField(default=False, db_default=False)

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["outlet", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "number"], name="floor_counter_unique_number")
        ]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.number}号窗口"


class Ticket(models.Model):
    """One customer visit for one business, from issue to its end (Q2–Q8)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        FINISHED = "finished", _("Finished")
        NO_SHOW = "no_show", _("No-show")
        DIVERTED = "diverted", _("Diverted")
        TRANSFERRED = "transferred", _("Transferred")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        LOBBY = "lobby", _("Lobby staff")
        APPOINTMENT = "appointment", _("Appointment")
        ONLINE = "online", _("Online pre-fill")
        IMPORT = "import", _("Imported")

    # Every index takes a new entry on each of a ticket's four writes (issue, call, start, finish: a status
    # change is never a HOT update), so none is kept that a wider one already leads with (the outlet is the
    # first column of floor_ticket_route_idx, the counter of floor_ticket_counter_idx), and the links that
    # are mostly empty (customer, staff, transfer, referral, import id) are indexed only where set.
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    business_date = models.DateField(_("business date"))
    number = models.CharField(_("number"), max_length=8)
    seq = models.PositiveIntegerField()
    service = models.ForeignKey(
        ServiceType, verbose_name=_("business type"), on_delete=models.PROTECT, related_name="tickets"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.KIOSK)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    priority_class = models.PositiveSmallIntegerField(
        default=3
    )  # 0 appointment due, 1 VIP, 2 special group, 3 normal
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    customer_tier = models.CharField(max_length=10, blank=True)
    is_special_group = models.BooleanField(default=False)
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", db_index=False
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_tickets",
        db_index=False,
    )
    issued_at = models.DateTimeField(_("issued"), db_index=True)
    called_at = models.DateTimeField(_("first called"), null=True, blank=True)
    last_called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField(default=0)
    transferred_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="transfers", db_index=False
    )
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        db_index=False,
    )
    diverted_channel = models.CharField(max_length=20, blank=True)
    appointment_code = models.CharField(max_length=32, blank=True)
    external_id = models.CharField(max_length=64, null=True, blank=True)
    # The customer's place in the line: a transferred ticket inherits it from the ticket it continues.
    queued_at = models.DateTimeField(_("queued since"), null=True, blank=True)
    # Calling order from fuwu.floor.policy (queued_at minus the bounded priority lead); lower is called first.
    route_key = models.DateTimeField(null=True, blank=True)
    # Set by a transfer to a counter kind: only counters of that kind may call the ticket.
    required_counter_kind = models.CharField(max_length=16, choices=CounterKind.choices, blank=True)
    # Estimated wait at issue time (Q6), kept so its error can be measured against the real wait.
    estimated_wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Issued by the demo's live simulated day (#19): only its own counters call it (floor.policy.eligible),
    # and the pad never asks a person to rate it.
    is_simulated = models.BooleanField(default=False, db_default=False)
    # Written by `fuwu import events` (#18); hidden from every reader until the batch is published.
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["Ticket"]()

    scope_path = "outlet"
    # Not stored: ticket_issue sets it (the place in line when issued) so the kiosk's answer needs no count.
    position_at_issue: int | None = None

    class Meta:
        constraints = [
            # A transfer continues under the customer's number, so only the first segment owns it.
            models.UniqueConstraint(
                fields=["outlet", "business_date", "number"],
                name="floor_ticket_unique_number",
                condition=models.Q(transferred_from__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                name="floor_ticket_unique_external_id",
                condition=models.Q(external_id__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["outlet", "business_date", "status", "route_key"], name="floor_ticket_route_idx"
            ),
            models.Index(fields=["counter", "status", "finished_at"], name="floor_ticket_counter_idx"),
            *(
                models.Index(
                    fields=[name],
                    name=f"floor_ticket_{short}_idx",
                    condition=models.Q(**{f"{name}__isnull": False}),
                )
                for name, short in (
                    ("customer", "customer"),
                    ("staff", "staff"),
                    ("transferred_from", "transfer"),
                    ("referred_to", "referral"),
                    ("import_batch", "import"),
                )
            ),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [("divert_ticket", "May divert customers and hold lobby positions")]

    def __str__(self) -> str:
        return f"{self.number} ({self.business_date})"


class TicketEvent(models.Model):
    """One timestamped step of the chain 迎客→取号→识别→引导→分流→预处理→转介→送客 (Q5)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Ticket issued")
        RECOGNIZED = "recognized", _("Customer recognised")
        GUIDED = "guided", _("Guided")
        DIVERTED = "diverted", _("Diverted")
        PREPARED = "prepared", _("Pre-processed")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Recalled")
        NO_SHOW = "no_show", _("No-show")
        STARTED = "started", _("Service started")
        TRANSFERRED = "transferred", _("Transferred")
        REFERRED = "referred", _("Referred")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    actor_label = models.CharField(max_length=100, blank=True)
    # Events are read by ticket and by time, never by counter: no index to keep up on every step.
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    data = models.JSONField(default=dict, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = PublishedManager["TicketEvent"]()

    scope_path = "ticket__outlet"

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(
                fields=["import_batch"],
                name="floor_event_import_idx",
                condition=models.Q(import_batch__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%H:%M:%S}"


class NumberSequence(models.Model):
    """The last number handed out per outlet, business date and prefix: numbering restarts each business day."""

    outlet = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField()
    prefix = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "business_date", "prefix"], name="floor_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.business_date}: {self.last}"


class LobbyPosition(models.IntegerChoices):
    """The seven floor positions of 004 §四.2 (厅堂定位管理)."""

    GREETING = 1, _("1 Greeting and tickets")
    SELF_SERVICE = 2, _("2 Self-service area")
    WAITING_AREA = 3, _("3 Form desk and waiting area")
    LOW_COUNTERS = 4, _("4 Low counters")
    HIGH_COUNTERS = 5, _("5 High counters")
    VIP_COUNTERS = 6, _("6 VIP high counters")
    WEALTH_ROOM = 7, _("7 VIP wealth room")


class PositionAssignment(models.Model):
    """Who holds one lobby position at one outlet on one business day (Q9)."""

    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    position = models.PositiveSmallIntegerField(_("position"), choices=LobbyPosition.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.PROTECT, related_name="+"
    )

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["outlet", "date", "position"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "date", "position"], name="floor_position_unique"),
        ]
        verbose_name = _("lobby position")
        verbose_name_plural = _("lobby positions")

    def __str__(self) -> str:
        return f"{self.date} #{self.position}"


class Appointment(models.Model):
    """A booked visit (预约) for one business at one outlet: checked in at the kiosk with its code (#19).

    The code issues the visit's ticket with appointment priority from `CHECK_IN_EARLY` before the booked
    time until `CHECK_IN_LATE` after it (fuwu.floor.services.appointment_check_in).
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")

    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        ServiceType, verbose_name=_("business type"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("appointment code"), max_length=12)
    starts_at = models.DateTimeField(_("booked time"), db_index=True)
    customer_name = models.CharField(_("customer"), max_length=50, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"))

    history = audited()
    scope_path = "outlet"

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "code"], name="floor_appointment_unique_code")
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.code} {self.starts_at:%Y-%m-%d %H:%M}"
