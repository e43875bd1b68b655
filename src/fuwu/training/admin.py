from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from fuwu.training.models import (
    Category,
    Course,
    DefectRule,
    Exam,
    Material,
    Question,
    QuestionVersion,
    Session,
)


class MaterialInline(admin.TabularInline[Material, Course]):
    model = Material
    extra = 0


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "kind", "org_unit", "online", "is_active")
    list_filter = ("kind", "is_active")
    inlines = [MaterialInline]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ("course", "org_unit", "trainer", "starts_at", "ends_at", "place", "capacity")
    exclude = ("checkin_secret",)


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin[Exam]):
    list_display = (
        "title",
        "course",
        "time_limit_minutes",
        "pass_percent",
        "max_attempts",
        "certificate_months",
    )


admin.site.register(Category)


class VersionInline(admin.TabularInline[QuestionVersion, Question]):
    model = QuestionVersion
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a new wording is a new version (question_save / Excel import), never an edit


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ("code", "category", "is_active")
    list_filter = ("category",)
    search_fields = ("code",)
    inlines = [VersionInline]


@admin.register(DefectRule)
class DefectRuleAdmin(SimpleHistoryAdmin):
    list_display = ("source_kind", "reason_code", "course", "due_days")
