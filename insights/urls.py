from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/precision/", views.alert_precision, name="alert_precision"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/action/", views.alert_act, name="alert_act"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("scores/", views.score_list, name="score_list"),
    path("scores/compute/", views.scores_compute_now, name="scores_compute"),
    path("scores/<int:staff_id>/", views.score_detail, name="score_detail"),
    path(
        "scores/<int:staff_id>/<str:period>/<slug:component>/",
        views.score_records,
        name="score_records",
    ),
]
