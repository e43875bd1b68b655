from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fuwu.staffing.models import CallRecord, Shift, StaffingPlan, StaffProfile


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("call_id", "line", "centre", "offered_at", "answered_at", "abandoned_at", "agent")
    list_filter = ("line",)
    search_fields = ("call_id", "agent")


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ("user", "unit", "skills", "part_time", "max_days", "max_hours", "hourly_cost")


@admin.register(StaffingPlan)
class StaffingPlanAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "channel", "week_start", "status", "model_name")
    list_filter = ("channel", "status")


@admin.register(Shift)
class ShiftAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "staff", "date", "start_slot", "end_slot", "lunch_slot")
