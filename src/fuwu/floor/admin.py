from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fuwu.floor.models import Appointment, Counter, PositionAssignment, ServiceType, Ticket, TicketEvent


@admin.register(ServiceType)
class ServiceTypeAdmin(SimpleHistoryAdmin):
    list_display = (
        "outlet",
        "prefix",
        "code",
        "name",
        "complexity",
        "is_cash",
        "counter_kinds",
        "target_wait_seconds",
        "is_active",
    )
    list_filter = ("complexity", "is_cash", "is_active")
    search_fields = ("code", "name", "outlet__code")


@admin.register(Counter)
class CounterAdmin(SimpleHistoryAdmin):
    list_display = ("code", "outlet", "number", "kind", "is_open", "staff")
    list_filter = ("kind", "is_open")
    search_fields = ("code", "outlet__code")


class TicketEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor_label", "counter", "data")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: tickets change only through the floor services."""

    list_display = (
        "number",
        "business_date",
        "outlet",
        "service",
        "status",
        "channel",
        "counter",
        "issued_at",
    )
    list_filter = ("status", "channel", "business_date")
    search_fields = ("number", "outlet__code")
    date_hierarchy = "business_date"
    inlines = [TicketEventInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(PositionAssignment)
class PositionAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("date", "outlet", "position", "staff")
    list_filter = ("position",)


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "outlet", "service", "starts_at", "customer_name", "status", "ticket")
    list_filter = ("status",)
    search_fields = ("code", "outlet__code", "customer_name")
    readonly_fields = ("ticket", "checked_in_at", "status")
