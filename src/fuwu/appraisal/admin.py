from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fuwu.appraisal.models import BriefingJob, PeerFigure, Scorecard, StarRound


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Listings for support staff; every change goes through the services (the weight cap, the audit row)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for model in (Scorecard, StarRound, BriefingJob, PeerFigure):
    admin.site.register(model, ReadOnly)
