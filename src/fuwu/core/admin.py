from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from fuwu.core import services
from fuwu.core.auth import request_principal
from fuwu.core.models import AuditEvent, CalendarDay, DeviceToken, OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "code", "kind", "city", "is_active")
    search_fields = ("name", "code")
    list_filter = ("kind",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User], SimpleHistoryAdmin):
    list_display = ("username", "display_name", "staff_code", "org_unit", "is_active")
    search_fields = ("username", "display_name", "staff_code")
    list_filter = ("groups", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("fuwu", {"fields": ("display_name", "staff_code", "org_unit", "phone_masked")}),
    )
    readonly_fields = ("phone_masked",)


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Next year's holiday schedule is entered here by hand when the State Council publishes it."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            services.calendar_day_delete(actor=request_principal(request), date=form.initial["date"])
        saved = services.calendar_day_set(
            actor=request_principal(request), date=obj.date, kind=obj.kind, name=obj.name
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_delete(actor=request_principal(request), date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            services.calendar_day_delete(actor=request_principal(request), date=day.date)


@admin.register(DeviceToken)
class DeviceTokenAdmin(SimpleHistoryAdmin):
    list_display = (
        "prefix",
        "kind",
        "org_unit",
        "counter_code",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("kind",)
    readonly_fields = ("prefix", "token_hash", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued by `fuwu device-token` or the devices page, which show the raw token once.
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[DeviceToken]) -> None:
        for token in queryset:
            services.device_token_revoke(actor=request_principal(request), token=token)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "org_unit", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
