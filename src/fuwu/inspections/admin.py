from __future__ import annotations

from django.contrib import admin

from fuwu.inspections.models import Inspection, RectificationTask, Template


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin[Template]):
    list_display = ("code", "name", "is_active")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin[Inspection]):
    list_display = ("pk", "outlet", "kind", "status", "score", "band", "visit_date")
    list_filter = ("kind", "status", "band")


@admin.register(RectificationTask)
class RectificationTaskAdmin(admin.ModelAdmin[RectificationTask]):
    list_display = ("pk", "source_kind", "label", "unit", "status", "due")
    list_filter = ("source_kind", "status", "severity")
