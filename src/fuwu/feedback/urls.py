from __future__ import annotations

from django.urls import path

from fuwu.feedback import views

app_name = "feedback"

urlpatterns = [
    path("pad/", views.pad, name="pad"),
    path("box/", views.box_outlets, name="box_outlets"),
    path("box/<str:outlet_code>/", views.box, name="box"),
    path("r/<str:token>/", views.box_reply, name="box_reply"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.item_detail, name="item"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up"),
    path("mine/", views.mine, name="mine"),
    path("figures/", views.figures, name="figures"),
    path("surveys/", views.surveys, name="surveys"),
    path("insights/", views.insights, name="insights"),
    path("reasons/", views.reasons, name="reasons"),
    path("pad-settings/", views.pad_settings_save, name="pad_settings"),
]
