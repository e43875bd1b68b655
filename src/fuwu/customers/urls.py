from __future__ import annotations

from django.urls import path

from fuwu.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("suggestions/<int:pk>/", views.suggestion_react, name="suggestion_react"),
    path("forms/<str:kind>/", views.business_form, name="form"),
    path("<str:customer_no>/", views.customer_detail, name="detail"),
    path("<str:customer_no>/compact/", views.customer_compact, name="compact"),
    path("<str:customer_no>/reveal/", views.customer_reveal, name="reveal"),
]
