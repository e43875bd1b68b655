from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from fuwu.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit_export"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("devices/", views.devices, name="devices"),
    path("devices/issue/", views.device_issue, name="device_issue"),
    path("devices/<int:token_id>/revoke/", views.device_revoke, name="device_revoke"),
]
