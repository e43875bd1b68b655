from __future__ import annotations

from django.urls import path

from fuwu.appraisal import views

app_name = "appraisal"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/new/", views.briefing_new, name="briefing_new"),
    path("briefings/<int:job_id>/status/", views.briefing_status, name="briefing_status"),
    path("briefings/<int:job_id>/<str:name>", views.briefing_download, name="briefing_download"),
]
