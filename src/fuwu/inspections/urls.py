from __future__ import annotations

from django.urls import path

from fuwu.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("plan/", views.inspection_plan, name="plan"),
    path("schedule/", views.inspection_schedule, name="schedule"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/start/", views.inspection_start, name="start"),
    path("<int:pk>/cancel/", views.inspection_cancel, name="cancel"),
    path("<int:pk>/save/", views.response_save, name="save"),
    path("<int:pk>/observe/", views.inspection_observe, name="observe"),
    path("<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("photos/<int:pk>/<str:kind>/", views.photo_file, name="photo"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:pk>/", views.task_detail, name="task"),
    path("ledger/<int:pk>/<str:name>/", views.task_act, name="task_act"),
    path("templates/", views.template_list, name="templates"),
    path("templates/import/", views.template_import, name="template_import"),
    path("templates/install/", views.templates_install, name="templates_install"),
    path("templates/<str:code>/", views.template_detail, name="template"),
    path("templates/<str:code>/save/", views.template_save, name="template_save"),
    path("templates/<str:code>/export/", views.template_export, name="template_export"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/export/", views.supervisors_export, name="supervisors_export"),
    path("trends/", views.trends, name="trends"),
]
