from __future__ import annotations

from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "fuwu.staffing"
    label = "staffing"
