from __future__ import annotations

from django.urls import path

from fuwu.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("chat/", views.chat, name="chat"),
    path("", views.search, name="search"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/restore/<int:number>/", views.entry_restore, name="entry_restore"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.conversation, name="conversation"),
    path("queue/<int:pk>/reply/", views.conversation_reply, name="conversation_reply"),
    path("queue/<int:pk>/close/", views.conversation_close, name="conversation_close"),
    path("queue/<int:pk>/paraphrase/", views.message_to_paraphrase, name="message_to_paraphrase"),
    path("unanswered/", views.unanswered, name="unanswered"),
    path("unanswered/gaps/rebuild/", views.gaps_rebuild, name="gaps_rebuild"),
    path("unanswered/gaps/<int:pk>/draft/", views.gap_to_draft, name="gap_to_draft"),
    path("language/", views.language, name="language"),
    path("language/phrase/", views.phrase_save, name="phrase_save"),
    path("sentiment/<int:item_id>/", views.sentiment_correct, name="sentiment_correct"),
]
