from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path(
        "customers/<int:customer_id>/feedback/new/", views.feedback_create, name="feedback_create"
    ),
    path("customers/<int:customer_id>/cases/new/", views.case_create, name="case_create"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/analytics/", views.case_analytics, name="case_analytics"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/extend/", views.case_extend, name="case_extend"),
    path("cases/<int:pk>/severity/", views.case_severity, name="case_severity"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/unread.json", views.notification_unread, name="notifications_unread"),
    path("interactions/<int:pk>/survey/", views.survey_link_create, name="survey_link_create"),
    path("s/<str:token>/", views.survey_answer, name="survey_answer"),
]
