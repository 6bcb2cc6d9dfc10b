"""The project's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.urls import path

from crm.urls import *  # noqa: F403  (the handlers too)
from crm.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("boom for the error page test")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
