from django.urls import path

from dashboards import views

# No app_name: "home" is the project's landing page (LOGIN_REDIRECT_URL, the navbar).
urlpatterns = [
    path("", views.home, name="home"),
]
