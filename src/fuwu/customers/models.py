from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.models import OrgUnit, audited


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other relative")


class Household(models.Model):
    """A household or relationship group (P2): members share an RM conversation, not their accounts."""

    name = models.CharField(_("name"), max_length=50)
    home_outlet = models.ForeignKey(
        OrgUnit, verbose_name=_("home outlet"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    history = audited()
    scope_path = "home_outlet"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A bank customer as the service platform knows them: tier, special groups, masked identifiers."""

    class Tier(models.TextChoices):
        NORMAL = "normal", _("Standard")
        WEALTH = "wealth", _("Wealth")
        PRIVATE = "private", _("Private banking")

    customer_no = models.CharField(_("customer number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))], blank=True
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    tier = models.CharField(
        _("tier"), max_length=10, choices=Tier.choices, default=Tier.NORMAL, db_index=True
    )
    is_elderly = models.BooleanField(_("elderly"), default=False)
    is_disabled = models.BooleanField(_("disabled"), default=False)
    is_pregnant = models.BooleanField(_("pregnant"), default=False)
    is_military = models.BooleanField(_("military"), default=False)
    home_outlet = models.ForeignKey(
        OrgUnit, verbose_name=_("home outlet"), on_delete=models.PROTECT, related_name="customers"
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
    )
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=24, blank=True)
    id_cipher = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_cipher = models.TextField(blank=True)
    card_hash = models.CharField(max_length=64, blank=True, db_index=True)
    card_masked = models.CharField(_("card"), max_length=24, blank=True)
    created_at = models.DateTimeField(_("created"))
    # P4: what a business form asks for beyond the identifiers; confirmed changes update it (history below).
    address = models.CharField(_("address"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    household = models.ForeignKey(
        "Household",
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    household_role = models.CharField(
        _("role in household"), max_length=10, choices=HouseholdRole.choices, blank=True
    )
    # P2: assets under management as the last tier recomputation found them (sum of holding balances).
    aum = models.DecimalField(_("assets under management"), max_digits=16, decimal_places=2, default=0)

    history = audited(excluded_fields=["id_cipher", "phone_cipher"])

    scope_path = "home_outlet"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_profile", "May see the full customer 360 (tellers see the compact view)"),
            ("view_exact_balance", "May see exact balances (others see bands)"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_no})"

    @property
    def special_groups(self) -> list[str]:
        flags = {
            "elderly": self.is_elderly,
            "disabled": self.is_disabled,
            "pregnant": self.is_pregnant,
            "military": self.is_military,
        }
        return [name for name, on in flags.items() if on]

    @property
    def special_group_labels(self) -> list[str]:
        labels = {
            "elderly": _("Elderly"),
            "disabled": _("Disabled"),
            "pregnant": _("Pregnant"),
            "military": _("Military"),
        }
        return [str(labels[name]) for name in self.special_groups]

    @property
    def is_special(self) -> bool:
        return bool(self.special_groups)


class TierChange(models.Model):
    """One tier change found by the recomputation (P2): from, to, the AUM that decided it, and when."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes")
    old_tier = models.CharField(_("old tier"), max_length=10, choices=Customer.Tier.choices)
    new_tier = models.CharField(_("new tier"), max_length=10, choices=Customer.Tier.choices)
    aum = models.DecimalField(_("assets under management"), max_digits=16, decimal_places=2)
    at = models.DateTimeField(_("changed at"))

    scope_path = "customer__home_outlet"

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"], name="customers_tierchange_idx")]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.old_tier} → {self.new_tier}"


class Product(models.Model):
    """A product the counter may suggest (P3): risk level R1–R5 and its published fees (价格公示)."""

    class Category(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        CARD = "card", _("Card")
        WEALTH = "wealth", _("Wealth management")
        FUND = "fund", _("Fund")
        INSURANCE = "insurance", _("Insurance")
        LOAN = "loan", _("Loan")
        PENSION = "pension", _("Pension")

    code = models.CharField(_("product code"), max_length=20, unique=True)
    name = models.CharField(_("product name"), max_length=80)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"), choices=[(n, f"R{n}") for n in range(1, 6)], default=1
    )
    fees = models.CharField(_("fees"), max_length=200, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    history = audited()
    # The catalogue is the bank's, not a unit's: every principal with the right reads it.
    scope_path = None

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Holding(models.Model):
    """What one customer holds of one product and its balance (P1, P3)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="holdings")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="holdings")
    balance = models.DecimalField(_("balance"), max_digits=16, decimal_places=2, default=0)
    opened_on = models.DateField(_("opened on"))

    history = audited()
    scope_path = "customer__home_outlet"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="customers_holding_unique"),
        ]
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.product_id}"


class RiskAssessment(models.Model):
    """The customer's risk tolerance C1–C5 (风险测评) and until when it is valid; the newest one counts."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="risk_assessments")
    level = models.PositiveSmallIntegerField(_("risk level"), choices=[(n, f"C{n}") for n in range(1, 6)])
    assessed_on = models.DateField(_("assessed on"))
    expires_on = models.DateField(_("valid until"))

    scope_path = "customer__home_outlet"

    class Meta:
        indexes = [models.Index(fields=["customer", "-assessed_on"], name="customers_risk_latest_idx")]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.customer_id}: C{self.level}"

    @property
    def is_expired(self) -> bool:
        """Past its validity: the customer counts as unassessed (R1 products only) until assessed again."""
        return self.expires_on < clock.today()


class AssociationRule(models.Model):
    """ "Holders of X often hold Y" (P3): one rule found by FP-growth on all holdings, replaced on retraining."""

    # A product code, or a segment item ("stage:retired", "tier:wealth"): customers of it often hold Y.
    antecedent = models.CharField(max_length=24)
    consequent = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    support = models.FloatField()
    confidence = models.FloatField()
    lift = models.FloatField()
    trained_at = models.DateTimeField()

    scope_path = None

    class Meta:
        indexes = [models.Index(fields=["antecedent", "-confidence"], name="customers_rule_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.antecedent} → {self.consequent_id}"


class Suggestion(models.Model):
    """One next-product suggestion shown to staff for a customer and what became of it (Einstein "reactions")."""

    class Status(models.TextChoices):
        SHOWN = "shown", _("Shown")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REFERRED = "referred", _("Referred to a relationship manager")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="suggestions")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="suggestions")
    outlet = models.ForeignKey(OrgUnit, verbose_name=_("outlet"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    score = models.FloatField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SHOWN)
    shown_at = models.DateTimeField(_("shown at"))
    shown_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reacted_at = models.DateTimeField(_("reacted at"), null=True, blank=True)
    reacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion_referrals",
    )
    # Q5: the staff member who made the referral is credited, like the floor's 转介.
    credited_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_path = "outlet"

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-shown_at"], name="customers_suggestion_cust_idx"),
            models.Index(fields=["outlet", "shown_at"], name="customers_suggestion_unit_idx"),
        ]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.product_id} ({self.status})"


class FormRecord(models.Model):
    """One business form a customer filled (P4): the fields as given, identifiers only masked and hashed."""

    class Kind(models.TextChoices):
        ACCOUNT_OPENING = "account_opening", _("Account opening")
        CARD_APPLICATION = "card_application", _("Card application")
        TRANSFER = "transfer", _("Transfer")
        ADDRESS_CHANGE = "address_change", _("Address change")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="forms")
    kind = models.CharField(_("form"), max_length=20, choices=Kind.choices)
    # Matched back to the customer through the keyed hash of the ID number presented with the form.
    id_hash = models.CharField(max_length=64, db_index=True)
    data = models.JSONField(default=dict)
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))

    scope_path = "outlet"

    class Meta:
        indexes = [models.Index(fields=["id_hash", "kind", "-submitted_at"], name="customers_form_last_idx")]
        verbose_name = _("business form")
        verbose_name_plural = _("business forms")

    def __str__(self) -> str:
        return f"{self.kind} {self.submitted_at:%Y-%m-%d}"
