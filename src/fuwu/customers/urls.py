from __future__ import annotations

from django.urls import path

from fuwu.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("suggestions/<int:pk>/", views.suggestion_react, name="suggestion_react"),
    path("forms/<str:kind>/", views.business_form, name="form"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("portfolios/", views.portfolio_list, name="portfolios"),
    path("portfolios/<str:staff_code>/", views.portfolio_detail, name="portfolio"),
    path("products/", views.product_list, name="products"),
    path("products/<str:code>/", views.product_detail, name="product"),
    path("<str:customer_no>/", views.customer_detail, name="detail"),
    path("<str:customer_no>/compact/", views.customer_compact, name="compact"),
    path("<str:customer_no>/reveal/", views.customer_reveal, name="reveal"),
    path("<str:customer_no>/risk/", views.risk_assessments, name="risk"),
]
