"""Customer feedback facts (F1–F6). Evaluation is the per-ticket rating from the counter's pad."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuwu.core.models import OrgUnit


class Evaluation(models.Model):
    """One rating for one finished ticket (F1); satisfaction measures read this table."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    ticket = models.OneToOneField("floor.Ticket", on_delete=models.CASCADE, related_name="evaluation")
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    counter = models.ForeignKey("floor.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("rated at"), db_index=True)
    source = models.CharField(max_length=10, default="pad")  # pad | import

    scope_path = "outlet"

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.ticket} {self.rating}"
