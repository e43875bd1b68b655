from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from fuwu.complaints.models import Alert, ClassificationCode, ClockEvent, Complaint, Extension, TypicalCase


@admin.register(ClassificationCode)
class ClassificationCodeAdmin(SimpleHistoryAdmin):
    list_display = ("dimension", "code", "name", "parent", "is_active")
    list_filter = ("dimension", "is_active")
    search_fields = ("code", "name")
    list_editable = ("name", "is_active")


class ClockEventInline(admin.TabularInline[ClockEvent, Complaint]):
    model = ClockEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "level", "reason", "actor", "customer_notified")


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    """Read-only here: every change goes through the services so the clock and audit stay right."""

    list_display = ("reference", "outlet", "status", "severity", "received_at", "due_at", "closed_at")
    list_filter = ("status", "severity", "source", "is_fast_track", "is_special_group")
    search_fields = ("reference", "complainant_name")
    exclude = ("phone_cipher", "phone_hash")
    inlines = [ClockEventInline]

    def has_change_permission(self, request: HttpRequest, obj: Complaint | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Extension)
class ExtensionAdmin(SimpleHistoryAdmin):
    list_display = ("complaint", "level", "state", "requested_by", "decided_by")
    list_filter = ("state", "level")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ("created_at", "kind", "step", "org_unit", "message", "acknowledged_at")
    list_filter = ("kind",)


@admin.register(TypicalCase)
class TypicalCaseAdmin(SimpleHistoryAdmin):
    list_display = ("title", "polarity", "category_code", "outlet", "created_at")
    list_filter = ("polarity",)
