from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fuwu.feedback.models import Evaluation, FeedbackItem, FollowUp, PadConfig, SurveyBatch, SurveyTarget


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin[Evaluation]):
    list_display = ("ticket", "outlet", "counter", "staff", "rating", "at")
    list_filter = ("rating", "source")
    raw_id_fields = ("ticket", "staff")


@admin.register(FeedbackItem)
class FeedbackItemAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "outlet", "subject", "status", "sentiment", "submitted_at", "reply_due_at")
    list_filter = ("status", "sentiment", "channel")
    exclude = ("phone_hash", "phone_cipher", "client_key", "access_hash")


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "outlet", "source", "status", "owner", "due_at", "escalation_level")
    list_filter = ("status", "source")


admin.site.register(PadConfig, SimpleHistoryAdmin)
admin.site.register(SurveyTarget, SimpleHistoryAdmin)
admin.site.register(SurveyBatch)
