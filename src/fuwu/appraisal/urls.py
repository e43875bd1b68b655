from __future__ import annotations

from django.urls import path

from fuwu.appraisal import views

app_name = "appraisal"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/new/", views.briefing_new, name="briefing_new"),
    path("briefings/<int:job_id>/status/", views.briefing_status, name="briefing_status"),
    path("briefings/<int:job_id>/<str:name>", views.briefing_download, name="briefing_download"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/new/", views.scorecard_new, name="scorecard_new"),
    path("scorecards/<int:card_id>/items/", views.item_new, name="item_new"),
    path("scorecards/items/<int:item_id>/weight/", views.weight_set, name="weight_set"),
    path("peers/", views.peers, name="peers"),
    path("peers/save/", views.peer_save, name="peer_save"),
    path("peers/import/", views.peer_import, name="peer_import"),
    path("stars/", views.stars, name="stars"),
    path("stars/open/", views.star_open, name="star_open"),
    path("stars/wall/", views.star_wall, name="star_wall"),
    path("stars/policy/", views.star_policy, name="star_policy"),
    path("stars/policy/set/", views.star_policy_set, name="star_policy_set"),
    path("stars/<int:round_id>/", views.star_round, name="star_round"),
    path("stars/<int:round_id>/nominate/", views.star_nominate, name="star_nominate"),
    path("stars/<int:round_id>/<str:name>/", views.star_act, name="star_act"),
]
