"""The project's URLs plus a page with a line chart, a funnel and an empty chart (tests only)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from crm.charts import Chart, Series
from crm.urls import *  # noqa: F403  (the handlers too)
from crm.urls import urlpatterns as project_urlpatterns

PAGE = """{% extends "base.html" %}{% load static crm_tags %}
{% block extra_head %}<link rel="stylesheet" href="{% static 'css/charts.css' %}">{% endblock %}
{% block content %}{% chart line %}{% chart funnel %}{% chart empty %}{% endblock %}
{% block extra_body %}{% include "crm/chart_scripts.html" %}{% endblock %}"""

LINE = Chart(
    id="new-customers",
    kind="line",
    title="New customers per month",
    labels=["2026-08", "2026-09", "2026-10", "2026-11"],
    series=[
        Series(
            name="Pudong",
            values=[12, 15, None, 21],
            links=["/test-charts/?m=8", "/test-charts/?m=9", "", "/test-charts/?m=11"],
        ),
        Series(name="Tianhe", values=[8, Decimal("9.5"), 11, 10]),
    ],
)
FUNNEL = Chart(
    id="campaign-funnel",
    kind="funnel",
    title="Campaign funnel",
    labels=["Targeted", "Contacted", "Interested", "Bought"],
    series=[Series(name="Customers", values=[1200, 800, 300, 90])],
)
EMPTY = Chart(id="nothing", kind="bar", title="Nothing yet", labels=[], series=[])


@login_not_required
def charts_page(request):
    template = engines["django"].from_string(PAGE)
    context = {"line": LINE, "funnel": FUNNEL, "empty": EMPTY}
    return HttpResponse(template.render(context, request))


urlpatterns = [path("test-charts/", charts_page), *project_urlpatterns]
