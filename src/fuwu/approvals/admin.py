"""Process definitions are edited here: a version with cases is frozen; copy it to a new draft, edit, publish."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fuwu.approvals.models import Case, Delegation, Process, ProcessVersion, StepDef


@admin.register(Process)
class ProcessAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "is_active")


class StepDefInline(admin.TabularInline[StepDef, ProcessVersion]):
    model = StepDef
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: ProcessVersion | None = None) -> bool:
        # A version that cases ran on is history: change a copy instead.
        return obj is None or not obj.cases.exists()

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(ProcessVersion)
class ProcessVersionAdmin(admin.ModelAdmin[ProcessVersion]):
    list_display = ("process", "number", "published", "note")
    list_filter = ("process", "published")
    inlines = [StepDefInline]
    actions = ["copy_as_draft", "publish"]

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request: HttpRequest, queryset: QuerySet[ProcessVersion]) -> None:
        for version in queryset:
            number = (version.process.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            draft = ProcessVersion.objects.create(process=version.process, number=number, published=False)
            for step in version.steps.all():
                step.pk = None
                step.version = draft
                step.save()

    @admin.action(description=_("Publish (new cases use it; running cases keep theirs)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcessVersion]) -> None:
        queryset.update(published=True)


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Read-only: decisions go through the services so the timeline and audit stay right."""

    list_display = ("reference", "version", "org_unit", "amount", "status", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("reference", "title")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ("delegator", "delegate", "starts_on", "ends_on")
