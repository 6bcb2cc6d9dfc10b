from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="list"),
    path("products/<int:pk>/", views.product_detail, name="detail"),
    path("products/<int:pk>/shelf/", views.shelf_lookup, name="shelf"),
    path(
        "products/customers/<int:customer_id>/risk-questionnaire/",
        views.questionnaire_record,
        name="questionnaire_record",
    ),
    path(
        "products/customers/<int:customer_id>/recommendations/",
        views.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "products/customers/<int:customer_id>/holdings/",
        views.holding_create,
        name="holding_create",
    ),
    path(
        "products/customers/<int:customer_id>/above-class/",
        views.override_request,
        name="override_request",
    ),
    path("products/recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path(
        "products/recommendations/<int:pk>/outcome/",
        views.recommendation_outcome,
        name="recommendation_outcome",
    ),
    path("products/above-class/", views.override_list, name="overrides"),
    path("products/holdings/import/", views.holding_import, name="holding_import"),
    path(
        "products/holdings/import/commit/",
        views.holding_import_commit,
        name="holding_import_commit",
    ),
    path("products/campaigns/", views.campaign_list, name="campaigns"),
    path("products/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("products/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("products/campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("products/campaign-targets/<int:pk>/move/", views.target_move, name="target_move"),
    path("products/above-class/<int:pk>/decide/", views.override_decide, name="override_decide"),
]
