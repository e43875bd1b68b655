from __future__ import annotations

from django.urls import path

from fuwu.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("delegate/", views.delegate, name="delegate"),
    path("steps/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("bottlenecks/", views.bottlenecks, name="bottlenecks"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("steps/<int:pk>/<slug:action>/", views.step_action, name="step_action"),
]
