from __future__ import annotations

from django.urls import path

from fuwu.training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("manage/", views.manage, name="manage"),
    path("manage/assign/", views.assign_by_role, name="assign"),
    path("manage/completion/", views.completion, name="completion"),
    path("manage/sessions/new/", views.session_new, name="session_new"),
    path("bank/export.xlsx", views.bank_export, name="bank_export"),
    path("bank/import/", views.bank_import, name="bank_import"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/qr.svg", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/checkin/<str:secret>/", views.checkin, name="checkin"),
    path("assignments/<int:pk>/complete/", views.complete_online, name="complete_online"),
    path("exams/<int:pk>/start/", views.exam_start, name="exam_start"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/answer/", views.attempt_answer, name="answer"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<int:pk>/grade/", views.attempt_grade, name="grade"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
