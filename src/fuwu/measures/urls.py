from __future__ import annotations

from django.urls import path

from fuwu.measures import views

app_name = "measures"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("definitions/", views.definitions, name="definitions"),
    path("targets/", views.target_list, name="targets"),
    path("targets/save/", views.target_save, name="target_save"),
    path("targets/<int:target_id>/remove/", views.target_remove, name="target_remove"),
]
