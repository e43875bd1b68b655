from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "fuwu.inspections"
    label = "inspections"
    verbose_name = _("Supervision and rectification")
