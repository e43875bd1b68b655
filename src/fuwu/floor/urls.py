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
    # The customer's mobile ticket: public, the signed token in the path is the only key.
    path("t/<str:token>/", views.my_ticket, name="my_ticket"),
    path("t/<str:token>/status/", views.my_ticket_status, name="my_ticket_status"),
    path("t/<str:token>/qr.svg", views.my_ticket_qr, name="my_ticket_qr"),
    path("t/<str:token>/leave/", views.my_ticket_leave, name="my_ticket_leave"),
]
