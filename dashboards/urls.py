from django.urls import include, path

from dashboards import views

dashboard_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.dashboard_export, name="export"),
    path("need-changes/", views.need_changes, name="need_changes"),
    path("assessments-expiring/", views.assessments_expiring, name="assessments_expiring"),
]

# "home" is not namespaced: it is the project's landing page (LOGIN_REDIRECT_URL, the navbar).
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include((dashboard_patterns, "dashboards"))),
]
