from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "fuwu.appraisal"
    label = "appraisal"
    verbose_name = _("Appraisal")
