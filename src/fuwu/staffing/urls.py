from __future__ import annotations

from django.urls import path

from fuwu.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/build/", views.plan_build, name="plan_build"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/roster/", views.plan_roster, name="plan_roster"),
    path("plans/<int:plan_id>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:plan_id>/simulate/", views.plan_simulate, name="plan_simulate"),
    path("plans/<int:plan_id>/shifts/", views.shift_save, name="shift_save"),
    path("shifts/<int:shift_id>/delete/", views.shift_remove, name="shift_delete"),
    path("centre/", views.centre, name="centre"),
]
