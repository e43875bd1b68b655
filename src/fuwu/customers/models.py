from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import OrgUnit, audited


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

    history = audited(excluded_fields=["id_cipher", "phone_cipher"])

    scope_path = "home_outlet"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

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
    def is_special(self) -> bool:
        return bool(self.special_groups)
