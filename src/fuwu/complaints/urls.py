from __future__ import annotations

from django.urls import path

from fuwu.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/documents/", views.attach, name="attach"),
    path("<int:pk>/letters/<slug:kind>.pdf", views.letter, name="letter"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("from-feedback/<int:item_pk>/", views.from_feedback, name="from_feedback"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("alerts/<int:pk>/ack/", views.alert_ack, name="alert_ack"),
    path("stats/", views.regulator_stats, name="stats"),
    path("stats/export.xlsx", views.regulator_export, name="stats_export"),
    path("library/", views.library, name="library"),
    path("hotspots/", views.hotspots, name="hotspots"),
]
