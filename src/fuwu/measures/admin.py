from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fuwu.measures.models import Target


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("measure", "unit", "baseline", "value", "start_date", "due_date")
    list_filter = ("measure",)
    search_fields = ("unit__code", "unit__name", "measure")
