from __future__ import annotations

from django.urls import path

from fuwu.floor import views

app_name = "floor"

urlpatterns = [
    path("counter/", views.counter_console, name="counter"),
    path("lobby/", views.lobby, name="lobby"),
    path("lobby/positions/", views.position_assign, name="position_assign"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("display/", views.display, name="display"),
]
